/** What an example's demo.ts gets and returns; `baton demo` runs each and prints its report. */
export interface DemoContext {
  /** A fresh state directory for this example. */
  dir: string;
  /** Small sizes for tests; the demo's full size otherwise. */
  small: boolean;
  log(line: string): void;
}

export interface DemoResult {
  /** Key counts, printed after "<name>: ok". */
  summary: string;
  /** Every check that did not hold; empty when the example succeeded. */
  failures: string[];
}

/** Collects named checks for a demo result. */
export function checks(): { expect(what: string, ok: boolean, detail?: string): void; failures: string[] } {
  const failures: string[] = [];
  return {
    failures,
    expect(what, ok, detail) {
      if (!ok) failures.push(detail ? `${what} (${detail})` : what);
    },
  };
}
