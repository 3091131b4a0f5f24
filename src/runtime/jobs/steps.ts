/**
 * Journaled steps of a job. The journal is a list of entries by position (the order the handler
 * reaches its steps); each replay of the handler walks it again from position 0:
 *
 *   step(name, fn)     done     -> the journaled result, fn is not run again
 *                      failed   -> fn runs again (a retry; attempts counted in the entry)
 *                      absent   -> fn runs; success journals `done` (results over stepInlineBytes
 *                                  go to the object store and the entry keeps the key); a failure
 *                                  journals `failed` and suspends the job for the backoff
 *                                  (stepBackoffMs * 2^(attempt-1), capped), so no executor is held
 *                                  while it waits; past stepRetries, or on a NonRetriableError,
 *                                  the job fails
 *   sleep(name, d)     absent   -> journals `waiting` with wakeAt = now + d and suspends
 *                      waiting  -> done once the clock has reached wakeAt, else suspends again
 *   waitFor(name, check, {every, timeout})
 *                      check() runs once per relay; a truthy value is journaled `done`; else the
 *                      job suspends for `every`, and fails with a NonRetriableError once
 *                      `timeout` has passed since the first check
 *
 * An entry whose name differs from the step reached at its position means the code changed under
 * a running job: the job fails with a StepOrderError naming the step expected and the step found.
 */
import { parseDuration, type Duration } from '../../core/duration.ts';
import { serializeError } from '../../core/errors.ts';
import type { StepEntry } from '../../ports/jobs.ts';
import type { JobConnection } from './connect.ts';
import type { JobEnvelope } from './envelope.ts';
import { NonRetriableError, StepOrderError, SuspendSignal, isNonRetriable } from './errors.ts';

export interface StepOptions {
  /** Retries after the first attempt. @defaultValue defaults.jobs.stepRetries */
  retries?: number;
  /** Before the first retry; doubles per retry. @defaultValue defaults.jobs.stepBackoffMs */
  backoff?: Duration;
}

export interface WaitForOptions {
  every: Duration;
  timeout: Duration;
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

export class StepJournal {
  private position = 0;

  constructor(
    private readonly env: JobEnvelope,
    private readonly conn: JobConnection,
    private readonly entries: readonly StepEntry[],
  ) {}

  async step<T>(name: string, fn: () => T | Promise<T>, options: StepOptions = {}): Promise<T> {
    const pos = this.next(name, 'step');
    const entry = this.entries[pos];
    if (entry?.status === 'done') return this.load<T>(entry);
    const attempts = (entry?.attempts ?? 0) + 1;
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      const retries = options.retries ?? this.env.limits.stepRetries;
      if (isNonRetriable(err)) throw err;
      if (attempts > retries) {
        throw new NonRetriableError(`job "${this.env.id}": step "${name}" failed ${attempts} times (${err instanceof Error ? err.message : String(err)}).`, { action: 'Fix the cause and start the job again, or give the step more retries.', cause: err });
      }
      const base = options.backoff === undefined ? this.env.limits.stepBackoffMs : parseDuration(options.backoff, `step "${name}" backoff`);
      const wakeAt = this.env.now + Math.min(base * 2 ** (attempts - 1), this.env.limits.retryMaxMs);
      await this.write({ position: pos, name, status: 'failed', attempts, wakeAt, error: serializeError(err) });
      throw new SuspendSignal(wakeAt, `retry:${name}`);
    }
    await this.save(pos, name, value, attempts);
    return value;
  }

  async sleep(name: string, duration: Duration): Promise<void> {
    const pos = this.next(name, 'sleep');
    const entry = this.entries[pos];
    if (entry?.status === 'done') return;
    const wakeAt = entry?.wakeAt ?? this.env.now + parseDuration(duration, `sleep "${name}"`);
    if (this.env.now >= wakeAt) {
      await this.write({ position: pos, name, status: 'done', attempts: 1, wakeAt });
      return;
    }
    if (!entry) await this.write({ position: pos, name, status: 'waiting', attempts: 0, startedAt: this.env.now, wakeAt });
    throw new SuspendSignal(wakeAt, `sleep:${name}`);
  }

  async waitFor<T>(name: string, check: () => T | Promise<T>, options: WaitForOptions): Promise<Truthy<T>> {
    const pos = this.next(name, 'waitFor');
    const entry = this.entries[pos];
    if (entry?.status === 'done') return this.load<Truthy<T>>(entry);
    const startedAt = entry?.startedAt ?? this.env.now;
    const attempts = (entry?.attempts ?? 0) + 1;
    const value = await check();
    if (value) {
      await this.save(pos, name, value, attempts, startedAt);
      return value as Truthy<T>;
    }
    const timeout = parseDuration(options.timeout, `waitFor "${name}" timeout`);
    if (this.env.now - startedAt >= timeout) {
      throw new NonRetriableError(`job "${this.env.id}": waitFor "${name}" gave up after ${attempts} checks over ${timeout} ms without the condition holding.`, { action: 'Give it a longer timeout, or find out why the condition never held.' });
    }
    const wakeAt = this.env.now + parseDuration(options.every, `waitFor "${name}" every`);
    await this.write({ position: pos, name, status: 'waiting', attempts, startedAt, wakeAt });
    throw new SuspendSignal(wakeAt, `waitFor:${name}`);
  }

  /** Claims the next position, checking the journal still agrees on what runs there. */
  private next(name: string, kind: string): number {
    const pos = this.position++;
    const entry = this.entries[pos];
    if (entry && entry.name !== name) {
      throw new StepOrderError(`job "${this.env.id}": the step order changed: at position ${pos} the journal expected step "${entry.name}" but the handler reached ${kind} "${name}".`, {
        action: 'Steps must run in the same order on every replay; start a new job for the changed code, or keep the old steps in place.',
      });
    }
    return pos;
  }

  private async save(position: number, name: string, value: unknown, attempts: number, startedAt?: number): Promise<void> {
    const json = JSON.stringify(value ?? null);
    const base = { position, name, status: 'done' as const, attempts, ...(startedAt !== undefined ? { startedAt } : {}) };
    if (Buffer.byteLength(json) <= this.env.limits.stepInlineBytes) return this.write({ ...base, resultJson: json });
    const ref = { bucket: this.env.limits.bucket, key: `jobs/${this.env.id}/steps/${position}.json` };
    const objects = this.conn.objects();
    await objects.declare({ name: ref.bucket, notifications: [] });
    await objects.put(ref.bucket, ref.key, json, { contentType: 'application/json' });
    await this.write({ ...base, resultRef: ref });
  }

  private async load<T>(entry: StepEntry): Promise<T> {
    if (entry.resultRef) {
      const { body } = await this.conn.objects().get(entry.resultRef.bucket, entry.resultRef.key);
      return JSON.parse(body.toString('utf8')) as T;
    }
    return JSON.parse(entry.resultJson ?? 'null') as T;
  }

  private write(entry: StepEntry): Promise<void> {
    return this.conn.store.journal(this.env.id, this.env.relay, entry);
  }
}
