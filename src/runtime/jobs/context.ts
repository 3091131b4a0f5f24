/**
 * The context a job handler receives (built by job() inside the handler's process): deadline
 * awareness, durable checkpoints, continue, progress, the each() loop helper and journaled steps.
 */
import type { Context } from 'aws-lambda';
import { formatSize } from '../../core/size.ts';
import type { Duration } from '../../core/duration.ts';
import type { ExecutorKind } from '../../core/resources/fn.ts';
import type { JobProgress } from '../../ports/jobs.ts';
import type { JobConnection } from './connect.ts';
import type { JobEnvelope } from './envelope.ts';
import { CheckpointTooLargeError, ContinueSignal } from './errors.ts';
import type { StepJournal, StepOptions, WaitForOptions } from './steps.ts';

export interface EachOptions {
  /** Checkpoint and continue when less than this remains. @defaultValue defaults.jobs.marginMs */
  marginMs?: number;
}

export interface JobContext<I = unknown, C = unknown> {
  readonly id: string;
  readonly input: I;
  /** This relay's number (1 for the first invocation). */
  readonly relay: number;
  readonly executor: ExecutorKind;
  /** The Lambda context of this invocation. */
  readonly lambda: Context;
  /** Time left before this invocation's limit (very large in the container executor). */
  remainingMs(): number;
  /** Saves the checkpoint durably; the next relay (after a continue, a timeout or a crash) starts from it. */
  checkpoint(value: C, progress?: JobProgress): Promise<void>;
  /** Saves the checkpoint and ends this invocation now; the next relay starts at once. */
  continue(value: C): Promise<never>;
  /** Reports progress (counts, or done/total as a fraction). */
  progress(done: number, total?: number): Promise<void>;
  /**
   * Runs fn over items from the checkpointed index (the checkpoint is the index of the next item,
   * so each() owns the job's checkpoint), checkpointing after each item and continuing in a new
   * invocation when less than the margin remains.
   */
  each<T>(items: readonly T[], fn: (item: T, index: number) => unknown, options?: EachOptions): Promise<void>;
  step<T>(name: string, fn: () => T | Promise<T>, options?: StepOptions): Promise<T>;
  sleep(name: string, duration: Duration): Promise<void>;
  waitFor<T>(name: string, check: () => T | Promise<T>, options: WaitForOptions): Promise<Exclude<T, undefined | null | false | 0 | ''>>;
}

export class RelayContext<I, C> implements JobContext<I, C> {
  /** Set by continue(): job() treats the relay as continued even if the signal was swallowed. */
  continued = false;

  constructor(
    private readonly env: JobEnvelope,
    private readonly conn: JobConnection,
    readonly lambda: Context,
    private readonly journal: StepJournal,
  ) {}

  get id(): string {
    return this.env.id;
  }
  get input(): I {
    return this.env.input as I;
  }
  get relay(): number {
    return this.env.relay;
  }
  get executor(): ExecutorKind {
    return this.env.executor;
  }

  remainingMs(): number {
    return this.lambda.getRemainingTimeInMillis();
  }

  async checkpoint(value: C, progress?: JobProgress): Promise<void> {
    const json = JSON.stringify(value ?? null);
    const max = this.env.limits.maxCheckpointBytes;
    if (json.length > max / 3 && Buffer.byteLength(json) > max) {
      throw new CheckpointTooLargeError(`job "${this.env.id}": the checkpoint is ${formatSize(Buffer.byteLength(json))}, over the limit of ${formatSize(max)}.`, {
        action: 'Store the value as an object (objects.put) and checkpoint its key instead.',
      });
    }
    await this.conn.store.checkpoint(this.env.id, this.env.relay, json, progress);
  }

  async continue(value: C): Promise<never> {
    await this.checkpoint(value);
    this.continued = true;
    throw new ContinueSignal();
  }

  progress(done: number, total?: number): Promise<void> {
    return this.conn.store.progress(this.env.id, this.env.relay, total === undefined ? { done } : { done, total });
  }

  async each<T>(items: readonly T[], fn: (item: T, index: number) => unknown, options: EachOptions = {}): Promise<void> {
    const margin = options.marginMs ?? this.env.limits.marginMs;
    const from = typeof this.env.checkpoint === 'number' ? this.env.checkpoint : 0;
    const total = items.length;
    for (let i = from; i < total; i++) {
      await fn(items[i] as T, i);
      await this.checkpoint((i + 1) as C, { done: i + 1, total });
      if (i + 1 < total && this.remainingMs() < margin) {
        this.continued = true;
        throw new ContinueSignal();
      }
    }
  }

  step<T>(name: string, fn: () => T | Promise<T>, options?: StepOptions): Promise<T> {
    return this.journal.step(name, fn, options);
  }

  sleep(name: string, duration: Duration): Promise<void> {
    return this.journal.sleep(name, duration);
  }

  waitFor<T>(name: string, check: () => T | Promise<T>, options: WaitForOptions): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
    return this.journal.waitFor(name, check, options);
  }
}
