/**
 * Bucket events -> function. Object notifications with a function target are written by the
 * object store to its outbox (target 'fn:<name>') in the same transaction as the change; this pump
 * takes them oldest first and invokes the function asynchronously (S3 invokes Lambda
 * asynchronously, so retries and onFailure apply) with the S3 event { Records: [record] }, then
 * acks each event once its async invocation is durably queued. A crash between the two queues
 * that one event again (at-least-once). When the outbox has nothing for a function, the pump
 * looks again after pollIntervalMs on the clock.
 */
import type { S3Event } from 'aws-lambda';
import { invokeAsync } from '../invoke/index.ts';
import type { TriggerContext } from './context.ts';
import { pause } from './loop.ts';

export class ObjectEventPump {
  /** Events handed to functions so far. */
  delivered = 0;
  constructor(private readonly ctx: TriggerContext) {}

  async run(): Promise<void> {
    const { clock, stopping, settings } = this.ctx;
    while (!stopping.aborted) {
      let wait = settings.pollIntervalMs;
      try {
        if (await this.pumpOnce()) wait = 0;
      } catch (err) {
        this.ctx.report.error('object events -> fn', err);
        wait = settings.errorBackoffMs;
      }
      if (wait > 0) await pause(clock, wait, stopping);
    }
  }

  /** Delivers one page of pending function events; true when there were some. */
  async pumpOnce(): Promise<boolean> {
    const { objects } = this.ctx.backend;
    const events = (await objects.pendingEvents()).filter((e) => e.target.startsWith('fn:'));
    for (const e of events) {
      if (this.ctx.stopping.aborted) break;
      const event: S3Event = { Records: [e.record] };
      await invokeAsync(this.ctx.deps, e.target.slice(3), event, { trigger: `bucket:${e.record.s3.bucket.name}` });
      await objects.ackEvents([e.id]);
      this.delivered++;
    }
    return events.length > 0;
  }
}
