/**
 * The file and webhook deliveries this process has handled, for `deliveries(topic)`: SNS and SQS
 * keep no per-delivery history, so a delivered or failed status lives in this process's memory
 * only (it does not survive a restart, and another process's deliveries are not seen). Messages
 * still in an inbox are reported as pending by the store from the inbox's depth.
 *
 * Bounded: past `keep` finished records per topic the oldest are dropped.
 */
import type { DeliveryStatus } from '../../../ports/topics.ts';

const keep = 10_000;

export class DeliveryLog {
  private nextId = 1;
  private readonly byTopic = new Map<string, DeliveryStatus[]>();

  /** A pending record for a message this process has taken from an inbox. */
  start(topic: string, subscriber: string): DeliveryStatus {
    const record: DeliveryStatus = { id: this.nextId++, topic, subscriber, status: 'pending', attempts: 0 };
    let list = this.byTopic.get(topic);
    if (!list) this.byTopic.set(topic, (list = []));
    list.push(record);
    this.prune(list);
    return record;
  }

  finish(record: DeliveryStatus, status: 'delivered' | 'failed', lastError?: string): void {
    record.status = status;
    if (lastError !== undefined) record.lastError = lastError;
    else delete record.lastError;
  }

  /** Forgets a record whose message went back to its inbox (the store closing mid-delivery). */
  drop(record: DeliveryStatus): void {
    const list = this.byTopic.get(record.topic);
    const i = list?.indexOf(record) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }

  /** Copies of the records of a topic, oldest first. */
  list(topic: string): DeliveryStatus[] {
    return (this.byTopic.get(topic) ?? []).map((r) => ({ ...r }));
  }

  /** An id no record has, for a pending delivery not yet taken from its inbox. */
  peekIds(count: number): number[] {
    return Array.from({ length: count }, (_, i) => this.nextId + i);
  }

  private prune(list: DeliveryStatus[]): void {
    if (list.length <= keep) return;
    const i = list.findIndex((r) => r.status !== 'pending');
    if (i >= 0) list.splice(i, 1);
  }
}
