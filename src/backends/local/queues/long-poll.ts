import type { LocalContext } from '../context.ts';

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/**
 * Waits until `event` is emitted on ctx.signals (an in-process commit made messages visible) or
 * `ms` pass on the clock, whichever is first. Rejects with the signal's reason if it aborts.
 * Leaves no listener and no pending clock sleep behind.
 */
export function waitForWake(ctx: LocalContext, event: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const sleeping = new AbortController();
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      ctx.signals.off(event, onEvent);
      signal?.removeEventListener('abort', onAbort);
      sleeping.abort();
      settle();
    };
    const onEvent = () => finish(resolve);
    const onAbort = () => finish(() => reject(abortReason(signal!)));
    ctx.signals.on(event, onEvent);
    signal?.addEventListener('abort', onAbort, { once: true });
    ctx.clock.sleep(ms, sleeping.signal).then(
      () => finish(resolve),
      () => undefined, // our own abort after waking: nothing left to do
    );
  });
}
