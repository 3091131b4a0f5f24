/**
 * The topic port: SNS-like publish to subscribers.
 *
 * Subscribers are queues (the message is enqueued in the same transaction as the publish), file
 * outboxes (one JSON line per message appended to a file) and webhooks (HTTP POST, retried with
 * backoff). Deliveries to files and webhooks are recorded durably at publish time and delivered
 * after; `flush` waits until every pending delivery is done or has given up.
 *
 * Left out on purpose: filter policies, raw message delivery flags, email and SMS protocols.
 */
import type { TopicConfig } from '../core/resources/configs.ts';

export type { Subscriber, TopicConfig } from '../core/resources/configs.ts';

export interface PublishInput {
  message: string;
  subject?: string;
  attributes?: Record<string, string>;
}

/** What a subscriber receives: the SNS message shape. */
export interface TopicMessage {
  messageId: string;
  topic: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
  timestamp: string;
}

export interface DeliveryStatus {
  id: number;
  topic: string;
  subscriber: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
}

export interface TopicStore {
  declare(config: TopicConfig): Promise<void>;
  list(): Promise<TopicConfig[]>;
  publish(topic: string, input: PublishInput): Promise<{ messageId: string }>;
  /** Delivers pending file and webhook deliveries; resolves when none is left pending. */
  flush(): Promise<void>;
  deliveries(topic: string): Promise<DeliveryStatus[]>;
}
