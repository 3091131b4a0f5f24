/**
 * One batch of a queue trigger, from receive to settle:
 *
 *   received  leased without counting an attempt; the heartbeat keeps the leases alive
 *   started   the handler got a worker slot: startAttempts counts one attempt per message, in the
 *             run's start group
 *   settled   ok:       deleted, except the ids in `batchItemFailures` (when the trigger reports
 *                       them), which are released with an error
 *             error or timeout: every message released with the handler's error; it comes back
 *                       after the queue's visibility timeout, or goes to the DLQ when its attempts
 *                       are used up (the queue store decides)
 *             handed back: the engine stopped (the invocation never started, or was aborted at
 *                       the stop deadline): visible again at once, the lease kept so no DLQ move
 *                       happens here. Never started: given back in one call (queues.handBack),
 *                       no attempt was counted; started: its attempts stay counted
 */
import { BatonError, StaleReceiptError } from '../../core/errors.ts';
import type { FnConfig, QueueTriggerConfig } from '../../core/resources/fn.ts';
import type { BatchResultEntry, ReceivedMessage } from '../../ports/queues.ts';
import type { RunError } from '../../ports/runs.ts';
import { invocationErrorToError } from '../executor/index.ts';
import { invokeSync, type InvokeResult } from '../invoke/index.ts';
import type { TriggerContext } from './context.ts';
import { batchItemFailures, sqsEvent } from './events/sqs.ts';
import { startHeartbeat, type Heartbeat } from './heartbeat.ts';

export type BatchOutcome = 'ok' | 'partial' | 'failed' | 'handed-back';

/** What a returned handler's batch settles to: the messages it reported failed, and the delete of the rest. */
type Settled = { failed: 'whole'; why: string } | { failed: ReceivedMessage[]; deleted?: Promise<Array<BatchResultEntry<void>>> };

export class QueueBatch {
  /** Handles whose lease this batch still holds. */
  readonly handles = new Set<string>();
  readonly messages: ReceivedMessage[] = [];
  private heartbeat: Heartbeat | undefined;
  /** The handler got a worker slot (its attempts count from then on). */
  private started = false;

  constructor(
    private readonly ctx: TriggerContext,
    private readonly fn: FnConfig,
    private readonly trigger: QueueTriggerConfig,
    private readonly visibilityMs: number,
  ) {}

  get size(): number {
    return this.messages.length;
  }

  add(messages: readonly ReceivedMessage[]): void {
    for (const m of messages) {
      this.messages.push(m);
      this.handles.add(m.receiptHandle);
    }
    this.heartbeat ??= startHeartbeat(this.ctx.backend.queues, this.ctx.clock, this.trigger.queue, this.handles, this.visibilityMs, Math.floor(this.visibilityMs / this.ctx.settings.heartbeatDivisor), (err) =>
      this.ctx.report.error(`queue trigger ${this.trigger.queue} -> fn ${this.fn.name}: heartbeat`, err),
    );
  }

  /** Runs the batch through the function and settles every message. */
  async run(): Promise<BatchOutcome> {
    const { backend } = this.ctx;
    const queue = this.trigger.queue;
    let counting: Promise<void> | undefined;
    let settled: Settled | undefined;
    let inv: InvokeResult;
    try {
      inv = await invokeSync(this.ctx.deps, this.fn.name, sqsEvent(queue, this.messages), {
        trigger: `queue:${queue}`,
        attempt: this.attempt(),
        recordIds: this.messages.map((m) => m.messageId),
        signal: this.ctx.aborting,
        ...(this.trigger.reportBatchItemFailures ? { resultError: (result: unknown) => partialRunError(result, this.messages) } : {}),
        // Both run in the run's write group (invokeSync onFinish): the attempts commit with the
        // run's start, the delete of the done messages with its finish.
        onStart: () => {
          this.started = true;
          counting = backend.queues.startAttempts(queue, [...this.handles]);
          counting.catch(() => undefined);
        },
        onFinish: (outcome) => {
          if (outcome.status === 'ok' && !this.ctx.aborting.aborted) settled = this.deleteDone(outcome.result);
        },
      });
    } catch (err) {
      // Never started (the engine is stopping, the executor closed): no attempt was counted. Or
      // started but its run's start or finish could not be written: the attempts startAttempts
      // counted (its own write in the start group) stay. Either way, hand the messages back.
      if (!this.ctx.aborting.aborted && !this.ctx.stopping.aborted) this.ctx.report.error(`queue trigger ${queue} -> fn ${this.fn.name}: invoke`, err);
      await this.handBack();
      return 'handed-back';
    }
    await counting?.catch((err: unknown) => {
      // Stale handles: their leases lapsed while waiting; another receive owns them now.
      if (!(err instanceof StaleReceiptError)) this.ctx.report.error(`queue trigger ${queue} -> fn ${this.fn.name}: startAttempts`, err);
    });
    await this.heartbeat?.stop();
    if (inv.status !== 'ok' && this.ctx.aborting.aborted) {
      await this.handBack();
      return 'handed-back';
    }
    if (inv.status !== 'ok') {
      await this.releaseAll(this.messages, invocationErrorToError(inv.error!));
      return 'failed';
    }
    const outcome = settled ?? this.deleteDone(inv.result);
    if (outcome.failed === 'whole') {
      await this.releaseAll(this.messages, new BatonError(`fn "${this.fn.name}": invalid partial batch response (${outcome.why}); the whole batch is retried, as Lambda does.`, { action: 'Return { batchItemFailures: [{ itemIdentifier: record.messageId }] } naming only messages of the event.' }));
      return 'failed';
    }
    const { failed, deleted } = outcome;
    if (deleted) {
      const results = await deleted;
      for (const r of results) if (!r.ok && r.error?.name !== 'StaleReceiptError') this.ctx.report.error(`queue trigger ${queue} -> fn ${this.fn.name}: delete`, r.error);
    }
    if (failed.length === 0) return 'ok';
    await this.releaseAll(failed, new BatonError(`fn "${this.fn.name}" reported this message in batchItemFailures.`));
    return 'partial';
  }

