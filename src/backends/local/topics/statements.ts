import { boundLimit, type Db } from '../db.ts';

/** A delivery row as the delivery loop reads it, joined with its message's notification. */
export interface DeliveryRow {
  id: number;
  message_id: string;
  topic: string;
  subscriber: string;
  target: string;
  attempts: number;
  notification: string;
}

export interface DeliveryStatusRow {
  id: number;
  topic: string;
  subscriber: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
}

/** Every statement of the topics store, prepared once per store. */
export function prepare(db: Db) {
  return {
    upsertTopic: db.prepare<[string, string, number]>(
      'INSERT INTO topics (name, config, declared_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET config = excluded.config, declared_at = excluded.declared_at',
    ),
    topicByName: db.prepare<[string], { config: string }>('SELECT config FROM topics WHERE name = ?'),
    allTopics: db.prepare<[], { config: string }>('SELECT config FROM topics ORDER BY name'),

    /** message_id, topic, notification, published_at */
    insertMessage: db.prepare<[string, string, string, number]>('INSERT INTO topic_messages (message_id, topic, notification, published_at) VALUES (?, ?, ?, ?)'),
    /** message_id, topic, subscriber, target, lease_until, created_at, updated_at */
    insertDelivery: db.prepare<[string, string, string, string, number, number, number], { id: number }>(
      'INSERT INTO topic_deliveries (message_id, topic, subscriber, target, lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    ),

    /** now, after id, limit: pending rows no live process holds, oldest first */
    claimable: db.prepare<[number, number, number], { id: number }>(
      `SELECT id FROM topic_deliveries WHERE status = 'pending' AND lease_until <= ? AND id > ? ORDER BY id ${boundLimit}`,
    ),
    /** lease_until, id, now: takes a free (or expired) pending row; changes = 1 when taken */
    claim: db.prepare<[number, number, number]>("UPDATE topic_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until <= ?"),
    delivery: db.prepare<[number], DeliveryRow>(
      `SELECT d.id, d.message_id, d.topic, d.subscriber, d.target, d.attempts, m.notification
         FROM topic_deliveries d JOIN topic_messages m ON m.message_id = d.message_id WHERE d.id = ?`,
    ),
    /** attempts, last_error, lease_until, updated_at, id: an attempt failed, another follows */
    progress: db.prepare<[number, string | null, number, number, number]>(
      "UPDATE topic_deliveries SET attempts = ?, last_error = ?, lease_until = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
    ),
    /** lease_until, id: extends the lease while an attempt runs */
    extend: db.prepare<[number, number]>("UPDATE topic_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending'"),
    /** status, attempts, last_error, updated_at, id */
    finish: db.prepare<[string, number, string | null, number, number]>(
      "UPDATE topic_deliveries SET status = ?, attempts = ?, last_error = ?, lease_until = 0, updated_at = ? WHERE id = ? AND status = 'pending'",
    ),
    /** updated_at, id: lets go of a row that stays pending (the store stopped), for the next process */
    release: db.prepare<[number, number]>("UPDATE topic_deliveries SET lease_until = 0, updated_at = ? WHERE id = ? AND status = 'pending'"),

    byTopic: db.prepare<[string], DeliveryStatusRow>('SELECT id, topic, subscriber, status, attempts, last_error FROM topic_deliveries WHERE topic = ? ORDER BY id'),

    /** cutoff: finished deliveries older than it, then messages no delivery refers to */
    pruneDeliveries: db.prepare<[number]>("DELETE FROM topic_deliveries WHERE status <> 'pending' AND updated_at < ?"),
    pruneMessages: db.prepare<[number]>(
      'DELETE FROM topic_messages WHERE published_at < ? AND NOT EXISTS (SELECT 1 FROM topic_deliveries d WHERE d.message_id = topic_messages.message_id)',
    ),
  };
}

export type Statements = ReturnType<typeof prepare>;
