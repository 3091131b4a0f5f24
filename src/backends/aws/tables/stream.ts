/**
 * A table's change stream over DynamoDB Streams, read by named consumers with durable positions.
 *
 * DynamoDB orders records per shard by SequenceNumber, a decimal string of up to 40 digits, and a
 * table's stream has several shards over time (a shard closes after about 4 h or on a split, and
 * its children go on; the parent's records come first for every key). The port wants one number
 * per record that orders a table's records. So, inside this store:
 *
 *   point     shard id -> last SequenceNumber read or committed in that shard; a consumer's
 *             durable position is a point (positions.ts)
 *   number    each record read gets a number (a record read again keeps its number while this
 *             store remembers it, the last 200,000); a number means, for the consumer it was
 *             handed to, the point just after that record on the path that reader took; for
 *             another consumer, only (its shard, its SequenceNumber)
 *   read      start = the consumer's committed point, or with `after` the point of that number
 *             (never before the committed point); then shard by shard, parents before children (a
 *             child waits while its parent, still listed, is not read to its end): an iterator
 *             AFTER_SEQUENCE_NUMBER of the start point's entry, or TRIM_HORIZON for a shard not in
 *             it; GetRecords until the limit, the shard's end or no more records
 *   commit    the point of the number, forward-only per shard, written to Baton's positions table
 *
 * Requests: DescribeStream when the shard list is unknown, older than a minute or a shard ended;
 * GetShardIterator per shard only when a read does not start where this consumer's last read
 * ended (the trigger's read-after-last and read-after-commit reuse the iterators, for 10 min);
 * GetRecords per shard read. Numbers restart after a reopen (from the clock, so an old number is
 * not mistaken for a new one); the committed positions do not.
 *
 * Not given (conformance skips): record times are DynamoDB's (ApproximateCreationDateTime, to the
 * second), not Baton's clock, and retention is DynamoDB's own 24 h, which a fake clock cannot move.
 */
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as DdbRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { defaults } from '../../../core/defaults.ts';
import { show, ValidationError } from '../../../core/errors.ts';
import type { Key, StreamEventName, StreamRecord, StreamRecords } from '../../../ports/tables.ts';
import { streamRecords } from '../../shared/tables/stream-read.ts';
import type { AwsContext } from '../context.ts';
import type { AwsTable } from './catalog.ts';
import { fromAttributes, type Attributes } from './codec.ts';
import { compareSeq, type Point, type Positions } from './positions.ts';
import { sdkName, streams } from './sdk.ts';

const shardListTtlMs = 60_000;
const iteratorTtlMs = 10 * 60_000;
const remembered = 200_000;

interface ShardInfo {
  id: string;
  parent: string | undefined;
  /** Set once the shard is closed. */
  ending: string | undefined;
}

/** The point just after the `at`-th record of one read. */
interface PointRef {
  base: Point;
  path: Array<[shard: string, seq: string]>;
  at: number;
}

interface Cursor {
  end: Point;
  iterators: Map<string, string>;
  at: number;
  /** number -> point, for the numbers handed to this consumer lately. */
  points: Map<number, PointRef>;
}

interface TableState {
  arn: string;
  shards: ShardInfo[];
  listedAt: number;
  stale: boolean;
  numbers: Map<string, number>;
  records: Map<number, [shard: string, seq: string]>;
  /** Closed shards read to their end: shard id -> the last SequenceNumber (undefined: it had none). */
  finished: Map<string, string | undefined>;
  cursors: Map<string, Cursor>;
}

export class StreamReader {
  private readonly tables = new Map<string, TableState>();
  /** Numbers start at the time in µs, so a number from before a reopen is not taken for a new one. */
  private next = Date.now() * 1000;

  constructor(
    private readonly ctx: AwsContext,
    private readonly positions: Positions,
  ) {}

