/**
 * The table port: DynamoDB semantics on plain JSON items (as the DocumentClient sees them).
 *
 * Every change appends a stream record (INSERT, MODIFY, REMOVE with keys and images) in the same
 * transaction as the change, with a sequence number that orders all records of a table; named
 * consumers read after their own durable position, so a consumer that restarts goes on where it
 * committed, and records of one key are always seen in order.
 *
 * Left out on purpose: secondary indexes, scans with filter expressions, transactions across items
 * and the expression language: conditions and updates are given as structured objects.
 */
import type { SerializedError } from '../core/errors.ts';
import type { StreamViewType, TableConfig } from '../core/resources/configs.ts';

export type { KeyType, StreamViewType, TableConfig } from '../core/resources/configs.ts';

export type Item = Record<string, unknown>;
export type Key = Record<string, string | number>;

/** A condition on the current item: every listed check must hold. */
export interface Condition {
  /** true: the item must not exist; false: it must exist. */
  notExists?: boolean;
  exists?: boolean;
  /** Attributes that must equal these values (undefined: must be absent). */
  equals?: Record<string, unknown>;
}

export interface UpdateInput {
  set?: Record<string, unknown>;
  /** Adds numbers to numeric attributes (missing counts as 0). */
  add?: Record<string, number>;
  remove?: string[];
  condition?: Condition;
}

export type SortCondition =
  | { eq: string | number }
  | { lt: string | number }
  | { lte: string | number }
  | { gt: string | number }
  | { gte: string | number }
  | { between: [string | number, string | number] }
  | { beginsWith: string };

export interface QueryInput {
  partition: string | number;
  sort?: SortCondition;
  limit?: number;
  /** false: descending by sort key. */
  ascending?: boolean;
  exclusiveStartKey?: Key;
}

/** A page of every item of a table (DynamoDB's Scan, without filters). */
export interface ScanInput {
  /** At most this many items (capped like a query's). */
  limit?: number;
  /** The `lastEvaluatedKey` of the previous page. */
  exclusiveStartKey?: Key;
}

export interface QueryResult {
  items: Item[];
  lastEvaluatedKey?: Key;
}

/**
 * One request of a batch write. Besides DynamoDB's put and delete, a batch takes updates (on AWS
 * these become UpdateItem calls); a batch of updates commits at once instead of one by one.
 */
export type WriteRequest = { put: Item; condition?: Condition } | { delete: Key; condition?: Condition } | ({ update: Key } & UpdateInput);

/**
 * Where a backend may keep a stream record's keys and images as the JSON text it stored them in
 * (a symbol, so it is never enumerated or serialized): a trigger can then hand them on without
 * parsing and re-encoding them.
 */
export const storedJson = Symbol.for('baton.stream.storedJson');

export interface StoredJson {
  keys: string;
  newImage?: string;
  oldImage?: string;
}

export interface StreamRecord {
  /** Orders all records of one table. */
  sequence: number;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  table: string;
  keys: Key;
  oldImage?: Item;
  newImage?: Item;
  createdAt: number;
  [storedJson]?: StoredJson;
}

export type StreamEventName = StreamRecord['eventName'];

export interface StreamReadOptions {
  limit?: number;
  after?: number;
  /** Only records of these kinds (at least one) are returned. */
  eventNames?: readonly StreamEventName[];
}

/** What readStream returns: the records, and with `eventNames` how far it read. */
export interface StreamRecords extends Array<StreamRecord> {
  /**
   * Set when `eventNames` was given and the read went through at least one record: the sequence of
   * the last one, returned or skipped (a non-enumerable property of the array).
   */
  last?: number;
  /** With `eventNames`: how many records the read went past without returning them (non-enumerable). */
  skipped?: number;
}

export interface TableStore {
  declare(config: TableConfig): Promise<void>;
  list(): Promise<TableConfig[]>;
  put(table: string, item: Item, options?: { condition?: Condition }): Promise<{ old?: Item }>;
  get(table: string, key: Key): Promise<Item | undefined>;
  update(table: string, key: Key, input: UpdateInput): Promise<Item>;
  delete(table: string, key: Key, options?: { condition?: Condition }): Promise<{ old?: Item }>;
  query(table: string, input: QueryInput): Promise<QueryResult>;
  /**
   * Every item of the table a page at a time (`baton tables scan`): local in key order, aws in
   * DynamoDB's. `lastEvaluatedKey` is given only when more items may follow, as for query.
   */
  scan(table: string, input?: ScanInput): Promise<QueryResult>;
  /** Each request stands alone: one failing (bad input, failed condition) does not fail the others. */
  batchWrite(table: string, requests: WriteRequest[]): Promise<Array<{ index: number; ok: boolean; error?: SerializedError }>>;
  /**
   * Records after the consumer's committed position, oldest first; with `after`, records after that
   * sequence instead (to read on past records not yet committed, as a shard iterator does).
   * With `eventNames`, records of other kinds are read past but left out (a trigger's filter, so
   * their images are never loaded); `limit` still counts every record read past, and the result's
   * `last` is the sequence of the last record read, returned or not, to commit or read `after`.
   */
  readStream(table: string, consumer: string, options?: StreamReadOptions): Promise<StreamRecords>;
  /** Moves the consumer's durable position to this sequence (inclusive). */
  commitStream(table: string, consumer: string, sequence: number): Promise<void>;
}
