/**
 * The change stream of the tables: records appended in the same transaction as the change they
 * describe, and named consumers that each keep a durable position.
 *
 * Vocabulary:
 *   record    one change (INSERT, MODIFY or REMOVE) with its keys and the images the table's view
 *             type asks for; its sequence (1, 2, 3, ... per table) orders all records of the table,
 *             so the changes of one key are always seen in the order they were made
 *   position  per (table, consumer): the last sequence the consumer committed; a consumer never
 *             seen before starts at 0, the oldest kept record (DynamoDB's TRIM_HORIZON)
 *   trim      records older than `defaults.tables.streamRetentionMs` are deleted lazily (at most
 *             once per `streamTrimIntervalMs` per table, on a write or a read) and never returned;
 *             the newest record of a table is always kept, so a commit up to it stays checkable
 *
 * A write that changes nothing (the new item equals the old one) appends no record, as DynamoDB
 * Streams documents. After a commit that appended records, 'stream:<table>' is emitted on the
 * context's signals so an in-process reader can wake up at once.
 */
import { defaults } from '../../../core/defaults.ts';
import { show, ValidationError } from '../../../core/errors.ts';
import type { Clock } from '../../../ports/clock.ts';
import { storedJson, type Item, type Key, type StoredJson, type StreamEventName, type StreamRecord, type StreamRecords } from '../../../ports/tables.ts';
import { streamRecords } from '../../shared/tables/stream-read.ts';
import { boundLimit, writeWhenFree, type Db } from '../db.ts';
import type { TableEntry } from './catalog.ts';

export type EventName = StreamRecord['eventName'];

/** A stream row as the selects hand it out: an array (raw), not an object per row. */
type RecordRow = [seq: number, event: EventName, keys: string, oldImage: string | null, newImage: string | null, createdAt: number];

export class StreamLog {
  private readonly lastTrim = new Map<number, number>();
  private readonly insert;
  private readonly select;
  private readonly selectKinds;
  private readonly lastRead;
  private readonly position;
  private readonly setPosition;
  private readonly lastSeq;
  private readonly firstFresh;
  private readonly trimBefore;
  /** Both statements in one read transaction (one snapshot): `last` is never a record appended after the select. */
  private readonly readKinds: (t: TableEntry, from: number, fresh: number, n: number, kinds: string) => StreamRecords;
  private readonly commitTx: (t: TableEntry, consumer: string, sequence: number) => void;
  private readonly trimTx: (t: TableEntry) => void;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare<[number, number, EventName, string, string | null, string | null, number]>(
      'INSERT INTO table_stream (tid, seq, event, keys, old_image, new_image, created_at) VALUES (?, coalesce((SELECT max(seq) FROM table_stream WHERE tid = ?), 0) + 1, ?, ?, ?, ?, ?)',
    );
    // Rows as arrays (raw): better-sqlite3 builds an object of six named properties per row otherwise.
    this.select = db
      .prepare<[number, number, number, number], RecordRow>(`SELECT seq, event, keys, old_image, new_image, created_at FROM table_stream WHERE tid = ? AND seq > ? AND created_at >= ? ORDER BY seq ${boundLimit}`)
      .raw();
    // The same range, only records whose event is in the list ('INSERT,MODIFY': no name is part of another).
    this.selectKinds = db
      .prepare<[number, number, number, number, string], RecordRow>(
        `SELECT seq, event, keys, old_image, new_image, created_at FROM (SELECT seq, event, keys, old_image, new_image, created_at FROM table_stream WHERE tid = ? AND seq > ? AND created_at >= ? ORDER BY seq ${boundLimit}) WHERE instr(?, event) > 0`,
      )
      .raw();
    this.lastRead = db.prepare<[number, number, number, number], { last: number | null; read: number }>(
      `SELECT max(seq) AS last, count(*) AS read FROM (SELECT seq FROM table_stream WHERE tid = ? AND seq > ? AND created_at >= ? ORDER BY seq ${boundLimit})`,
    );
    this.position = db.prepare<[number, string], number>('SELECT position FROM table_stream_consumers WHERE tid = ? AND consumer = ?').pluck();
    this.setPosition = db.prepare<[number, string, number]>(
      'INSERT INTO table_stream_consumers (tid, consumer, position) VALUES (?, ?, ?) ON CONFLICT (tid, consumer) DO UPDATE SET position = max(position, excluded.position)',
    );
    this.lastSeq = db.prepare<[number], number | null>('SELECT max(seq) FROM table_stream WHERE tid = ?').pluck();
    this.firstFresh = db.prepare<[number, number], number>('SELECT seq FROM table_stream WHERE tid = ? AND created_at >= ? ORDER BY seq LIMIT 1').pluck();
    this.trimBefore = db.prepare<[number, number]>('DELETE FROM table_stream WHERE tid = ? AND seq < ?');
    this.readKinds = db.transaction((t: TableEntry, from: number, fresh: number, n: number, kinds: string) => {
      const records = this.selectKinds.all(t.id, from, fresh, n, kinds).map((row) => toRecord(t, row));
      const { last, read } = this.lastRead.get(t.id, from, fresh, n)!;
      return streamRecords(records, last ?? undefined, read);
    }).deferred;
    this.commitTx = db.transaction((t: TableEntry, consumer: string, sequence: number) => this.commitInTransaction(t, consumer, sequence)).immediate;
    this.trimTx = db.transaction((t: TableEntry) => this.trim(t)).immediate;
  }

  /**
   * Appends one record, inside the caller's transaction. Images are the stored JSON texts; the
   * table's view type decides which of them are kept.
   */
  append(t: TableEntry, event: EventName, keysJson: string, oldJson: string | undefined, newJson: string | undefined): void {
    const view = t.viewType;
    if (view === undefined) return;
    const keepOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
    const keepNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
    const now = this.clock.now();
    this.insert.run(t.id, t.id, event, keysJson, keepOld ? (oldJson ?? null) : null, keepNew ? (newJson ?? null) : null, now);
    if (now - (this.lastTrim.get(t.id) ?? -Infinity) >= defaults.tables.streamTrimIntervalMs) this.trim(t);
  }

  read(t: TableEntry, consumer: string, limit: number | undefined, after: number | undefined, eventNames?: readonly StreamEventName[]): StreamRecords {
    checkConsumer(t, consumer);
    const n = readLimit(t, limit);
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0)) {
      throw new ValidationError(`Stream read on table "${t.name}": after ${show(after)} must be a whole number >= 0.`);
    }
    const now = this.clock.now();
    if (now - (this.lastTrim.get(t.id) ?? -Infinity) >= defaults.tables.streamTrimIntervalMs) this.trimTx(t);
    const from = Math.max(this.position.get(t.id, consumer) ?? 0, after ?? 0);
    const fresh = now - defaults.tables.streamRetentionMs;
    if (!eventNames) return this.select.all(t.id, from, fresh, n).map((row) => toRecord(t, row));
    return this.readKinds(t, from, fresh, n, eventNames.join(','));
  }

  /**
   * Without blocking the thread while a worker's group commit holds the write lock: the engine's
   * thread commits a stream trigger's position after every batch (issue 15 profile: 1.27 s of
   * 11 s busy on 100,000 rows was that thread waiting for the lock here).
   */
  async commit(t: TableEntry, consumer: string, sequence: number): Promise<void> {
    checkConsumer(t, consumer);
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new ValidationError(`Stream commit for consumer "${consumer}" on table "${t.name}": sequence ${show(sequence)} must be a whole number >= 0.`);
    }
    await writeWhenFree(this.db, () => this.commitTx(t, consumer, sequence));
  }

  private commitInTransaction(t: TableEntry, consumer: string, sequence: number): void {
    const last = this.lastSeq.get(t.id) ?? 0;
    if (sequence > last) {
      throw new ValidationError(
        `Stream commit for consumer "${consumer}" on table "${t.name}": sequence ${sequence} is beyond the last record (${last === 0 ? 'there is none' : `sequence ${last}`}).`,
        { action: 'Commit the sequence of a record returned by readStream.' },
      );
    }
    this.setPosition.run(t.id, consumer, sequence); // keeps the higher of the two: never backwards
  }

  /** Deletes records past retention, keeping the table's newest record. Runs inside a transaction. */
  private trim(t: TableEntry): void {
    const now = this.clock.now();
    this.lastTrim.set(t.id, now);
    const keepFrom = this.firstFresh.get(t.id, now - defaults.tables.streamRetentionMs) ?? this.lastSeq.get(t.id);
    if (keepFrom !== undefined && keepFrom !== null) this.trimBefore.run(t.id, keepFrom);
  }
}

