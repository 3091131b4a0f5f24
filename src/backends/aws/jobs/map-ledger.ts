/**
 * The map ledger over DynamoDB (ports/jobs.ts MapLedger), in the tables `maps` (one item per map)
 * and `map-items` (one per item, keyed (mapId, idx), with `mapStatus` = mapId#status feeding the
 * by-status index, so take, recover, redrive, counts and paging each query one status of one map
 * lowest index first).
 *
 * Map states: loading -> running -> succeeded | failed | cancelled (setStatus writes them).
 * Item states: pending -> running (take) -> succeeded | failed | pending (complete);
 * running -> pending (recover); failed -> pending with attempts 0 (redrive).
 *
 * Batch-first writes, and which API: addItems reads the keys already in its index range (one
 * query) and puts only the missing items with BatchWriteItem, 25 a call: an index already there is
 * kept, and a plain put costs half a transactional one. take, complete, recover and redrive change
 * attributes of existing items, which BatchWriteItem cannot (it only puts or deletes whole items),
 * so they are UpdateItems conditioned on the item's current status (take: pending; recover:
 * running; redrive: failed; complete: the item exists), sent as TransactWriteItems of up to 100;
 * a chunk in which some condition fails (the index was a moment stale, or another coordinator got
 * there first) is applied item by item (state/dynamo.ts updateEach). Index reads are eventually
 * consistent on AWS; the status conditions keep a stale read from taking an item twice.
 */
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type Update } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError, NotFoundError, type SerializedError } from '../../../core/errors.ts';
import type { ListPage, MapCompletion, MapCounts, MapItem, MapItemRow, MapItemStatus, MapLedger, MapRecord, MapStatus } from '../../../ports/jobs.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { Expr, batchWrite, fromItem, itemOfFailedCondition, orderKey, queryCount, queryPages, toItem, updateExpression, updateEach, type Item } from '../state/dynamo.ts';
import { ensure } from '../state/tables.ts';
import { pageByOrd } from './page.ts';

const ALL = 'map';
const itemStatuses: readonly MapItemStatus[] = ['pending', 'running', 'succeeded', 'failed'];

interface MapItemRecord extends Omit<MapRecord, 'options'> {
  options: string;
  all: string;
  ord: string;
}

interface ItemRecord {
  mapId: string;
  idx: number;
  status: MapItemStatus;
  mapStatus: string;
  attempts: number;
  item: string;
  result?: string;
  error?: SerializedError;
}

