/**
 * Table stream -> function trigger (Lambda's DynamoDB event source mapping).
 *
 * One consumer per trigger, named 'fn:<function>', reads the table's stream after its committed
 * position, `batchSize` records at a time, and handles batches strictly one after another, so the
 * changes of each key reach the function in the order they were made. A batch:
 *
 *   ok                      commit its last sequence, read on
 *   error or timeout        attempts + 1; then
 *     bisectOnError, > 1    split in halves and handle the first half, then the second (each
 *                           half inherits the attempts, so retries stay bounded)
 *     attempts > maxRetryAttempts
 *                           send the on-failure record (if any) and commit past the batch
 *     otherwise             wait (streamRetryBaseMs doubling, on the clock) and retry
 *
 * With a filter, records of other kinds are skipped: committed with the batch, never handed over.
 *
 * The position is committed only after success or after the batch went to onFailure, so a crash
 * or a stop mid-batch means the batch runs again on restart (at-least-once). Stopping ends the
 * loop between batches and during a retry wait; at the deadline a running batch is aborted and
 * left uncommitted.
 */
import type { FnConfig, StreamTriggerConfig } from '../../core/resources/fn.ts';
import type { StreamRecord, StreamViewType } from '../../ports/tables.ts';
import { invokeSync, type InvokeResult } from '../invoke/index.ts';
import type { TriggerContext } from './context.ts';
import { dynamodbEvent } from './events/dynamodb.ts';
import { pause } from './loop.ts';
import { sendStreamFailure } from './stream-failure.ts';

export class StreamTrigger {
  private busy = false;

  constructor(
    private readonly ctx: TriggerContext,
    private readonly fn: FnConfig,
    private readonly trigger: StreamTriggerConfig,
    private readonly viewType: StreamViewType,
  ) {}

  get consumer(): string {
    return `fn:${this.fn.name}`;
  }

  get name(): string {
    return `stream:${this.trigger.table} -> fn:${this.fn.name}`;
  }

  get inFlight(): number {
    return this.busy ? 1 : 0;
  }

  async run(): Promise<void> {
    const { tables } = this.ctx.backend;
    while (!this.ctx.stopping.aborted) {
      let records: StreamRecord[];
      try {
        records = await tables.readStream(this.trigger.table, this.consumer, { limit: this.trigger.batchSize });
      } catch (err) {
        this.ctx.report.error(`${this.name}: read`, err);
        await pause(this.ctx.clock, this.ctx.settings.errorBackoffMs, this.ctx.stopping);
        continue;
      }
      if (records.length === 0) {
        await pause(this.ctx.clock, this.ctx.settings.pollIntervalMs, this.ctx.stopping);
        continue;
      }
      const names = this.trigger.eventNames;
      const matching = names ? records.filter((r) => names.includes(r.eventName)) : records;
      this.busy = true;
      try {
        if (matching.length > 0 && !(await this.handle(matching, 0))) return;
        if (matching.at(-1) !== records.at(-1)) await this.commit(records);
      } catch (err) {
        this.ctx.report.error(`${this.name}: batch`, err);
        await pause(this.ctx.clock, this.ctx.settings.errorBackoffMs, this.ctx.stopping);
      } finally {
        this.busy = false;
      }
    }
  }

  /** Handles records (in order) until done; false when the engine stopped first (nothing committed for the rest). */
  private async handle(records: StreamRecord[], attemptsSoFar: number): Promise<boolean> {
    let attempts = attemptsSoFar;
    const event = dynamodbEvent(records, this.viewType);
    for (;;) {
      if (this.ctx.aborting.aborted) return false;
      let inv: InvokeResult;
      try {
        inv = await invokeSync(this.ctx.deps, this.fn.name, event, {
          trigger: `stream:${this.trigger.table}`,
          attempt: attempts + 1,
          recordIds: event.Records.map((r) => r.eventID!),
          signal: this.ctx.aborting,
        });
      } catch (err) {
        if (this.ctx.aborting.aborted || this.ctx.stopping.aborted) return false;
        throw err;
      }
      if (inv.status === 'ok') return this.commit(records);
      if (this.ctx.aborting.aborted) return false;
      attempts++;
      if (this.trigger.bisectOnError && records.length > 1) {
        const mid = Math.ceil(records.length / 2);
        return (await this.handle(records.slice(0, mid), attempts)) && this.handle(records.slice(mid), attempts);
      }
      if (attempts > this.trigger.maxRetryAttempts) {
        if (this.trigger.onFailure) {
          await sendStreamFailure(this.ctx.backend, this.trigger.onFailure, { fnName: this.fn.name, table: this.trigger.table, requestId: inv.requestId, invokeCount: attempts, event, error: inv.error, now: this.ctx.clock.now() });
        }
        return this.commit(records);
      }
      const s = this.ctx.settings;
      if (!(await pause(this.ctx.clock, Math.min(s.streamRetryBaseMs * 2 ** (attempts - 1), s.streamRetryMaxMs), this.ctx.stopping))) return false;
    }
  }

  private async commit(records: StreamRecord[]): Promise<true> {
    await this.ctx.backend.tables.commitStream(this.trigger.table, this.consumer, records[records.length - 1]!.sequence);
    return true;
  }
}
