import type { FakeClock } from '../../src/testing/fake-clock.ts';

/**
 * Awaits `work` while moving the fake clock: whenever something sleeps on the clock (a backoff),
 * time jumps `stepMs`; otherwise real time passes a couple of ms for I/O (an HTTP request).
 * Fails after `maxSteps` rather than hanging the test.
 */
export async function drive<T>(clock: FakeClock, work: Promise<T>, stepMs = 250, maxSteps = 5000): Promise<T> {
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  for (let i = 0; !done; i++) {
    if (i >= maxSteps) throw new Error(`work did not settle after ${maxSteps} steps (fake clock at ${new Date(clock.now()).toISOString()})`);
    if (clock.pending > 0) await clock.advance(stepMs);
    else await new Promise<void>((r) => setTimeout(r, 2));
  }
  return watched;
}