function toMap(r: MapItemRecord): MapRecord {
  return {
    id: r.id,
    fn: r.fn,
    status: r.status,
    loaded: r.loaded,
    sourceDone: r.sourceDone,
    options: JSON.parse(r.options) as unknown,
    ...(r.error ? { error: r.error } : {}),
    ...(r.manifest ? { manifest: { bucket: r.manifest.bucket, key: r.manifest.key } } : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const partition = (mapId: string, status: MapItemStatus) => `${mapId}#${status}`;

export class AwsMapLedger implements MapLedger {
  constructor(private readonly ctx: AwsContext) {}

  private get ddb() {
    return this.ctx.clients.dynamodb;
  }

  async open(input: { id: string; fn: string; options: unknown }): Promise<MapRecord> {
    const now = this.ctx.clock.now();
    const record: MapItemRecord = { id: input.id, fn: input.fn, status: 'loading', loaded: 0, sourceDone: false, options: JSON.stringify(input.options ?? null), createdAt: now, updatedAt: now, all: ALL, ord: orderKey(now) };
    const table = await ensure(this.ctx, 'maps');
    const e = new Expr();
    try {
      await call(this.ctx.at('dynamodb', 'open map', `map "${input.id}"`), () =>
        this.ddb.send(new PutItemCommand({ TableName: table, Item: toItem({ ...record }), ConditionExpression: `attribute_not_exists(${e.name('id')})`, ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...e.params() })),
      );
      return toMap(record);
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      const old = itemOfFailedCondition(err);
      return old ? toMap(fromItem<MapItemRecord>(old)) : this.mustGet(input.id);
    }
  }

  async get(id: string): Promise<MapRecord | undefined> {
    const table = await ensure(this.ctx, 'maps');
    const out = await call(this.ctx.at('dynamodb', 'get map', `map "${id}"`), () => this.ddb.send(new GetItemCommand({ TableName: table, Key: toItem({ id }), ConsistentRead: true })));
    return out.Item ? toMap(fromItem<MapItemRecord>(out.Item)) : undefined;
  }

  async list(limit = 50): Promise<MapRecord[]> {
    const e = new Expr();
    const out: MapRecord[] = [];
    await queryPages(this.ctx, 'maps', { TableName: await ensure(this.ctx, 'maps'), IndexName: 'by-all', KeyConditionExpression: e.eq('all', ALL), ScanIndexForward: false, Limit: limit, ...e.params() }, (items) => {
      for (const i of items) if (out.length < limit) out.push(toMap(fromItem<MapItemRecord>(i)));
      return out.length >= limit;
    });
    return out;
  }

  page(options: { limit?: number; cursor?: string } = {}): Promise<ListPage<MapRecord>> {
    return pageByOrd<MapItemRecord, MapRecord>(this.ctx, 'maps', ALL, options, toMap);
  }

  async addItems(id: string, from: number, itemsJson: readonly string[], sourceDone: boolean): Promise<void> {
    const table = await ensure(this.ctx, 'map-items');
    if (itemsJson.length) {
      const e = new Expr();
      const present = new Set<number>();
      await queryPages(this.ctx, `items of map "${id}"`, { TableName: table, KeyConditionExpression: `${e.eq('mapId', id)} AND ${e.name('idx')} BETWEEN ${e.value(from)} AND ${e.value(from + itemsJson.length - 1)}`, ProjectionExpression: e.name('idx'), ConsistentRead: true, ...e.params() }, (items) => {
        for (const i of items) present.add(fromItem<{ idx: number }>(i).idx);
      });
      const puts = itemsJson.flatMap((item, i) => (present.has(from + i) ? [] : [{ PutRequest: { Item: toItem({ mapId: id, idx: from + i, status: 'pending', mapStatus: partition(id, 'pending'), attempts: 0, item }) } }]));
      await batchWrite(this.ctx, table, puts);
    }
    // loaded = max(loaded, from + n): raise it when lower, else only mark the source's end.
    const maps = await ensure(this.ctx, 'maps');
    const now = this.ctx.clock.now();
    const loaded = from + itemsJson.length;
    const send = (e: Expr, set: Record<string, unknown>, condition: string) =>
      call(this.ctx.at('dynamodb', 'add items', `map "${id}"`), () => this.ddb.send(new UpdateItemCommand({ TableName: maps, Key: toItem({ id }), UpdateExpression: updateExpression(e, set), ConditionExpression: condition, ...e.params() })));
    const e = new Expr();
    try {
      await send(e, { loaded, sourceDone, updatedAt: now }, `${e.name('loaded')} < ${e.value(loaded)}`);
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      const e2 = new Expr();
      await send(e2, { sourceDone, updatedAt: now }, `attribute_exists(${e2.name('id')})`).catch((err2: unknown) => {
        if (!(err2 instanceof ConditionFailedError)) throw err2;
      });
    }
  }

  async recover(id: string): Promise<number> {
    return this.move(id, 'running', 'pending');
  }

  async redrive(id: string): Promise<number> {
    return this.move(id, 'failed', 'pending', { attempts: 0 }, ['error']);
  }

  async take(id: string, limit: number): Promise<MapItem[]> {
    const table = await ensure(this.ctx, 'map-items');
    const taken: MapItem[] = [];
    let after = -1;
    while (taken.length < limit) {
      const page = await this.itemsPage(id, 'pending', after, limit - taken.length);
      if (!page.length) break;
      const applied = await updateEach(this.ctx, table, page.map((r) => this.transition(table, r.mapId, r.idx, 'pending', { status: 'running', mapStatus: partition(id, 'running') })));
      page.forEach((r, i) => applied[i] && taken.push({ index: r.idx, item: JSON.parse(r.item) as unknown, attempts: r.attempts }));
      after = page[page.length - 1]!.idx;
    }
    return taken;
  }

  async complete(id: string, completions: readonly MapCompletion[]): Promise<void> {
    if (!completions.length) return;
    const table = await ensure(this.ctx, 'map-items');
    const last = new Map<number, MapCompletion>(completions.map((c) => [c.index, c])); // one update per item: a transaction may not name an item twice
    const updates = [...last.values()].map((c) => this.transition(table, id, c.index, undefined, { status: c.status, mapStatus: partition(id, c.status), attempts: c.attempts, result: c.resultJson, error: c.error }, [...(c.resultJson === undefined ? ['result'] : []), ...(c.error ? [] : ['error'])]));
    await updateEach(this.ctx, table, updates);
  }

  async counts(id: string): Promise<MapCounts> {
    const table = await ensure(this.ctx, 'map-items');
    const c: MapCounts = { total: 0, pending: 0, running: 0, succeeded: 0, failed: 0 };
    await Promise.all(
      itemStatuses.map(async (status) => {
        const e = new Expr();
        c[status] = await queryCount(this.ctx, `items of map "${id}"`, { TableName: table, IndexName: 'by-status', KeyConditionExpression: e.eq('mapStatus', partition(id, status)), ...e.params() });
      }),
    );
    c.total = c.pending + c.running + c.succeeded + c.failed;
    return c;
  }

  async items(id: string, status: MapItemStatus, afterIndex: number, limit: number): Promise<MapItemRow[]> {
    return (await this.itemsPage(id, status, afterIndex, limit)).map((r) => ({
      index: r.idx,
      item: JSON.parse(r.item) as unknown,
      attempts: r.attempts,
      status: r.status,
      ...(r.result !== undefined ? { result: JSON.parse(r.result) as unknown } : {}),
      ...(r.error ? { error: r.error } : {}),
    }));
  }

  async setStatus(id: string, status: MapStatus, extra: { error?: SerializedError; manifest?: { bucket: string; key: string } } = {}): Promise<MapRecord> {
    const table = await ensure(this.ctx, 'maps');
    const e = new Expr();
    const update = updateExpression(e, { status, error: extra.error, manifest: extra.manifest, updatedAt: this.ctx.clock.now() }, extra.error ? [] : ['error']);
    try {
      const out = await call(this.ctx.at('dynamodb', 'set map status', `map "${id}"`), () =>
        this.ddb.send(new UpdateItemCommand({ TableName: table, Key: toItem({ id }), UpdateExpression: update, ConditionExpression: `attribute_exists(${e.name('id')})`, ReturnValues: 'ALL_NEW', ...e.params() })),
      );
      return toMap(fromItem<MapItemRecord>(out.Attributes as Item));
    } catch (err) {
      throw err instanceof ConditionFailedError ? mapNotFound(id) : err;
    }
  }

  /** Every item of one status to another, conditioned on the status; returns how many moved. */
  private async move(id: string, from: MapItemStatus, to: MapItemStatus, set: Record<string, unknown> = {}, remove: string[] = []): Promise<number> {
    const table = await ensure(this.ctx, 'map-items');
    const keys: number[] = [];
    const e = new Expr();
    await queryPages(this.ctx, `items of map "${id}"`, { TableName: table, IndexName: 'by-status', KeyConditionExpression: e.eq('mapStatus', partition(id, from)), ProjectionExpression: e.name('idx'), ...e.params() }, (items) => {
      for (const i of items) keys.push(fromItem<{ idx: number }>(i).idx);
    });
    const applied = await updateEach(this.ctx, table, keys.map((idx) => this.transition(table, id, idx, from, { ...set, status: to, mapStatus: partition(id, to) }, remove)));
    return applied.filter(Boolean).length;
  }

  /** One item's update, conditioned on its status (or only on its existence). */
  private transition(table: string, mapId: string, idx: number, from: MapItemStatus | undefined, set: Record<string, unknown>, remove: string[] = []): Update {
    const e = new Expr();
    const expression = updateExpression(e, set, remove);
    const condition = from ? e.eq('status', from) : `attribute_exists(${e.name('idx')})`;
    const p = e.params();
    return { TableName: table, Key: toItem({ mapId, idx }), UpdateExpression: expression, ConditionExpression: condition, ExpressionAttributeNames: p.ExpressionAttributeNames, ...(p.ExpressionAttributeValues ? { ExpressionAttributeValues: p.ExpressionAttributeValues } : {}) };
  }

  /** Up to `limit` items of one status after an index, lowest first (the by-status index). */
  private async itemsPage(id: string, status: MapItemStatus, after: number, limit: number): Promise<ItemRecord[]> {
    const out: ItemRecord[] = [];
    if (limit < 1) return out;
    const e = new Expr();
    await queryPages(this.ctx, `items of map "${id}"`, { TableName: await ensure(this.ctx, 'map-items'), IndexName: 'by-status', KeyConditionExpression: `${e.eq('mapStatus', partition(id, status))} AND ${e.name('idx')} > ${e.value(after)}`, Limit: limit, ...e.params() }, (items) => {
      for (const i of items) if (out.length < limit) out.push(fromItem<ItemRecord>(i));
      return out.length >= limit;
    });
    return out;
  }

  private async mustGet(id: string): Promise<MapRecord> {
    const m = await this.get(id);
    if (!m) throw mapNotFound(id);
    return m;
  }
}

function mapNotFound(id: string): NotFoundError {
  return new NotFoundError(`map "${id}" does not exist.`, { action: 'List maps with `baton jobs`.' });
}
