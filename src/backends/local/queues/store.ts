/**
 * The local (SQLite) queue store, with SQS semantics. One row per message in `queue_messages`
 * (see schema.ts); every operation is one statement or one transaction.
 *
 * States of a message, and what moves it (the lease is `lease_seq`/`lease_state` on the row):
 *
 *   send ──delay>0──▶ DELAYED ──delay passes──▶ VISIBLE
 *   send ──────────────────────────────────────▶ VISIBLE
 *   VISIBLE ──receive──▶ IN FLIGHT (new lease: lease_seq+1, receive count +1, attempts +1
 *                                   unless countAttempt: false; startAttempts counts it later)
 *   IN FLIGHT ──delete (current handle)──▶ GONE
 *   IN FLIGHT ──changeVisibility(ms)──▶ IN FLIGHT until now+ms (0: VISIBLE, lease kept)
 *   IN FLIGHT ──handBack──▶ VISIBLE (lease kept, the attempt this lease counted, if any, taken back)
 *   IN FLIGHT ──release──▶ DELAYED/VISIBLE (lease ended, error recorded)
 *                     └──attempts ≥ maxReceiveCount──▶ in the DLQ (same transaction)
 *   IN FLIGHT ──visibility timeout passes──▶ VISIBLE (the old handle still works until the
 *                                   next receive; the next receive first moves it to the DLQ
 *                                   if attempts ≥ maxReceiveCount)
 *   any ──retention passes──▶ GONE (deleted when receive meets it, or by stats)
 *   in a DLQ ──redrive──▶ VISIBLE in its source queue (attempts and receive count reset)
 *   any ──purge──▶ GONE
 *
 * Fencing: a receipt handle is `<row id>.<lease_seq>`. Delete, changeVisibility, release and
 * startAttempts run one statement conditioned on id, queue and lease_seq (and an open lease), so a
 * handle older than the latest receive, or whose lease was released, changes nothing and gets a
 * StaleReceiptError that says why (deleted, dead-lettered, received again, released).
 *
 * Long poll: receive with waitMs re-checks on every `queue:<name>` signal (emitted after commits
 * that make messages visible: send, sendBatch, changeVisibility(0), release, redrive, and a DLQ
 * move for the DLQ) and every defaults.queue.pollIntervalMs on the context's clock.
 */
import type {
  BatchResultEntry,
  QueueConfig,
  PeekOptions,
  PeekPage,
  QueueStats,
  QueueStore,
  ReceivedMessage,
  ReceiveOptions,
  RedriveOptions,
  RedriveResult,
  SendInput,
  SendResult,
} from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import { makeStartAttempts } from './attempts.ts';
import { declare } from './declare.ts';
import { deleteOne, makeDeleteBatch } from './delete.ts';
import { makeHandBack } from './hand-back.ts';
import { peek } from './peek.ts';
import { makeReceive } from './receive.ts';
import { makeRedrive } from './redrive.ts';
import { makeRelease } from './release.ts';
import { makeSendBatch, send } from './send.ts';
import { queueState, type QueueState } from './state.ts';
import { makeStats, purge } from './stats.ts';
import { changeVisibility } from './visibility.ts';

/** The operations that keep a prepared transaction, made once per store. */
function makeOps(state: QueueState) {
  return {
    sendBatch: makeSendBatch(state),
    receive: makeReceive(state),
    startAttempts: makeStartAttempts(state),
    deleteBatch: makeDeleteBatch(state),
    handBack: makeHandBack(state),
    release: makeRelease(state),
    redrive: makeRedrive(state),
    stats: makeStats(state),
  };
}

export class LocalQueueStore implements QueueStore {
  private readonly state: QueueState;
  private readonly ops: ReturnType<typeof makeOps>;

  constructor(ctx: LocalContext) {
    this.state = queueState(ctx);
    this.ops = makeOps(this.state);
  }

  async declare(config: QueueConfig): Promise<void> {
    declare(this.state, config);
  }

  async list(): Promise<QueueConfig[]> {
    return this.state.all().map((entry) => structuredClone(entry.config));
  }

  async send(queue: string, input: SendInput): Promise<SendResult> {
    return send(this.state, queue, input);
  }

  async sendBatch(queue: string, inputs: SendInput[]): Promise<Array<BatchResultEntry<SendResult>>> {
    return this.ops.sendBatch(queue, inputs);
  }

  receive(queue: string, options?: ReceiveOptions): Promise<ReceivedMessage[]> {
    return this.ops.receive(queue, options);
  }

  async startAttempts(queue: string, receiptHandles: string[]): Promise<void> {
    this.ops.startAttempts(queue, receiptHandles);
  }

  async delete(queue: string, receiptHandle: string): Promise<void> {
    deleteOne(this.state, queue, receiptHandle);
  }

  async deleteBatch(queue: string, receiptHandles: string[]): Promise<Array<BatchResultEntry<void>>> {
    return this.ops.deleteBatch(queue, receiptHandles);
  }

  async handBack(queue: string, receiptHandles: string[]): Promise<Array<BatchResultEntry<void>>> {
    return this.ops.handBack(queue, receiptHandles);
  }

  async changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutMs: number): Promise<void> {
    changeVisibility(this.state, queue, receiptHandle, visibilityTimeoutMs);
  }

  async release(queue: string, receiptHandle: string, options?: { error?: unknown; delayMs?: number }): Promise<{ deadLettered: boolean }> {
    return this.ops.release(queue, receiptHandle, options);
  }

  async redrive(deadLetterQueue: string, options?: RedriveOptions): Promise<RedriveResult> {
    return this.ops.redrive(deadLetterQueue, options);
  }

  async stats(queue: string): Promise<QueueStats> {
    return this.ops.stats(queue);
  }

  async peek(queue: string, options?: PeekOptions): Promise<PeekPage> {
    return peek(this.state, queue, options);
  }

  async purge(queue: string): Promise<number> {
    return purge(this.state, queue);
  }
}
