/**
 * The resolved configs of resources as a backend declares them (what app() hands provision). They
 * live in core, beside the definitions that produce them, so core never imports ports; each port
 * re-exports the ones it takes.
 */

export interface BucketNotification {
  /** The rule's name, sent as `s3.configurationId` in its records; default `notification-<n>` (1-based position). */
  id?: string;
  /** 'created' matches ObjectCreated:*, 'removed' ObjectRemoved:*. */
  events: Array<'created' | 'removed'>;
  prefix?: string;
  suffix?: string;
  /** A queue receives the event as an S3 event message body ({"Records":[...]}) in the same transaction. */
  queue?: string;
  /** Any other target (a function, a topic) is left in the outbox for the runtime to deliver. */
  target?: string;
}

export interface BucketConfig {
  name: string;
  notifications: BucketNotification[];
}

export interface QueueConfig {
  name: string;
  visibilityTimeoutMs: number;
  retentionMs: number;
  delayMs: number;
  maxMessageSize: number;
  /** Where failed messages go; absent for a queue without a DLQ (and for DLQs themselves). */
  deadLetter?: { queue: string; maxReceiveCount: number };
}

export type KeyType = 'string' | 'number';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export interface TableConfig {
  name: string;
  partitionKey: { name: string; type: KeyType };
  sortKey?: { name: string; type: KeyType };
  /** Absent: the table has no stream. */
  stream?: { viewType: StreamViewType };
}

export type Subscriber =
  /**
   * `fn` is set when the queue is Baton's internal inbox of a function subscriber (topic(name, {
   * subscribers: [{ fn }] })): the message is enqueued in the publish transaction like any queue
   * subscriber's, and the runtime invokes the function from that queue. Backends need not know.
   */
  | { kind: 'queue'; queue: string; fn?: string }
  | { kind: 'file'; path: string }
  | { kind: 'webhook'; url: string; attempts?: number; backoffMs?: number; timeoutMs?: number };

export interface TopicConfig {
  name: string;
  subscribers: Subscriber[];
}

export type ParamType = 'String' | 'StringList' | 'SecureString';
