/**
 * Queue -> function trigger (Lambda's SQS event source mapping).
 *
 * The loop, per trigger:
 *   1. wait for a free slot (at most `maxConcurrency` batches in flight)
 *   2. long-poll the queue for a first message, without counting an attempt
 *   3. with a batching window, keep receiving until the batch is full or the window has passed
 *      (from the first message); the heartbeat of the batch starts with its first message
 *   4. run the batch (queue-batch.ts) in the background and go back to 1
 *
 * States of the loop: polling -> collecting -> (batch handed to the slot) -> polling ... and,
 * once the engine is stopping, draining: no more receives; a batch still collecting is handed
 * back at once; running batches finish (or are aborted at the stop deadline and handed back).
 * `run()` resolves only when every batch it started has settled.
 */
import { defaults } from '../../core/defaults.ts';
import type { FnConfig, QueueTriggerConfig } from '../../core/resources/fn.ts';
import type { ReceivedMessage } from '../../ports/queues.ts';
import type { TriggerContext } from './context.ts';
import { pause, Semaphore, TaskSet } from './loop.ts';
import { QueueBatch, type BatchOutcome } from './queue-batch.ts';

export interface QueueTriggerStats {
  batches: number;
  messages: number;
  outcomes: Record<BatchOutcome, number>;
}

export class QueueTrigger {
  readonly stats: QueueTriggerStats = { batches: 0, messages: 0, outcomes: { ok: 0, partial: 0, failed: 0, 'handed-back': 0 } };
  private readonly running = new TaskSet();

  constructor(
    private readonly ctx: TriggerContext,
    private readonly fn: FnConfig,
    private readonly trigger: QueueTriggerConfig,
    private readonly visibilityMs: number,
  ) {}

  get name(): string {
    return `queue:${this.trigger.queue} -> fn:${this.fn.name}`;
  }

  /** Batches running now. */
  get inFlight(): number {
    return this.running.size;
  }

  async run(): Promise<void> {
    const slots = new Semaphore(this.trigger.maxConcurrency);
    try {
      while (await slots.acquire(this.ctx.stopping)) {
        let batch: QueueBatch | undefined;
        try {
          batch = await this.collect();
        } catch (err) {
          this.ctx.report.error(`${this.name}: receive`, err);
          slots.release();
          await pause(this.ctx.clock, this.ctx.settings.errorBackoffMs, this.ctx.stopping);
          continue;
        }
        if (!batch) {
          slots.release();
          continue;
        }
        const b = batch;
        this.stats.batches++;
        this.stats.messages += b.size;
        this.running.add(
          b
            .run()
            .then((outcome) => void this.stats.outcomes[outcome]++)
            .catch((err: unknown) => this.ctx.report.error(`${this.name}: settle`, err))
            .finally(() => slots.release()),
        );
      }
    } finally {
      await this.running.settled();
    }
  }

  /** Receives one batch, or undefined when nothing came (or the engine is stopping). */
  private async collect(): Promise<QueueBatch | undefined> {
    const { queue, batchSize, batchingWindowMs } = this.trigger;
    const first = await this.receive(batchSize, this.ctx.settings.queueWaitMs);
    if (first.length === 0) return undefined;
    const batch = new QueueBatch(this.ctx, this.fn, this.trigger, this.visibilityMs);
    batch.add(first);
    const deadline = this.ctx.clock.now() + batchingWindowMs;
    try {
      for (;;) {
        const left = deadline - this.ctx.clock.now();
        if (batch.size >= batchSize || left <= 0 || this.ctx.stopping.aborted) break;
        batch.add(await this.receive(batchSize - batch.size, Math.min(left, defaults.queue.maxWaitMs)));
      }
    } catch (err) {
      await batch.handBack();
      if (this.ctx.stopping.aborted) return undefined;
      throw new Error(`${queue}: receiving to fill a batch failed; its messages were handed back.`, { cause: err });
    }
    if (this.ctx.stopping.aborted) {
      await batch.handBack();
      return undefined;
    }
    return batch;
  }

  private async receive(max: number, waitMs: number): Promise<ReceivedMessage[]> {
    if (this.ctx.stopping.aborted) return [];
    try {
      return await this.ctx.backend.queues.receive(this.trigger.queue, {
        maxMessages: Math.min(max, defaults.queue.maxReceiveBatchLocal),
        waitMs,
        countAttempt: false,
        signal: this.ctx.stopping,
      });
    } catch (err) {
      if (this.ctx.stopping.aborted) return [];
      throw err;
    }
  }
}