  async read(t: AwsTable, consumer: string, limit: number | undefined, after: number | undefined, eventNames?: readonly StreamEventName[]): Promise<StreamRecords> {
    checkConsumer(t, consumer);
    const n = readLimit(t, limit);
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) throw new ValidationError(`Stream read on table "${t.name}": after ${show(after)} must be a whole number >= 0.`);
    const s = this.state(t);
    const committed = await this.positions.get(t.physical, consumer);
    const cursor = s.cursors.get(consumer);
    const start = committed;
    if (after !== undefined) {
      const from = this.pointOf(s, cursor, after);
      if (!from) throw unknownNumber(t, consumer, 'read after', after);
      forward(start, from);
    }
    const reuse = cursor && Date.now() - cursor.at < iteratorTtlMs && samePoint(cursor.end, start) ? cursor.iterators : new Map<string, string>();
    const read: PointRef['path'] = [];
    const base = new Map(start);
    const point = new Map(start);
    const iterators = new Map<string, string>();
    const out: StreamRecord[] = [];
    const ended = new Set<string>();
    const visited = new Set<string>();
    // A second pass only when a shard ended: its children may be new in the shard list.
    for (let pass = 0; pass < 2 && out.length < n; pass++) {
      const shards = await this.shards(t, s);
      for (const shard of shards) {
        if (out.length >= n) break;
        if (visited.has(shard.id) || done(s, shard, point, ended)) continue;
        const parent = shard.parent === undefined ? undefined : shards.find((x) => x.id === shard.parent);
        if (parent && !done(s, parent, point, ended)) continue; // parents first: a key's older records are there
        visited.add(shard.id);
        const got = await this.readShard(t, s, shard, point, reuse.get(shard.id), n - out.length);
        for (const r of got.records) {
          read.push([shard.id, r.dynamodb!.SequenceNumber!]);
          point.set(shard.id, r.dynamodb!.SequenceNumber!);
          out.push(this.record(t, s, shard.id, r));
        }
        if (got.iterator) iterators.set(shard.id, got.iterator);
        else {
          ended.add(shard.id);
          s.finished.set(shard.id, point.get(shard.id));
          s.stale = true; // its children may not be listed yet
        }
      }
      if (!s.stale) break;
    }
    // Shards this read did not reach are where they were: their iterators still hold.
    for (const [id, it] of reuse) if (!visited.has(id) && !iterators.has(id)) iterators.set(id, it);
    const points = cursor?.points ?? new Map<number, PointRef>();
    out.forEach((r, at) => points.set(r.sequence, { base, path: read, at }));
    trim(points, this.next);
    s.cursors.set(consumer, { end: point, iterators, at: Date.now(), points });
    // GetRecords has no filter: the records of other kinds were read (and numbered, so `last` can be committed or read after) and are left out here.
    return eventNames ? streamRecords(out.filter((r) => eventNames.includes(r.eventName)), out.at(-1)?.sequence, out.length) : out;
  }

  async commit(t: AwsTable, consumer: string, sequence: number): Promise<void> {
    checkConsumer(t, consumer);
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new ValidationError(`Stream commit for consumer "${consumer}" on table "${t.name}": sequence ${show(sequence)} must be a whole number >= 0.`);
    }
    const s = this.state(t);
    const point = this.pointOf(s, s.cursors.get(consumer), sequence);
    if (!point) throw unknownNumber(t, consumer, 'commit', sequence);
    await this.positions.commit(t.physical, consumer, point);
  }

  private pointOf(s: TableState, cursor: Cursor | undefined, n: number): Point | undefined {
    const ref = cursor?.points.get(n);
    if (ref) {
      const p = new Map(ref.base);
      for (let i = 0; i <= ref.at; i++) p.set(ref.path[i]![0], ref.path[i]![1]);
      return p;
    }
    const record = s.records.get(n);
    return record ? new Map([record]) : undefined;
  }

  private state(t: AwsTable): TableState {
    const arn = t.streamArn!;
    let s = this.tables.get(t.name);
    if (!s || s.arn !== arn) {
      s = { arn, shards: [], listedAt: -Infinity, stale: true, numbers: new Map(), records: new Map(), finished: new Map(), cursors: new Map() };
      this.tables.set(t.name, s);
    }
    return s;
  }

  /** The stream's shards, parents before children. */
  private async shards(t: AwsTable, s: TableState): Promise<ShardInfo[]> {
    if (!s.stale && Date.now() - s.listedAt < shardListTtlMs) return s.shards;
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await streams(this.ctx, 'describe stream', `table "${t.name}"`, () =>
        this.ctx.clients.streams.send(new DescribeStreamCommand({ StreamArn: s.arn, ...(start ? { ExclusiveStartShardId: start } : {}) })),
      );
      all.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    s.shards = lineage(all.map((x) => ({ id: x.ShardId!, parent: x.ParentShardId, ending: x.SequenceNumberRange?.EndingSequenceNumber })));
    s.listedAt = Date.now();
    s.stale = false;
    return s.shards;
  }

  private async readShard(t: AwsTable, s: TableState, shard: ShardInfo, point: Point, reused: string | undefined, limit: number): Promise<{ records: DdbRecord[]; iterator: string | undefined }> {
    let iterator = reused ?? (await this.iterator(t, s, shard, point.get(shard.id)));
    const records: DdbRecord[] = [];
    for (let fresh = reused === undefined; iterator && records.length < limit; ) {
      let got;
      try {
        const it = iterator;
        got = await streams(this.ctx, 'read stream', `table "${t.name}"`, () => this.ctx.clients.streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit - records.length })));
      } catch (err) {
        if (fresh || (sdkName(err) !== 'ExpiredIteratorException' && sdkName(err) !== 'TrimmedDataAccessException')) throw err;
        fresh = true; // the reused iterator ran out: start again from the point
        iterator = await this.iterator(t, s, shard, point.get(shard.id) ?? records.at(-1)?.dynamodb?.SequenceNumber);
        continue;
      }
      records.push(...(got.Records ?? []));
      iterator = got.NextShardIterator;
      if ((got.Records ?? []).length === 0) break; // caught up with the shard for now
    }
    return { records, iterator };
  }

  /** An iterator just after `seq`, or at the oldest record; past retention, at the oldest kept. */
  private async iterator(t: AwsTable, s: TableState, shard: ShardInfo, seq: string | undefined): Promise<string | undefined> {
    const get = (after: string | undefined) =>
      streams(this.ctx, 'read stream', `table "${t.name}"`, () =>
        this.ctx.clients.streams.send(
          new GetShardIteratorCommand({ StreamArn: s.arn, ShardId: shard.id, ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }) }),
        ),
      );
    try {
      return (await get(seq)).ShardIterator;
    } catch (err) {
      if (seq !== undefined && sdkName(err) === 'TrimmedDataAccessException') return (await get(undefined)).ShardIterator;
      throw err;
    }
  }

  private record(t: AwsTable, s: TableState, shard: string, r: DdbRecord): StreamRecord {
    const d = r.dynamodb!;
    const id = `${shard}/${d.SequenceNumber}`;
    let sequence = s.numbers.get(id);
    if (sequence === undefined) {
      sequence = this.next++;
      s.numbers.set(id, sequence);
      s.records.set(sequence, [shard, d.SequenceNumber!]);
      if (s.records.size > remembered) {
        const [oldest, [oldShard, oldSeq]] = s.records.entries().next().value!;
        s.records.delete(oldest);
        s.numbers.delete(`${oldShard}/${oldSeq}`);
      }
    }
    const record: StreamRecord = {
      sequence,
      eventName: r.eventName as StreamRecord['eventName'],
      table: t.name,
      keys: fromAttributes(d.Keys as Attributes) as Key,
      createdAt: d.ApproximateCreationDateTime ? d.ApproximateCreationDateTime.getTime() : Date.now(),
    };
    if (d.OldImage) record.oldImage = fromAttributes(d.OldImage as Attributes);
    if (d.NewImage) record.newImage = fromAttributes(d.NewImage as Attributes);
    return record;
  }
}

