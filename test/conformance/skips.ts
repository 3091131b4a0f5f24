/**
 * Skipping a conformance case for one backend, always with the reason written beside it (as Hono's
 * router suite does): `caseFor(skips)` returns an `it` that runs the case, or skips it with the
 * reason in its title so the test report says why.
 */
import { it } from 'vitest';

/** Case title -> why this backend cannot give that guarantee. */
export type Skips = Readonly<Record<string, string>>;

export function caseFor(skips: Skips = {}): (title: string, fn: () => Promise<void> | void, timeout?: number) => void {
  return (title, fn, timeout) => {
    const reason = skips[title];
    if (reason) it.skip(`${title} [skipped: ${reason}]`, fn);
    else it(title, fn, timeout);
  };
}