function checkConsumer(t: TableEntry, consumer: string): void {
  if (typeof consumer !== 'string' || consumer === '' || consumer.length > 256) {
    throw new ValidationError(`Stream consumer name ${show(consumer)} for table "${t.name}" must be a string of 1 to 256 characters.`);
  }
}

function readLimit(t: TableEntry, limit: number | undefined): number {
  if (limit === undefined) return defaults.tables.streamReadLimit;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError(`Stream read on table "${t.name}": limit ${show(limit)} must be a whole number >= 1.`);
  return Math.min(limit, defaults.tables.maxStreamReadLimit);
}

function toRecord(t: TableEntry, [seq, event, keys, oldJson, newJson, createdAt]: RecordRow): StreamRecord {
  // The keys are parsed on use too (JSON.parse of a small object was half of this function): a
  // trigger hands the stored text on. Properties in the same order as before: keys before createdAt.
  const record = { sequence: seq, eventName: event, table: t.name } as StreamRecord;
  Object.defineProperty(record, 'keys', parsedKeys);
  record.createdAt = createdAt;
  const stored: Held = { keys };
  if (newJson !== null) stored.newImage = newJson;
  if (oldJson !== null) stored.oldImage = oldJson;
  Object.defineProperty(record, storedJson, { value: stored });
  if (oldJson !== null) Object.defineProperty(record, 'oldImage', oldImage);
  if (newJson !== null) Object.defineProperty(record, 'newImage', newImage);
  return record;
}

/** A record's stored texts, and its keys and images once parsed (or set). */
interface Held extends StoredJson {
  parsedKeys?: Key;
  parsedOld?: Item;
  parsedNew?: Item;
}

/**
 * Keys and images are parsed the first time they are read: a reader that never looks at them (a
 * trigger hands the stored text on) never pays for it. Each is an ordinary enumerable property
 * otherwise. One descriptor per property for every record, the parsed value kept beside the stored
 * text (no closures, no map entry per record). Setting one gives the object it is set on a plain
 * data property: never the state it shares (an Object.create child setting it changed its
 * parent's), and a frozen record refuses it as it would any write.
 */
function parsedOnUse(text: 'keys' | 'oldImage' | 'newImage', parsed: 'parsedKeys' | 'parsedOld' | 'parsedNew'): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: StreamRecord) {
      const held = this[storedJson] as Held;
      return (held[parsed] ??= JSON.parse(held[text]!) as Key & Item);
    },
    set(this: StreamRecord, value: unknown) {
      Object.defineProperty(this, text, { value, writable: true, enumerable: true, configurable: true });
    },
  };
}

const parsedKeys = parsedOnUse('keys', 'parsedKeys');
const oldImage = parsedOnUse('oldImage', 'parsedOld');
const newImage = parsedOnUse('newImage', 'parsedNew');
