/**
 * The firehose port: a write-ahead store for ingestion buffers. A put is acknowledged only once
 * its entry is here, so a crash loses no acknowledged record; a flush takes the oldest entries of
 * one arrival hour under an object key it records on them (a plan), puts the object, then
 * completes the plan. A flush that died is planned again with the same entries and key, so
 * redelivery overwrites the same object instead of duplicating records.
 *
 * Left out: reading entries back other than through a plan, and per-record storage (an entry
 * holds a whole batch, already framed as lines, which is what makes a durable put cheap).
 */
export interface FirehoseEntry {
  id: number;
  arrivedAt: number;
  /** Start of the arrival hour (UTC ms). */
  hour: number;
  records: number;
  /** The records as they go into the object: one line each. */
  data: Buffer;
  /** Set for records that go to the error prefix: why. */
  error?: string;
}

export interface FirehoseStats {
  records: number;
  bytes: number;
  /** Arrival time of the oldest waiting entry. */
  oldestAt?: number;
}

export interface FirehosePlan {
  key: string;
  error: boolean;
  entries: FirehoseEntry[];
}

export interface FirehoseStore {
  /** Durably appends entries (one transaction) and returns their ids. */
  append(stream: string, entries: ReadonlyArray<Omit<FirehoseEntry, 'id'>>): number[];
  stats(stream: string): FirehoseStats;
  /**
   * The unfinished plan of the stream if there is one; else a new plan of the oldest entries of
   * one hour and one kind (destination or error) up to about maxBytes, keyed by `keyOf(first)`.
   * Undefined when nothing waits.
   */
  plan(stream: string, maxBytes: number, keyOf: (first: FirehoseEntry, error: boolean) => string): FirehosePlan | undefined;
  /** Removes a delivered plan's entries. */
  complete(stream: string, key: string): void;
}
