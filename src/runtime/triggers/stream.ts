/**
 * Table stream -> function trigger (Lambda's DynamoDB event source mapping).
 *
 * One consumer per trigger, named 'fn:<function>', reads the table's stream after its committed
 * position until it has `batchSize` x `parallelizationFactor` records of the kinds it wants (or
 * the stream has no more), splits them into lanes by partition key and handles the lanes at once,
 * each in batches of `batchSize` strictly one after another, so the changes of each partition key
 * reach the function in the order they were made. A batch:
 *
 *   ok                      done
 *   ok with batchItemFailures (reportBatchItemFailures on; stream-partial.ts)
 *                           attempts + 1; the records before the lowest failed sequence number
 *                           are done (checkpointed), that record and the ones after it are the
 *                           batch from now on: retried, or sent on-failure, as below (no bisect:
 *                           the batch is already split at the failed record, as Lambda splits it)
 *   error or timeout        attempts + 1; then
 *     bisectOnError, > 1    split in halves and handle the first half, then the second (each
 *                           half inherits the attempts, so retries stay bounded)
 *     attempts > maxRetryAttempts
 *                           send the on-failure record (if any); done
 *     otherwise             wait (streamRetryBaseMs doubling, on the clock) and retry
 *
 * With reportBatchItemFailures off, a returned `batchItemFailures` is ignored (the batch is ok), as
 * Lambda ignores it when the mapping does not report batch item failures.
 *
 * With a filter, records of other kinds are skipped (by the store: readStream's eventNames): never
 * handed over, committed with the rest.
 *
 * The position is committed once every lane is done, and before each retry wait up to the first
 * record not done yet (stream-checkpoint.ts), so a crash or a stop mid-way means those
 * records run again on restart (at-least-once). Stopping ends the loop between reads and during a
 * retry wait; at the deadline a running batch is aborted and left uncommitted.
 *
 * One reader per (table, consumer) across engines, as Lambda has one per shard: the trigger reads
 * only while it holds the lease '/baton/leases/streams/<table>/<consumer>' (lease/lease.ts), and
 * every commit is fenced on it (confirmed first; refused with LeaseLostError once another engine
 * took it over, so a stale reader never moves the position). Two engines on one state split the
 * app's streams between them instead of each handling every record; when the holder dies, another
 * engine takes the stream over after the lease's ttl. Stopping releases the lease.
 */
import { defaults } from '../../core/defaults.ts';
import type { FnConfig, StreamTriggerConfig } from '../../core/resources/fn.ts';
import type { StreamRecord, StreamViewType } from '../../ports/tables.ts';
import { invokeSync, type InvokeResult } from '../invoke/index.ts';
import { leasePath } from '../lease/lease.ts';
import { LeaseKeeper, LeaseLostError } from '../lease/keeper.ts';
import type { TriggerContext } from './context.ts';
import { dynamodbEvent } from './events/dynamodb.ts';
import { pause } from './loop.ts';
import { StreamCheckpoint } from './stream-checkpoint.ts';
import { sendStreamFailure } from './stream-failure.ts';
import { streamResponse, streamResponseError, type StreamResponse } from './stream-partial.ts';

export class StreamTrigger {
  private running = 0;

  constructor(
    private readonly ctx: TriggerContext,
    private readonly fn: FnConfig,
    private readonly trigger: StreamTriggerConfig,
    private readonly viewType: StreamViewType,
    private readonly partitionKey: string,
  ) {}

  get consumer(): string {
    return `fn:${this.fn.name}`;
  }

  get name(): string {
    return `stream:${this.trigger.table} -> fn:${this.fn.name}`;
  }

  get inFlight(): number {
    return this.running;
  }

  async run(): Promise<void> {
    const keeper = LeaseKeeper.of(this.ctx, leasePath('streams', this.trigger.table, this.consumer), `the reader of table "${this.trigger.table}"'s stream for ${this.consumer}`);
    try {
      await this.loop(keeper);
    } finally {
      await keeper.close();
    }
  }

  private async loop(keeper: LeaseKeeper): Promise<void> {
    const commit = async (sequence: number) => {
      if (!(await keeper.lease.confirm())) throw new LeaseLostError(keeper.lease.name);
      await this.ctx.backend.tables.commitStream(this.trigger.table, this.consumer, sequence);
    };
    while (!this.ctx.stopping.aborted) {
      if (!(await keeper.ensure())) continue;
      let read: { records: StreamRecord[]; last: number | undefined };
      try {
        read = await this.read();
      } catch (err) {
        this.ctx.report.error(`${this.name}: read`, err);
        await pause(this.ctx.clock, this.ctx.settings.errorBackoffMs, this.ctx.stopping);
        continue;
      }
      if (read.last === undefined) {
        await pause(this.ctx.clock, this.ctx.settings.pollIntervalMs, this.ctx.stopping);
        continue;
      }
      try {
        const lanes = splitLanes(read.records, this.trigger.parallelizationFactor, this.partitionKey);
        const checkpoint = new StreamCheckpoint(read.records, lanes, commit);
        // Every lane ends before the next read, even when one throws: a lane still running must not
        // meet the same records handed out again.
        const ended = await Promise.allSettled(lanes.map((lane, i) => this.handleLane(lane, { done: (r) => checkpoint.done(i, r), save: () => checkpoint.save() })));
        const failed = ended.find((e) => e.status === 'rejected');
        if (failed) throw failed.reason;
        if (!ended.every((e) => e.status === 'fulfilled' && e.value)) return;
        await commit(read.last);
      } catch (err) {
        this.ctx.report.error(`${this.name}: batch`, err);
        await pause(this.ctx.clock, this.ctx.settings.errorBackoffMs, this.ctx.stopping);
      }
    }
  }

