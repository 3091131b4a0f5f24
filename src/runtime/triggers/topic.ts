/**
 * Topic -> function. A function subscriber of a topic has an internal queue ('baton-sns-<topic>-<fn>',
 * see topicFnQueue) that the topic store fills in the publish transaction, like any queue
 * subscriber. This loop long-polls that queue and invokes the function asynchronously (SNS invokes
 * Lambda asynchronously, so retries and onFailure apply) with the SNS event built from the
 * notification, deleting each message once its invocation is durably queued. If queuing fails,
 * the message is released with the error and comes back after a backoff.
 */
import type { ReceivedMessage } from '../../ports/queues.ts';
import { invokeAsync } from '../invoke/index.ts';
import type { TriggerContext } from './context.ts';
import { snsEvent } from './events/sns.ts';
import { pause } from './loop.ts';

export class TopicFnPump {
  delivered = 0;
  constructor(
    private readonly ctx: TriggerContext,
    private readonly topic: string,
    private readonly fn: string,
    private readonly queue: string,
  ) {}

  get name(): string {
    return `topic:${this.topic} -> fn:${this.fn}`;
  }

  async run(): Promise<void> {
    const { backend, clock, stopping, settings } = this.ctx;
    while (!stopping.aborted) {
      let messages: ReceivedMessage[];
      try {
        messages = await backend.queues.receive(this.queue, { maxMessages: 10, waitMs: settings.queueWaitMs, signal: stopping });
      } catch (err) {
        if (stopping.aborted) return;
        this.ctx.report.error(`${this.name}: receive`, err);
        await pause(clock, settings.errorBackoffMs, stopping);
        continue;
      }
      for (const m of messages) {
        try {
          await invokeAsync(this.ctx.deps, this.fn, snsEvent(m.body, `${this.fn}-subscription`), { trigger: `topic:${this.topic}` });
          await backend.queues.delete(this.queue, m.receiptHandle);
          this.delivered++;
        } catch (err) {
          this.ctx.report.error(`${this.name}: deliver`, err);
          await backend.queues.release(this.queue, m.receiptHandle, { error: err, delayMs: settings.errorBackoffMs }).catch(() => undefined);
        }
      }
    }
  }
}
