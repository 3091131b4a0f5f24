/**
 * A firehose (ingestion buffer). States of a record:
 *
 *   put → durable   putRecordBatch frames the records (frame.ts), appends them to the write-ahead
 *                   store in one SQLite transaction, and only then resolves: an acknowledged record
 *                   survives a crash (SIGKILL included).
 *   durable → planned   a flush takes the oldest entries of one arrival hour (up to the buffer
 *                   size) under their object key (keys.ts), recorded on the entries.
 *   planned → delivered   the object is put (gzip or not), then the plan's entries are removed.
 *                   A crash in between redoes the same plan: the same key is overwritten with the
 *                   same records, so nothing is lost or doubled.
 *   planned → error prefix   after `deliveryAttempts` failed puts, the records go to the error
 *                   prefix wrapped with the reason; records refused by the schema at put time go
 *                   there too. If even that put fails, the entries stay and are retried.
 *
 * Flushes happen when the buffered bytes reach the buffer size, when the oldest record is as old
 * as the buffer interval (measured on the clock port), and on close(). One flush runs at a time.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { StoreError } from '../../core/errors.ts';
import { serializeError } from '../../core/errors.ts';
import type { FirehoseConfig } from '../../core/resources/firehose.ts';
import { defaults } from '../../core/defaults.ts';
import type { Clock } from '../../ports/clock.ts';
import type { FirehosePlan, FirehoseStore } from '../../ports/firehose.ts';
import type { ObjectStore } from '../../ports/objects.ts';
import { frame, type FirehoseRecord } from './frame.ts';
import { objectKey } from './keys.ts';

export type { FirehoseRecord } from './frame.ts';

const gzip = promisify(gzipCb);
const HOUR = 3_600_000;

export interface PutRecordBatchResult {
  /** Records not accepted (always 0 here: a refused request throws and stores nothing). */
  failedPutCount: number;
  /** Per record, in order: its id, and `error` when it was routed to the error prefix (schema). */
  requestResponses: Array<{ recordId: string; error?: string }>;
}

export interface FirehoseDeps {
  objects: ObjectStore;
  firehose: FirehoseStore;
  clock: Clock;
}

export class Firehose {
  private pending: number;
  private flushing: Promise<void> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private readonly stop = new AbortController();
  private readonly attempts = new Map<string, number>();
  private closed = false;
  /** The last background flush failure (a background flush never throws; records stay durable). */
  lastError: unknown;

  constructor(
    private readonly deps: FirehoseDeps,
    readonly config: FirehoseConfig,
  ) {
    this.pending = deps.firehose.stats(config.name).bytes;
  }

  async putRecord(record: FirehoseRecord): Promise<{ recordId: string; error?: string }> {
    const r = await this.putRecordBatch([record]);
    return r.requestResponses[0]!;
  }

  async putRecordBatch(records: readonly FirehoseRecord[]): Promise<PutRecordBatchResult> {
    if (this.closed) throw new StoreError(`Firehose "${this.config.name}" is closed.`, { action: 'Open a new Firehose to put more records.' });
    const now = this.deps.clock.now();
    const hour = now - (now % HOUR);
    const f = frame(this.config.name, records, now, this.config.schema);
    const entries = [];
    if (f.count > 0) entries.push({ arrivedAt: now, hour, records: f.count, data: f.data });
    if (f.errors.length > 0) entries.push({ arrivedAt: now, hour, records: f.errors.length, data: Buffer.concat(f.errors), error: 'refused by the schema' });
    const ids = this.deps.firehose.append(this.config.name, entries);
    this.pending += entries.reduce((a, e) => a + e.data.length, 0);
    let ok = 0;
    let bad = 0;
    const requestResponses = f.reasons.map((reason) => (reason === undefined ? { recordId: `${ids[0]}-${ok++}` } : { recordId: `${ids[ids.length - 1]}-e${bad++}`, error: reason }));
    if (this.pending >= this.config.bufferBytes) this.background();
    return { failedPutCount: 0, requestResponses };
  }

  /** Starts the interval flush loop on the clock. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Delivers everything buffered now; returns the number of objects written. */
  async flush(): Promise<number> {
    let written = 0;
    const next = this.flushing.then(async () => {
      for (;;) {
        const plan = this.deps.firehose.plan(this.config.name, this.config.bufferBytes, (first, error) => objectKey(this.config, first, error));
        if (!plan) break;
        await this.deliver(plan);
        written++;
      }
      this.pending = this.deps.firehose.stats(this.config.name).bytes;
    });
    this.flushing = next.catch(() => undefined);
    await next;
    return written;
  }

  /** Stops the loop and flushes what is buffered. Records that cannot be delivered stay durable for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    await this.loop;
    await this.flush();
  }

  private background(): void {
    this.flushing = this.flush().then(
      () => undefined,
      (err: unknown) => {
        this.lastError = err;
      },
    );
  }

  private async run(): Promise<void> {
    const { clock } = this.deps;
    const interval = this.config.bufferIntervalMs;
    while (!this.stop.signal.aborted) {
      const oldest = this.deps.firehose.stats(this.config.name).oldestAt;
      // Idle: look again within a second, so a record put now waits about one interval, not two.
      const due = oldest === undefined ? clock.now() + Math.max(100, Math.min(interval, 1000)) : oldest + interval;
      if (due > clock.now()) {
        try {
          await clock.sleep(due - clock.now(), this.stop.signal);
        } catch {
          return;
        }
        continue;
      }
      try {
        await this.flush();
      } catch (err) {
        this.lastError = err;
        try {
          await clock.sleep(Math.max(interval, 1000), this.stop.signal);
        } catch {
          return;
        }
      }
    }
  }

  private async deliver(plan: FirehosePlan): Promise<void> {
    const { objects } = this.deps;
    const body = Buffer.concat(plan.entries.map((e) => e.data));
    const encode = async (b: Buffer) => (this.config.compression === 'gzip' ? gzip(b) : b);
    const contentType = 'application/x-ndjson';
    try {
      await objects.put(this.config.bucket, plan.key, await encode(body), { contentType, ...(this.config.compression === 'gzip' ? { metadata: { 'content-encoding': 'gzip' } } : {}) });
    } catch (err) {
      const n = (this.attempts.get(plan.key) ?? 0) + 1;
      this.attempts.set(plan.key, n);
      if (plan.error || n < defaults.data.firehose.deliveryAttempts) throw err;
      const reason = `delivery to bucket "${this.config.bucket}" failed ${n} times: ${serializeError(err).message}`;
      const lines = body
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.stringify({ reason, arrivedAt: new Date(plan.entries[0]!.arrivedAt).toISOString(), rawData: Buffer.from(l).toString('base64') }) + '\n');
      const errorKey = objectKey(this.config, plan.entries[0]!, true);
      await objects.put(this.config.bucket, errorKey, await encode(Buffer.from(lines.join(''))), { contentType });
    }
    this.deps.firehose.complete(this.config.name, plan.key);
    this.attempts.delete(plan.key);
  }
}
