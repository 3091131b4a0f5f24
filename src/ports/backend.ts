import type { Clock } from './clock.ts';
import type { JobStore } from './jobs.ts';
import type { FirehoseStore } from './firehose.ts';
import type { ObjectStore } from './objects.ts';
import type { ParamStore } from './params.ts';
import type { QueueStore } from './queues.ts';
import type { RunStore } from './runs.ts';
import type { TableStore } from './tables.ts';
import type { TopicStore } from './topics.ts';

/** A backend: one implementation of every storage port, sharing one clock. */
export interface Backend {
  readonly name: string;
  readonly clock: Clock;
  readonly objects: ObjectStore;
  readonly queues: QueueStore;
  readonly params: ParamStore;
  readonly tables: TableStore;
  readonly topics: TopicStore;
  readonly runs: RunStore;
  /** The write-ahead store of firehose ingestion buffers. */
  readonly firehose: FirehoseStore;
  readonly jobs: JobStore;
  /**
   * Environment variables a handler's process (worker thread or container) needs to reach this
   * same backend through `connect()`; executors add them to every handler's environment.
   */
  readonly handlerEnv: Readonly<Record<string, string>>;
  /**
   * Optional: runs `work` so that the store writes it starts before its first await are committed
   * together, in one transaction (the trigger path writes a run's start with its batch's attempts,
   * and its finish with the batch's delete: one commit instead of two). Each write still succeeds
   * or fails on its own, as when called alone. If the shared commit fails, `together` throws and
   * none of them happened: a caller awaits the writes' promises only after it returned. A backend
   * without it (aws: separate services) makes the calls one by one.
   */
  together?(work: () => void): void;
  close(): Promise<void>;
}
