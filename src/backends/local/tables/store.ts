/**
 * The local table store: DynamoDB semantics on SQLite, with a change stream per table.
 *
 * Each operation validates its input first (no lock held), then runs in one IMMEDIATE transaction
 * that reads the current item, checks the condition, writes, and appends the stream record, so a
 * condition holds across connections and processes and no change is ever without its record.
 * A batch write is one transaction; a request that fails has written nothing (items.ts).
 */
import { defaults } from '../../../core/defaults.ts';
import { BatonError, serializeError, show, ValidationError, type SerializedError } from '../../../core/errors.ts';
import type { Condition, Item, Key, QueryInput, QueryResult, ScanInput, StreamReadOptions, StreamRecords, TableConfig, TableStore, UpdateInput, WriteRequest } from '../../../ports/tables.ts';
import type { LocalContext } from '../context.ts';
import { TableCatalog, type TableEntry } from './catalog.ts';
import { validateCondition } from '../../shared/tables/conditions.ts';
import { ItemWriter, type Ahead } from './items.ts';
import { encodeItem } from '../../shared/tables/json.ts';
import { itemKey, keyValues, type KeyValues } from '../../shared/tables/keys.ts';
import { QueryRunner } from './query.ts';
import { StreamLog } from './stream.ts';
import { checkEventNames } from '../../shared/tables/stream-read.ts';
import { validateUpdate } from '../../shared/tables/update.ts';

type BatchResult = { index: number; ok: boolean; error?: SerializedError };

/** A request of a batch checked and encoded before the write lock is taken, or its error. */
type Prepared =
  | { put: KeyValues; json: string; condition: Condition | undefined }
  | { delete: KeyValues; condition: Condition | undefined }
  | { update: KeyValues; input: UpdateInput; ahead?: Ahead }
  | { error: SerializedError };

interface PendingBatch {
  t: TableEntry;
  requests: Prepared[];
  resolve: (results: BatchResult[]) => void;
  reject: (err: unknown) => void;
}

const shapes = 'must be one of { put: item }, { delete: key } or { update: key, set/add/remove }';

export class LocalTableStore implements TableStore {
  private readonly catalog: TableCatalog;
  private readonly stream: StreamLog;
  private readonly items: ItemWriter;
  private readonly queries: QueryRunner;
  private readonly batches: (groups: readonly PendingBatch[]) => BatchResult[][];
  /** batchWrite calls made in the same tick, written together by the next microtask (group commit). */
  private pending: PendingBatch[] = [];

  constructor(private readonly ctx: LocalContext) {
    this.catalog = new TableCatalog(ctx.db);
    this.stream = new StreamLog(ctx.db, ctx.clock);
    this.items = new ItemWriter(ctx.db, this.stream);
    this.queries = new QueryRunner(ctx.db);
    this.batches = ctx.db.transaction((groups: readonly PendingBatch[]) => groups.map((g) => g.requests.map((r, index) => this.batchOne(g.t, r, index)))).immediate;
  }

  async declare(config: TableConfig): Promise<void> {
    this.catalog.declare(config);
  }

  async list(): Promise<TableConfig[]> {
    return this.catalog.list();
  }

  async put(table: string, item: Item, options: { condition?: Condition } = {}): Promise<{ old?: Item }> {
    const t = this.catalog.get(table);
    const kv = itemKey(t, item);
    const json = encodeItem(t, kv, item);
    if (options.condition) validateCondition(t, options.condition);
    const old = this.items.put.immediate(t, kv, json, options.condition);
    this.signal(t);
    return old === undefined ? {} : { old: JSON.parse(old) as Item };
  }

  async get(table: string, key: Key): Promise<Item | undefined> {
    const t = this.catalog.get(table);
    const kv = keyValues(t, key);
    const json = this.items.get.get(t.id, kv.pk, kv.sk);
    return json === undefined ? undefined : (JSON.parse(json) as Item);
  }

  async update(table: string, key: Key, input: UpdateInput): Promise<Item> {
    const t = this.catalog.get(table);
    const kv = keyValues(t, key);
    validateUpdate(t, input);
    if (input.condition) validateCondition(t, input.condition);
    const json = this.items.update.immediate(t, kv, input);
    this.signal(t);
    return JSON.parse(json) as Item; // the item as stored, so what JSON cannot hold reads back as it will later
  }

  async delete(table: string, key: Key, options: { condition?: Condition } = {}): Promise<{ old?: Item }> {
    const t = this.catalog.get(table);
    const kv = keyValues(t, key);
    if (options.condition) validateCondition(t, options.condition);
    const old = this.items.delete.immediate(t, kv, options.condition);
    this.signal(t);
    return old === undefined ? {} : { old: JSON.parse(old) as Item };
  }

  async query(table: string, input: QueryInput): Promise<QueryResult> {
    return this.queries.run(this.catalog.get(table), input);
  }

  async scan(table: string, input: ScanInput = {}): Promise<QueryResult> {
    return this.queries.scan(this.catalog.get(table), input);
  }

