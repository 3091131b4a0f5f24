// The local object store's filesystem side: where keys live, what the filesystem cannot hold,
// readers during a write, and what a list page reads on a large bucket.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { keyFromEscapedPath } from '../../src/backends/local/objects/keys.ts';
import type { ObjectRow } from '../../src/backends/local/objects/queries.ts';
import type { LocalObjectStore } from '../../src/backends/local/objects/store.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/** Every file under a directory, as '/'-separated paths relative to it. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Every directory under a directory. */
function dirs(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

let t: TestBackend;
let store: LocalObjectStore;
let root: string;

beforeEach(async () => {
  t = makeLocalBackend();
  store = t.backend.objects as LocalObjectStore;
  root = join(t.dir, 'objects');
  await store.declare({ name: 'lake', notifications: [] });
});
afterEach(async () => {
  await t.close();
});

describe('key → path', () => {
  it('a plain key is a file at the identical relative path, readable by other tools', async () => {
    const key = 'events/dt=2026-01-01/hour=05/part 0 é.json';
    await store.put('lake', key, '{"a":1}');
    const path = store.localPath('lake', key);
    expect(path).toBe(join(t.dir, 'objects', 'lake', 'events', 'dt=2026-01-01', 'hour=05', 'part 0 é.json'));
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expect(store.bucketPath('lake')).toBe(join(t.dir, 'objects', 'lake'));
    expect(files(store.bucketPath('lake'))).toEqual([key]);
  });

  it('folder markers and empty segments go to the escaped tree, reversibly', async () => {
    for (const key of ['logs/', 'a//b', 'x//', 'logs/app.log']) await store.put('lake', key, key);
    expect(files(join(root, 'lake'))).toEqual(['logs/app.log']);
    const escaped = files(join(root, '.escaped')).map((p) => `.escaped/${p}`);
    expect(escaped).toEqual(['.escaped/lake/da/d/fb', '.escaped/lake/dlogs/f', '.escaped/lake/dx/d/f']);
    expect(escaped.map((p) => keyFromEscapedPath(p)?.key).sort()).toEqual(['a//b', 'logs/', 'x//']);
    expect(store.localPath('lake', 'logs/')).toBe(join(root, '.escaped', 'lake', 'dlogs', 'f'));
    expect(readFileSync(store.localPath('lake', 'a//b'), 'utf8')).toBe('a//b');
  });

  it('refuses a plain key that is a folder of another, or inside one, naming the other key', async () => {
    await store.put('lake', 'a', '1');
    const inside = await store.put('lake', 'a/b', '2').catch((e: unknown) => e);
    expect(inside).toBeInstanceOf(ValidationError);
    expect((inside as Error).message).toMatch(/"a\/b".*"lake".*"a" exists.*file and a folder/);
    await store.put('lake', 'x/y/z', '3');
    const folder = await store.put('lake', 'x/y', '4').catch((e: unknown) => e);
    expect(folder).toBeInstanceOf(ValidationError);
    expect((folder as Error).message).toContain('"x/y/z"');
    await expect(store.copy({ bucket: 'lake', key: 'a' }, { bucket: 'lake', key: 'x' })).rejects.toBeInstanceOf(ValidationError);
    // A folder marker is not a plain key, so it does not clash.
    await store.put('lake', 'a/', 'marker');
    expect((await store.list('lake')).objects.map((o) => o.key)).toEqual(['a', 'a/', 'x/y/z']);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('refuses a segment longer than the filesystem holds (255 bytes)', async () => {
    await store.put('lake', `d/${'n'.repeat(255)}`, 'ok');
    const err = await store.put('lake', `d/${'n'.repeat(256)}`, 'no').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/256 bytes.*255 bytes/);
    await expect(store.put('lake', `d/${'é'.repeat(128)}`, 'no')).rejects.toBeInstanceOf(ValidationError);
  });

  it('deletes leave no empty folders behind, and no temporary files', async () => {
    await store.put('lake', 'p/q/r/one', '1');
    await store.put('lake', 'p/q/two', '2');
    await store.put('lake', 'm/', 'marker');
    await store.delete('lake', 'p/q/r/one');
    expect(dirs(join(root, 'lake'))).toEqual(['p', 'p/q']);
    await store.delete('lake', 'p/q/two');
    await store.delete('lake', 'm/');
    expect(dirs(join(root, 'lake'))).toEqual([]);
    expect(files(root)).toEqual([]);
  });

  it('localPath validates the bucket and the key', () => {
    expect(() => store.localPath('nope', 'k')).toThrow(/declare/i);
    expect(() => store.localPath('lake', '../etc/passwd')).toThrow(ValidationError);
  });
});

describe('time', () => {
  it('lastModified and eventTime come from the store clock', async () => {
    await store.declare({ name: 'timed', notifications: [{ events: ['created'], target: 'fn:t' }] });
    await t.clock.advance(90_000);
    const head = await store.put('timed', 'k', 'v');
    expect(head.lastModified).toBe(t.clock.now());
    const [event] = await store.pendingEvents();
    expect(event!.record.eventTime).toBe(new Date(t.clock.now()).toISOString());
    expect(event!.record.awsRegion).toBe('us-east-1');
  });
});

describe('readers during writes', () => {
  it('a reader during a large put sees the old content or the new, never part', async () => {
    const old = Buffer.alloc(1 << 20, 'a');
    const next = Buffer.alloc(32 * 256 * 1024, 'b');
    await store.put('lake', 'big.bin', old);
    let done = false;
    async function* slowly() {
      for (let i = 0; i < 32; i++) {
        yield next.subarray(i * 256 * 1024, (i + 1) * 256 * 1024);
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    const writing = store.put('lake', 'big.bin', Readable.from(slowly())).finally(() => {
      done = true;
    });
    const early = await store.getStream('lake', 'big.bin');
    let readsDuring = 0;
    while (!done) {
      const { head, body } = await store.get('lake', 'big.bin');
      expect(`"${md5(body)}"`).toBe(head.etag);
      expect(body.equals(old) || body.equals(next)).toBe(true);
      if (!done) readsDuring++;
    }
    const head = await writing;
    expect(readsDuring).toBeGreaterThan(0);
    expect(head.etag).toBe(`"${md5(next)}"`);
    expect((await store.get('lake', 'big.bin')).body.equals(next)).toBe(true);
    // A stream opened before the replacement reads the version it opened, to its end.
    const chunks: Buffer[] = [];
    for await (const c of early.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(old)).toBe(true);
    expect(early.head.etag).toBe(`"${md5(old)}"`);
  });

  it('concurrent puts of one key leave one whole version, matching its metadata', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(100_000 + i, String(i)));
    await Promise.all(bodies.map((b) => store.put('lake', 'race', b)));
    const { head, body } = await store.get('lake', 'race');
    expect(bodies.some((b) => b.equals(body))).toBe(true);
    expect(head.etag).toBe(`"${md5(body)}"`);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });
});

describe('list on a large bucket', () => {
  const N = 100_000;

  beforeEach(async () => {
    await store.declare({ name: 'big', notifications: [] });
    // Rows only (a listing never opens files): 3 prefixes of ~33k keys each, and 10 top-level keys.
    const db = t.backend.context.db;
    const insert = db.prepare("INSERT INTO objects (bucket, key, path, escaped, size, etag, content_type, metadata, last_modified, seq) VALUES ('big', ?, ?, 0, 1, '\"x\"', 'binary/octet-stream', '{}', 0, 0)");
    db.transaction(() => {
      for (let i = 0; i < N; i++) {
        const key = `p${i % 3}/k${String(i).padStart(6, '0')}`;
        insert.run(key, `big/${key}`);
      }
      for (let i = 0; i < 10; i++) insert.run(`top${i}`, `big/top${i}`);
    })();
  });

  /** Counts the rows the list scans read from SQLite. */
  function countRows(): { rows: number } {
    const counter = { rows: 0 };
    const scan = store.state.q.scan;
    for (const name of ['after', 'from', 'afterBelow', 'fromBelow'] as const) {
      const statement = scan[name];
      scan[name] = new Proxy(statement, {
        get(target, prop) {
          if (prop === 'iterate') {
            return function* (...args: unknown[]): Generator<ObjectRow> {
              for (const row of target.iterate(...args)) {
                counter.rows++;
                yield row;
              }
            };
          }
          const value: unknown = Reflect.get(target, prop);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    }
    return counter;
  }

  it('a delimiter page seeks past each common prefix instead of reading its keys', async () => {
    const counter = countRows();
    const page = await store.list('big', { delimiter: '/' });
    expect(page.commonPrefixes).toEqual(['p0/', 'p1/', 'p2/']);
    expect(page.objects).toHaveLength(10);
    expect(counter.rows).toBeLessThanOrEqual(3 + 10 + 3);
  });

  it('a page reads about its own size, wherever it starts', async () => {
    const counter = countRows();
    const page = await store.list('big', { prefix: 'p1/', startAfter: 'p1/k090000', maxKeys: 500 });
    expect(page.objects).toHaveLength(500);
    expect(page.objects[0]!.key).toBe('p1/k090001');
    expect(counter.rows).toBeLessThanOrEqual(501);
    counter.rows = 0;
    const next = await store.list('big', { prefix: 'p1/', maxKeys: 500, continuationToken: page.nextContinuationToken! });
    expect(next.objects[0]!.key).toBe('p1/k091501');
    expect(counter.rows).toBeLessThanOrEqual(501);
  });

  it('every scan is a range search on the primary key', () => {
    const db = t.backend.context.db;
    const { after, from, afterBelow, fromBelow } = store.state.q.scan;
    for (const [statement, params] of [
      [after, ['big', 'p1/k5', 10]],
      [from, ['big', 'p1/k5', 10]],
      [afterBelow, ['big', 'p1/', 'p10', 10]],
      [fromBelow, ['big', 'p1/', 'p10', 10]],
    ] as const) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(...params) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' | ')).toMatch(/^SEARCH objects USING PRIMARY KEY \(bucket=\? AND key>/);
    }
  });
});
