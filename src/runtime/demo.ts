import type { Backend } from '../ports/backend.ts';

/** What an example's demo.ts gets and returns; `baton demo` runs each and prints its report. */
export interface DemoContext {
  /** A fresh state directory for this example (on aws: where topic file subscribers write). */
  dir: string;
  /** Small sizes for tests; the demo's full size otherwise. */
  small: boolean;
  log(line: string): void;
  /** The backend the demo's app runs on (src/root/demo-app.ts opens it). @defaultValue 'local' */
  backend?: 'local' | 'aws';
  /** The aws backend's options (openApp's `aws`) when backend is 'aws'; the environment fills in the rest. */
  aws?: DemoAwsOptions;
  /**
   * Wraps the backend the demo's own calls go through (its uploads, reads and checks; the engine
   * keeps the app's own). A test uses it to stand in for a service hop its emulator lacks.
   */
  wrapBackend?: (backend: Backend) => Backend;
}

/** What a demo may set of the aws backend's options (a subset of AwsBackendOptions, which this layer cannot import). */
export interface DemoAwsOptions {
  region?: string;
  endpoint?: string;
  endpoints?: Partial<Record<'s3' | 'sqs' | 'sns' | 'dynamodb' | 'dynamodbstreams' | 'ssm', string>>;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Physical-name prefix. @defaultValue $BATON_AWS_PREFIX, else '<app name>-' */
  prefix?: string;
}

/** The backend a demo runs on, for its checks and log lines. */
export function demoBackend(ctx: Pick<DemoContext, 'backend'>): 'local' | 'aws' {
  return ctx.backend ?? 'local';
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
