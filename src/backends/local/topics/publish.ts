import { TooLargeError } from '../../../core/errors.ts';
import type { TopicConfig, TopicMessage } from '../../../ports/topics.ts';
import type { LocalContext } from '../context.ts';
import { enqueueWithin } from '../queues/enqueue.ts';
import { subscriberId } from '../../shared/topics/config.ts';
import { leaseFor } from '../../shared/topics/lease.ts';
import { toNotification } from './notification.ts';
import type { Statements } from './statements.ts';

export interface Published {
  messageId: string;
  /** Queues that got the message (to signal after commit). */
  queues: string[];
  /** Delivery rows written for file and webhook subscribers, already leased to this process. */
  deliveryIds: number[];
}

/**
 * Makes the publish transaction: the message goes to every queue subscriber (enqueueWithin) and a
 * pending delivery row is written for every file and webhook subscriber, all or nothing.
 */
export function makePublish(ctx: LocalContext, stmts: Statements) {
  return ctx.db.transaction((config: TopicConfig, message: TopicMessage, now: number): Published => {
    const notification = toNotification(message);
    const queues: string[] = [];
    const deliveryIds: number[] = [];
    for (const s of config.subscribers) {
      if (s.kind === 'queue') {
        try {
          enqueueWithin(ctx, s.queue, { body: notification });
        } catch (err) {
          if (err instanceof TooLargeError) {
            throw new TooLargeError(`Topic '${config.name}': the notification for queue '${s.queue}' (the message in its SNS envelope) is too large: ${err.message}`, { cause: err });
          }
          throw err;
        }
        queues.push(s.queue);
        continue;
      }
      if (deliveryIds.length === 0) stmts.insertMessage.run(message.messageId, config.name, notification, now);
      const row = stmts.insertDelivery.get(message.messageId, config.name, subscriberId(s), JSON.stringify(s), now + leaseFor(s), now, now);
      deliveryIds.push(row!.id);
    }
    return { messageId: message.messageId, queues, deliveryIds };
  });
}