  async batchWrite(table: string, requests: WriteRequest[]): Promise<BatchResult[]> {
    const t = this.catalog.get(table);
    if (!Array.isArray(requests)) throw new ValidationError(`batchWrite on table "${t.name}": requests must be an array, not ${show(requests)}.`);
    if (requests.length > defaults.tables.maxBatchWrite) {
      throw new ValidationError(`batchWrite on table "${t.name}" has ${requests.length} requests; the limit is ${defaults.tables.maxBatchWrite}.`, {
        action: `Split the requests into batches of at most ${defaults.tables.maxBatchWrite}.`,
      });
    }
    if (requests.length === 0) return [];
    const prepared = requests.map((r, index) => this.prepare(t, r, index));
    return new Promise<BatchResult[]>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ t, requests: prepared, resolve, reject });
    });
  }

  /**
   * Writes every batch of the tick in one transaction: handlers that send their chunks of 25 at
   * once (Promise.all, as with DynamoDB) commit once instead of once per chunk. Each batch keeps
   * its own results; a storage failure fails them all, and none is written.
   */
  private flush(): void {
    const groups = this.pending;
    this.pending = [];
    let results: BatchResult[][];
    try {
      this.readAhead(groups);
      results = this.batches(groups);
    } catch (err) {
      for (const g of groups) g.reject(err);
      return;
    }
    groups.forEach((g, i) => g.resolve(results[i]!));
    for (const t of new Set(groups.map((g) => g.t))) this.signal(t);
  }

  /**
   * The batches' updates worked out before the write lock is taken (ItemWriter.ahead), in one read
   * transaction: the write transaction then only checks that each item is unchanged and writes.
   */
  private readAhead(groups: readonly PendingBatch[]): void {
    if (!groups.some((g) => g.requests.some((r) => 'update' in r))) return;
    this.items.readAhead(() => {
      for (const g of groups) {
        for (const r of g.requests) {
          if (!('update' in r)) continue;
          const ahead = this.items.ahead(g.t, r.update, r.input);
          if (ahead) r.ahead = ahead;
        }
      }
    });
  }

  async readStream(table: string, consumer: string, options: StreamReadOptions = {}): Promise<StreamRecords> {
    const t = this.streamed(table);
    return this.stream.read(t, consumer, options.limit, options.after, checkEventNames(t.name, options.eventNames));
  }

  async commitStream(table: string, consumer: string, sequence: number): Promise<void> {
    await this.stream.commit(this.streamed(table), consumer, sequence);
  }

  private streamed(table: string): TableEntry {
    const t = this.catalog.get(table);
    if (!t.viewType) {
      throw new ValidationError(`Table "${t.name}" has no stream.`, { action: `Declare it with stream: true (or a view type such as 'NEW_AND_OLD_IMAGES') in baton.config.ts.` });
    }
    return t;
  }

  /**
   * One request of a batch checked, its key found and a put's item encoded, before any lock is
   * taken: the batch's transaction then holds the one writer of the tables file only for what needs
   * the stored item (issue 15: the csv-pipeline's load and update steps take turns on it). A Baton
   * error (bad input, too large) fails only this request.
   */
  private prepare(t: TableEntry, request: WriteRequest, index: number): Prepared {
    try {
      if (request === null || typeof request !== 'object') throw new ValidationError(`batchWrite request ${index} ${shapes}, not ${show(request)}.`);
      const kinds = (['put', 'delete', 'update'] as const).filter((k) => k in request);
      if (kinds.length !== 1) throw new ValidationError(`batchWrite request ${index} ${shapes}; it has ${kinds.length ? kinds.join(' and ') : 'none of them'}.`);
      if ('put' in request) {
        if (request.condition) validateCondition(t, request.condition);
        const kv = itemKey(t, request.put);
        return { put: kv, json: encodeItem(t, kv, request.put), condition: request.condition };
      }
      if ('delete' in request) {
        if (request.condition) validateCondition(t, request.condition);
        return { delete: keyValues(t, request.delete), condition: request.condition };
      }
      const { update: key, ...input } = request;
      validateUpdate(t, input);
      if (input.condition) validateCondition(t, input.condition);
      return { update: keyValues(t, key), input };
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      return { error: serializeError(err) };
    }
  }

  /**
   * One prepared request, inside the batch's transaction. A Baton error (failed condition, too
   * large after an update) is raised before the request writes anything and fails only this
   * request; anything else (a storage failure) fails the whole batch, which then writes nothing.
   */
  private batchOne(t: TableEntry, request: Prepared, index: number): BatchResult {
    if ('error' in request) return { index, ok: false, error: request.error };
    try {
      if ('put' in request) this.items.putIn(t, request.put, request.json, request.condition);
      else if ('delete' in request) this.items.deleteIn(t, request.delete, request.condition);
      else this.items.updateIn(t, request.update, request.input, request.ahead);
      return { index, ok: true };
    } catch (err) {
      if (!(err instanceof BatonError)) throw err;
      return { index, ok: false, error: serializeError(err) };
    }
  }

  /** Wakes in-process stream readers; a no-op for a table without a stream or without listeners. */
  private signal(t: TableEntry): void {
    if (t.viewType) this.ctx.signals.emit(`stream:${t.name}`);
  }
}