  /**
   * The run's attempt: one more than the most any message of the batch has had (received with
   * countAttempt: false, attempts are those before this one, on every backend).
   */
  private attempt(): number {
    let most = 0;
    for (const m of this.messages) if (m.attempts > most) most = m.attempts;
    return most + 1;
  }

  /**
   * For a handler that returned: stops the heartbeat and starts the delete of every message it did
   * not report in batchItemFailures (while this batch still holds its lease); says which failed
   * ('whole': an invalid partial batch response, nothing deleted).
   */
  private deleteDone(result: unknown): Settled {
    const reported = this.trigger.reportBatchItemFailures ? batchItemFailures(result, () => messageIds(this.messages)) : { failed: new Set<string>() };
    if ('wholeBatch' in reported) return { failed: 'whole', why: reported.wholeBatch };
    const failed = reported.failed.size === 0 ? [] : this.messages.filter((m) => reported.failed.has(m.messageId));
    const done = this.messages.filter((m) => !reported.failed.has(m.messageId) && this.handles.has(m.receiptHandle));
    if (done.length === 0) return { failed };
    // Aborts the heartbeat's timer now (stop() aborts before its first await): no extension after the delete.
    void this.heartbeat?.stop();
    const deleted = this.ctx.backend.queues.deleteBatch(this.trigger.queue, done.map((m) => m.receiptHandle));
    deleted.catch(() => undefined);
    return { failed, deleted };
  }

  /**
   * Makes every message still leased visible again at once (engine stopping). Never started: in one
   * call (queues.handBack; no attempt was counted, so it has none to take back); started (aborted
   * at the stop deadline): one changeVisibility(0) per message, its attempts stay counted.
   */
  async handBack(): Promise<void> {
    await this.heartbeat?.stop();
    if (!this.started) {
      try {
        const results = await this.ctx.backend.queues.handBack(this.trigger.queue, [...this.handles]);
        for (const r of results) if (!r.ok && r.error?.name !== 'StaleReceiptError') this.ctx.report.error(`queue trigger ${this.trigger.queue}: hand back`, r.error);
      } catch (err) {
        this.ctx.report.error(`queue trigger ${this.trigger.queue}: hand back`, err);
      }
      this.handles.clear();
      return;
    }
    for (const handle of this.handles) {
      try {
        await this.ctx.backend.queues.changeVisibility(this.trigger.queue, handle, 0);
      } catch (err) {
        if (!(err instanceof StaleReceiptError)) this.ctx.report.error(`queue trigger ${this.trigger.queue}: hand back`, err);
      }
    }
    this.handles.clear();
  }

  private async releaseAll(messages: readonly ReceivedMessage[], error: Error): Promise<void> {
    for (const m of messages) {
      if (!this.handles.has(m.receiptHandle)) continue;
      try {
        await this.ctx.backend.queues.release(this.trigger.queue, m.receiptHandle, { error, delayMs: this.visibilityMs });
      } catch (err) {
        if (!(err instanceof StaleReceiptError)) this.ctx.report.error(`queue trigger ${this.trigger.queue} -> fn ${this.fn.name}: release`, err);
      }
      this.handles.delete(m.receiptHandle);
    }
  }
}

/**
 * The error a run is recorded with when its partial batch response reports failed messages (or is
 * invalid), as the stream trigger records one: the run shows `error` and names what failed, while
 * the messages it did not name are deleted as done.
 */
function partialRunError(result: unknown, messages: readonly ReceivedMessage[]): RunError | undefined {
  const reported = batchItemFailures(result, () => messageIds(messages));
  if ('wholeBatch' in reported) return { type: 'BatchItemFailures', message: `Invalid partial batch response (${reported.wholeBatch}): the whole batch of ${messages.length} messages is retried, as Lambda does.` };
  if (reported.failed.size === 0) return undefined;
  const ids = [...reported.failed];
  const shown = ids.slice(0, 20).join(', ') + (ids.length > 20 ? `, … (${ids.length - 20} more)` : '');
  return { type: 'BatchItemFailures', message: `${ids.length} of ${messages.length} messages reported in batchItemFailures (${shown}): those are retried, the other ${messages.length - ids.length} are done and deleted.` };
}

/** The batch's message ids, for batchItemFailures (which asks only when the result names some). */
function messageIds(messages: readonly ReceivedMessage[]): Set<string> {
  return new Set(messages.map((m) => m.messageId));
}