  /**
   * Reads after the committed position until it has enough records of the wanted kinds, the
   * stream has no more, or it has read as many as the largest batch holds (records the filter
   * skips count too, so a long run of them is committed in steps). A read returns at most
   * `maxStreamReadLimit` records, as GetRecords does. With a filter, the store skips the other
   * kinds itself (readStream's eventNames: their images are never loaded) and says how far it
   * read; `last` is the last record read, matching or not, which the trigger commits.
   */
  private async read(): Promise<{ records: StreamRecord[]; last: number | undefined }> {
    const names = this.trigger.eventNames;
    const want = this.trigger.batchSize * this.trigger.parallelizationFactor;
    const most = Math.max(want, defaults.fn.maxStreamBatchSize);
    const records: StreamRecord[] = [];
    let last: number | undefined;
    let read = 0;
    for (;;) {
      const limit = Math.min(want - records.length, defaults.tables.maxStreamReadLimit);
      const page = await this.ctx.backend.tables.readStream(this.trigger.table, this.consumer, { limit, ...(last !== undefined ? { after: last } : {}), ...(names ? { eventNames: names } : {}) });
      for (const r of page) records.push(r);
      const went = page.length + (page.skipped ?? 0);
      read += went;
      last = (names ? page.last : page.at(-1)?.sequence) ?? last;
      if (went < limit || records.length >= want || read >= most) return { records, last };
    }
  }

  /** One lane's records in batches, one after another; false when the engine stopped first. */
  private async handleLane(lane: StreamRecord[], progress: LaneProgress): Promise<boolean> {
    this.running++;
    try {
      for (let i = 0; i < lane.length; i += this.trigger.batchSize) {
        const batch = lane.slice(i, i + this.trigger.batchSize);
        if (!(await this.handle(batch, 0, progress))) return false;
        progress.done(batch[batch.length - 1]!);
      }
      return true;
    } finally {
      this.running--;
    }
  }

  /** Handles records (in order) until done; false when the engine stopped first. It commits only before a retry wait (progress.save); run() commits the rest. */
  private async handle(batch: StreamRecord[], attemptsSoFar: number, progress: LaneProgress): Promise<boolean> {
    let attempts = attemptsSoFar;
    let records = batch;
    let event = dynamodbEvent(records, this.viewType);
    for (;;) {
      if (this.ctx.aborting.aborted) return false;
      let inv: InvokeResult;
      let response = { kind: 'ok' } as StreamResponse;
      try {
        const handed = records;
        inv = await invokeSync(this.ctx.deps, this.fn.name, event, {
          trigger: `stream:${this.trigger.table}`,
          attempt: attempts + 1,
          recordIds: event.Records.map((r) => r.eventID!),
          signal: this.ctx.aborting,
          ...(this.trigger.reportBatchItemFailures
            ? {
                resultError: (result: unknown) => {
                  response = streamResponse(result, handed);
                  return streamResponseError(response, handed);
                },
              }
            : {}),
        });
      } catch (err) {
        if (this.ctx.aborting.aborted || this.ctx.stopping.aborted) return false;
        throw err;
      }
      if (inv.status === 'ok' && response.kind === 'ok') return true;
      if (inv.status !== 'ok' && this.ctx.aborting.aborted) return false;
      attempts++;
      if (response.kind === 'partial') {
        // As Lambda: checkpoint before the lowest failed record; it and the ones after it are the batch now.
        if (response.from > 0) {
          progress.done(records[response.from - 1]!);
          records = records.slice(response.from);
          event = dynamodbEvent(records, this.viewType);
        }
      } else if (this.trigger.bisectOnError && records.length > 1) {
        const mid = Math.ceil(records.length / 2);
        if (!(await this.handle(records.slice(0, mid), attempts, progress))) return false;
        progress.done(records[mid - 1]!);
        return this.handle(records.slice(mid), attempts, progress);
      }
      if (attempts > this.trigger.maxRetryAttempts) {
        if (this.trigger.onFailure) {
          const failure = inv.status === 'ok' ? { response: inv.result } : { error: inv.error };
          await sendStreamFailure(this.ctx.backend, this.trigger.onFailure, { fnName: this.fn.name, table: this.trigger.table, requestId: inv.requestId, invokeCount: attempts, event, ...failure, now: this.ctx.clock.now() });
        }
        return true;
      }
      await progress.save();
      const s = this.ctx.settings;
      if (!(await pause(this.ctx.clock, Math.min(s.streamRetryBaseMs * 2 ** (attempts - 1), s.streamRetryMaxMs), this.ctx.stopping))) return false;
    }
  }

}

/** What a lane tells the read's checkpoint: records done, and when to commit what is done. */
interface LaneProgress {
  done(record: StreamRecord): void;
  save(): Promise<void>;
}

/**
 * The records in up to `factor` lanes by partition key, each lane in stream order. A key's lane is
 * a hash of its value, so the same key always takes the same lane.
 */
export function splitLanes(records: StreamRecord[], factor: number, partitionKey: string): StreamRecord[][] {
  if (records.length === 0) return [];
  if (factor === 1) return [records];
  const lanes: StreamRecord[][] = Array.from({ length: factor }, () => []);
  for (const r of records) lanes[laneOf(String(r.keys[partitionKey]), factor)]!.push(r);
  return lanes.filter((lane) => lane.length > 0);
}

/** FNV-1a over the UTF-16 units: cheap, and spreads sequential ids evenly. */
function laneOf(key: string, factor: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % factor;
}
