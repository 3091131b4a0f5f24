/**
 * The map dispatcher: `concurrency` lanes pull batches of `batchSize` items and invoke the
 * function, until the ledger has no pending item and nothing is in flight.
 *
 * Item states (ports/jobs.ts MapLedger) as the dispatcher moves them:
 *   pending   -> running     taken from the ledger `readBatch` at a time into an in-memory buffer
 *                            (one transaction marks them running)
 *   running   -> succeeded   the invocation returned (per item in a batch: an array of results, or
 *                            every item but those in `batchItemFailures`)
 *   running   -> running     the attempt failed and retries remain: the item goes back into the
 *                            buffer at once with attempts + 1 (only the final outcome is written)
 *   running   -> failed      the last attempt failed; past the tolerated count the dispatcher stops
 *                            taking items (status 'budget'); batches in flight finish
 * Completions are written to the ledger in one transaction per event-loop turn, or per `readBatch`
 * completions if sooner (group commit), so 10,000 items cost tens of transactions, not 10,000. A coordinator killed between an
 * item's end and that write runs the item again on restart: a succeeded item is one whose success
 * reached the ledger, and it never runs again.
 * A map cancelled in the ledger (`baton jobs cancel <id>`) is seen at the next refill or ledger write.
 */
import { serializeError, type SerializedError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Executor, Invocation } from '../../ports/executor.ts';
import type { MapCompletion, MapCounts, MapItem, MapLedger } from '../../ports/jobs.ts';
import { invokeSync } from '../invoke/sync.ts';
import type { ResolvedMapOptions } from './options.ts';

export type StopReason = 'budget' | 'cancelled' | 'aborted' | 'error';

export interface DispatchDeps {
  backend: Backend;
  executor: Executor;
  ledger: MapLedger;
  fn: FnConfig;
  mapId: string;
  readBatch: number;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: SerializedError };

export class Dispatcher {
  stopped: StopReason | undefined;
  writeError: unknown;
  private buffer: MapItem[] = [];
  private exhausted = false;
  private refilling: Promise<void> | undefined;
  private inflight = 0;
  private waiters: Array<() => void> = [];
  private writes: MapCompletion[] = [];
  private writing: Promise<void> = Promise.resolve();
  private writeScheduled = false;

  constructor(
    private readonly d: DispatchDeps,
    private readonly o: ResolvedMapOptions,
    readonly counts: MapCounts,
    private readonly tolerated: number,
    private readonly onWrite: (counts: MapCounts) => void,
  ) {}

  async run(signal?: AbortSignal): Promise<void> {
    await Promise.all(Array.from({ length: this.o.concurrency }, () => this.lane(signal)));
    await this.writing;
    await this.write();
  }

