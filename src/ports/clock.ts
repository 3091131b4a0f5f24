/**
 * The clock port: all time in Baton is read through it, so tests move time forward instead of
 * sleeping. `sleep` resolves once the clock has reached now + ms (or rejects when aborted).
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