/** Shards ordered so that every listed parent comes before its children. */
export function lineage(shards: ShardInfo[]): ShardInfo[] {
  const byId = new Map(shards.map((x) => [x.id, x]));
  const out: ShardInfo[] = [];
  const placed = new Set<string>();
  const place = (x: ShardInfo, depth: number) => {
    if (placed.has(x.id)) return;
    const parent = x.parent === undefined ? undefined : byId.get(x.parent);
    if (parent && depth < shards.length) place(parent, depth + 1);
    placed.add(x.id);
    out.push(x);
  };
  for (const x of shards) place(x, 0);
  return out;
}

/** A shard this read need not touch: closed and read (or committed) to its end. */
function done(s: TableState, shard: ShardInfo, point: Point, ended: Set<string>): boolean {
  if (ended.has(shard.id)) return true;
  const at = point.get(shard.id);
  if (s.finished.has(shard.id)) {
    const last = s.finished.get(shard.id);
    if (last === undefined || (at !== undefined && compareSeq(at, last) >= 0)) return true;
  }
  return shard.ending !== undefined && at !== undefined && compareSeq(at, shard.ending) >= 0;
}

/** Moves `into` forward to `from` in every shard where `from` is further. */
function forward(into: Point, from: Point): void {
  for (const [shard, seq] of from) {
    const had = into.get(shard);
    if (had === undefined || compareSeq(had, seq) < 0) into.set(shard, seq);
  }
}

function samePoint(a: Point, b: Point): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function trim(points: Map<number, PointRef>, next: number): void {
  if (points.size <= remembered) return;
  for (const n of points.keys()) {
    if (points.size <= remembered || n >= next - remembered) break;
    points.delete(n);
  }
}

function unknownNumber(t: AwsTable, consumer: string, what: string, n: number): ValidationError {
  return new ValidationError(
    `Stream ${what} for consumer "${consumer}" on table "${t.name}": sequence ${n} is beyond the last record this backend handed out (or from before it was reopened).`,
    { action: 'Use the sequence of a record returned by readStream since the backend opened; read without after to go on from the committed position.' },
  );
}

function checkConsumer(t: AwsTable, consumer: string): void {
  if (typeof consumer !== 'string' || consumer === '' || consumer.length > 256) {
    throw new ValidationError(`Stream consumer name ${show(consumer)} for table "${t.name}" must be a string of 1 to 256 characters.`);
  }
}

function readLimit(t: AwsTable, limit: number | undefined): number {
  if (limit === undefined) return defaults.tables.streamReadLimit;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError(`Stream read on table "${t.name}": limit ${show(limit)} must be a whole number >= 1.`);
  return Math.min(limit, defaults.tables.maxStreamReadLimit);
}
