/**
 * Bucket events -> function. Object notifications with a function target are written by the
 * object store to its outbox (target 'fn:<name>') in the same transaction as the change; this pump
 * takes them oldest first and invokes the function asynchronously (S3 invokes Lambda
 * asynchronously, so retries and onFailure apply) with the S3 event { Records: [record] }, then
 * acks each event once its async invocation is durably queued. A crash between the two queues
 * that one event again (at-least-once). When the outbox has nothing for a function, the pump
 * looks again after pollIntervalMs on the clock.
 *
 * One pump per state across engines: it reads and acks only while it holds the lease
 * '/baton/leases/object-events' (lease/lease.ts), confirmed before each event is handed on, so two
 * engines on one state never both invoke the same pending event (local's outbox is a plain read,
 * with no claim of its own). The work the events cause still splits: the async invocations are
 * queued, and every engine's async drain takes them with fenced receipts. On aws the events come
 * from an SQS queue whose visibility already hides a received event; the lease changes nothing
 * there but the number of receivers. Stopping releases the lease.
 */
import type { S3Event } from 'aws-lambda';
import { invokeAsync } from '../invoke/index.ts';
import { LeaseKeeper } from '../lease/keeper.ts';
import { Lease, leasePath } from '../lease/lease.ts';
import type { TriggerContext } from './context.ts';
import { pause } from './loop.ts';

export class ObjectEventPump {
  /** Events handed to functions so far. */
  delivered = 0;
  private readonly lease: Lease;
  constructor(private readonly ctx: TriggerContext) {
    this.lease = new Lease(ctx.backend.tables, ctx.clock, leasePath('object-events'), ctx.settings.leaseMs, 'the pump of bucket events to functions');
  }

  async run(): Promise<void> {
    const { clock, stopping, settings } = this.ctx;
    const keeper = new LeaseKeeper(this.ctx, this.lease);
    try {
      while (!stopping.aborted) {
        if (!(await keeper.ensure())) continue;
        let wait = settings.pollIntervalMs;
        try {
          if (await this.pumpOnce()) wait = 0;
        } catch (err) {
          this.ctx.report.error('object events -> fn', err);
          wait = settings.errorBackoffMs;
        }
        if (wait > 0) await pause(clock, wait, stopping);
      }
    } finally {
      await keeper.close();
    }
  }

  /** Delivers one page of pending function events while the lease holds; true when there were some. */
  async pumpOnce(): Promise<boolean> {
    const { objects } = this.ctx.backend;
    if (!(await this.lease.confirm()) && !(await this.lease.acquire())) return false;
    const events = (await objects.pendingEvents()).filter((e) => e.target.startsWith('fn:'));
    for (const e of events) {
      if (this.ctx.stopping.aborted) break;
      if (!(await this.lease.confirm())) break;
      const event: S3Event = { Records: [e.record] };
      await invokeAsync(this.ctx.deps, e.target.slice(3), event, { trigger: `bucket:${e.record.s3.bucket.name}` });
      await objects.ackEvents([e.id]);
      this.delivered++;
    }
    return events.length > 0;
  }
}