  private async lane(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) this.stopped ??= 'aborted';
      if (this.stopped) return;
      const batch = await this.nextBatch();
      if (!batch) return;
      if (batch.length) await this.dispatch(batch);
    }
  }

  /** The next batch; [] after waiting for an in-flight batch (it may retry items); undefined when all is done. */
  private async nextBatch(): Promise<MapItem[] | undefined> {
    for (;;) {
      if (this.stopped) return undefined;
      if (this.buffer.length) return this.buffer.splice(0, this.o.batchSize);
      if (!this.exhausted) {
        await (this.refilling ??= this.refill().finally(() => (this.refilling = undefined)));
        continue;
      }
      if (this.inflight === 0) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      return [];
    }
  }

  private async refill(): Promise<void> {
    const map = await this.d.ledger.get(this.d.mapId);
    if (map?.status === 'cancelled') {
      this.stopped = 'cancelled';
      return;
    }
    const taken = await this.d.ledger.take(this.d.mapId, this.d.readBatch);
    if (taken.length < this.d.readBatch) this.exhausted = true;
    // Live counts show as running only what is in flight; taken items wait in the buffer as pending.
    this.buffer.push(...taken);
  }

  private async dispatch(batch: MapItem[]): Promise<void> {
    this.inflight++;
    this.counts.pending -= batch.length;
    this.counts.running += batch.length;
    let outcomes: Outcome[];
    try {
      outcomes = interpret(await this.invoke(batch), batch.map((b) => b.index), this.o.batchSize === 1);
    } catch (err) {
      const error = serializeError(err);
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    const done: MapCompletion[] = [];
    batch.forEach((item, i) => {
      const out = outcomes[i] ?? { ok: false, error: { name: 'Error', code: 'ERROR', message: 'no outcome for this item' } };
      const attempts = item.attempts + 1;
      if (out.ok) {
        done.push({ index: item.index, status: 'succeeded', attempts, resultJson: JSON.stringify(out.result ?? null) });
        this.counts.running--;
        this.counts.succeeded++;
      } else if (attempts <= this.o.retries && out.error.code !== 'NON_RETRIABLE') {
        this.buffer.push({ ...item, attempts });
        this.counts.running--;
        this.counts.pending++;
      } else {
        done.push({ index: item.index, status: 'failed', attempts, error: out.error });
        this.counts.running--;
        this.counts.failed++;
        if (this.counts.failed > this.tolerated) this.stopped ??= 'budget';
      }
    });
    this.inflight--;
    for (const w of this.waiters.splice(0)) w();
    this.enqueueWrite(done);
  }

  private invoke(batch: MapItem[]): Promise<Invocation> {
    const { fn, mapId } = this.d;
    const event = this.o.batchSize === 1 ? batch[0]!.item : { mapId, items: batch.map((b) => ({ index: b.index, item: b.item })) };
    if (!this.o.recordRuns) return this.d.executor.invoke(fn, event);
    return invokeSync({ backend: this.d.backend, executor: this.d.executor, fns: [fn] }, fn.name, event, { trigger: `map:${mapId}`, recordIds: batch.map((b) => String(b.index)) });
  }

  /** Group commit: every completion of this event-loop turn goes in one ledger transaction. */
  private enqueueWrite(done: MapCompletion[]): void {
    this.writes.push(...done);
    // An executor that answers in microtasks never yields to setImmediate: write every readBatch too.
    if (this.writes.length >= this.d.readBatch) {
      this.writing = this.writing.then(() => this.write());
      return;
    }
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      this.writing = this.writing.then(() => this.write());
    });
  }

  private async write(): Promise<void> {
    const batch = this.writes.splice(0);
    if (!batch.length) return;
    try {
      await this.d.ledger.complete(this.d.mapId, batch);
      // A cancel from another process (`baton jobs cancel`) is seen at the next write.
      if ((await this.d.ledger.get(this.d.mapId))?.status === 'cancelled') this.stopped ??= 'cancelled';
    } catch (err) {
      this.writeError ??= err;
      this.stopped ??= 'error';
    }
    this.onWrite(this.counts);
  }
}

const itemFailure: SerializedError = { name: 'BatchItemFailure', code: 'BATCH_ITEM_FAILURE', message: 'the handler listed this item in batchItemFailures' };

/** Per-item outcomes of one invocation. */
function interpret(inv: Invocation, indexes: number[], single: boolean): Outcome[] {
  const n = indexes.length;
  if (inv.status !== 'ok') {
    const e = inv.error;
    const error: SerializedError = e ? { name: e.errorType, code: e.code, message: e.errorMessage, ...(e.stack ? { stack: e.stack } : {}) } : { name: inv.status, code: 'ERROR', message: `the invocation ended with ${inv.status}` };
    return Array.from({ length: n }, () => ({ ok: false, error }));
  }
  const r = inv.result;
  if (single) return [{ ok: true, result: r }];
  if (Array.isArray(r) && r.length === n) return r.map((result: unknown) => ({ ok: true, result }));
  const failures = (r as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null)?.batchItemFailures;
  // itemIdentifier is the item's index in the map, as sent in the event.
  if (Array.isArray(failures)) {
    const failed = new Set(failures.map((f) => String(f.itemIdentifier)));
    return Array.from({ length: n }, (_, i) => (failed.has(String(indexes[i])) ? { ok: false, error: itemFailure } : { ok: true, result: null }));
  }
  return Array.from({ length: n }, () => ({ ok: true, result: null }));
}
