/** Waits for a promise, a time limit (real time: worker threads are real), or an abort signal. */
export type RaceResult<T> = { kind: 'value'; value: T } | { kind: 'timeout' } | { kind: 'aborted'; reason: unknown };

export function race<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<RaceResult<T>> {
  if (signal?.aborted) return Promise.resolve({ kind: 'aborted', reason: signal.reason });
  return new Promise<RaceResult<T>>((resolve, reject) => {
    const done = (r: RaceResult<T>) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => done({ kind: 'aborted', reason: signal?.reason });
    const timer = setTimeout(() => done({ kind: 'timeout' }), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => done({ kind: 'value', value }),
      (err: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
