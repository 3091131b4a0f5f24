/**
 * The object store conformance suite: S3 semantics every backend must show through the port
 * (backend.objects, and backend.queues for queue notifications). Backend-specific behaviour (file
 * paths, crash recovery, the local filesystem's limits) is tested next to each backend.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionError, NotFoundError, ValidationError } from '../../src/core/errors.ts';
import type { Backend } from '../../src/ports/backend.ts';
import type { BucketNotification, ListOptions, ObjectStore } from '../../src/ports/objects.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

/** Every key (and common prefix) of a listing, page by page. */
async function listAll(objects: ObjectStore, bucket: string, options: ListOptions = {}): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await objects.list(bucket, { ...options, ...(token ? { continuationToken: token } : {}) });
    pages++;
    expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(options.maxKeys ?? 1000);
    expect(page.isTruncated).toBe(page.nextContinuationToken !== undefined);
    keys.push(...page.objects.map((o) => o.key));
    prefixes.push(...page.commonPrefixes);
    token = page.nextContinuationToken;
  } while (token);
  return { keys, prefixes, pages };
}

/** S3's list order: UTF-8 bytes. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The decoding S3 documents for event keys. */
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

const queueConfig = (name: string) => ({ name, visibilityTimeoutMs: 30_000, retentionMs: 345_600_000, delayMs: 0, maxMessageSize: 262_144 });

async function receiveRecords(backend: Backend, queue: string): Promise<S3EventRecord[]> {
  const messages = await backend.queues.receive(queue, { maxMessages: 10 });
  return messages.flatMap((m) => (JSON.parse(m.body) as { Records: S3EventRecord[] }).Records);
}

export function runObjectConformance(name: string, make: MakeBackend, skips?: Skips): void {
  const test = caseFor(skips);
  describe(`object store conformance: ${name}`, () => {
    let h: BackendHarness;
    let objects: ObjectStore;
    const declare = (bucket: string, notifications: BucketNotification[] = []) => objects.declare({ name: bucket, notifications });

    const open = async () => {
      h = await make();
      objects = h.backend.objects;
      await declare('data');
    };
    const close = async () => {
      await h.close();
    };
    /** A fresh, empty backend for each test of the enclosing describe. */
    const freshEachTest = () => {
      beforeEach(open);
      afterEach(close);
    };

    describe('buckets', () => {
      freshEachTest();
      it.each(['ab', 'Uppercase', 'under_score', '-leading', 'trailing-', 'two..dots', '192.168.5.4', 'x'.repeat(64), ''])('refuses the bucket name %j naming it', async (bad) => {
        const err = await objects.declare({ name: bad, notifications: [] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DefinitionError);
        expect((err as Error).message).toContain(JSON.stringify(bad));
      });

      test('accepts S3 names and re-declaring is idempotent', async () => {
        await declare('my.bucket-2026');
        await declare('my.bucket-2026');
        await objects.put('my.bucket-2026', 'k', 'v');
        await declare('my.bucket-2026', [{ events: ['created'], target: 'fn:x' }]);
        expect((await objects.get('my.bucket-2026', 'k')).body.toString()).toBe('v');
      });

      test('refuses a notification rule with two targets or none', async () => {
        await expect(declare('rules', [{ events: ['created'], queue: 'q', target: 'fn:x' }])).rejects.toBeInstanceOf(DefinitionError);
        await expect(declare('rules', [{ events: ['created'] }])).rejects.toBeInstanceOf(DefinitionError);
        await expect(declare('rules', [{ events: [], target: 'fn:x' }])).rejects.toBeInstanceOf(DefinitionError);
      });

      test('an undeclared bucket is NotFoundError telling to declare it, for every operation', async () => {
        const calls: Array<() => Promise<unknown>> = [
          () => objects.put('nope', 'k', 'v'),
          () => objects.get('nope', 'k'),
          () => objects.getStream('nope', 'k'),
          () => objects.head('nope', 'k'),
          () => objects.list('nope'),
          () => objects.delete('nope', 'k'),
          () => objects.copy({ bucket: 'data', key: 'k' }, { bucket: 'nope', key: 'k' }),
        ];
        for (const call of calls) {
          const err = await call().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(NotFoundError);
          expect((err as Error).message).toMatch(/"nope".*declare/is);
        }
      });
    });

    describe('put, get and head', () => {
      freshEachTest();
      test('stores a Buffer, a string, a Uint8Array and a stream, with etag = quoted MD5', async () => {
        const bodies: Array<[string, Buffer | string | Uint8Array | Readable, Buffer]> = [
          ['buffer', Buffer.from([0, 1, 2, 255]), Buffer.from([0, 1, 2, 255])],
          ['string', 'héllo wörld ✓', Buffer.from('héllo wörld ✓', 'utf8')],
          ['uint8', new Uint8Array([9, 8, 7]), Buffer.from([9, 8, 7])],
          ['stream', Readable.from([Buffer.from('ab'), Buffer.from('cd'), 'ef']), Buffer.from('abcdef')],
          ['empty', '', Buffer.alloc(0)],
        ];
        for (const [key, body, bytes] of bodies) {
          const put = await objects.put('data', key, body);
          expect(put).toMatchObject({ bucket: 'data', key, size: bytes.length, etag: `"${md5(bytes)}"` });
          const got = await objects.get('data', key);
          expect(got.body.equals(bytes), key).toBe(true);
          expect(got.head).toEqual(put);
          expect(await objects.head('data', key)).toEqual(put);
          const streamed = await objects.getStream('data', key);
          expect((await readAll(streamed.body)).equals(bytes)).toBe(true);
          expect(streamed.head).toEqual(put);
        }
      });

      test('stores a large streamed body intact', async () => {
        const chunk = Buffer.alloc(64 * 1024);
        const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(chunk.fill(i)));
        const all = Buffer.concat(chunks);
        const head = await objects.put('data', 'big.bin', Readable.from(chunks));
        expect(head.size).toBe(all.length);
        expect(head.etag).toBe(`"${md5(all)}"`);
        expect((await objects.get('data', 'big.bin')).body.equals(all)).toBe(true);
      });

      test('round-trips content type and user metadata (names in lower case), with S3 defaults', async () => {
        const plain = await objects.put('data', 'plain', 'x');
        expect(plain.contentType).toBe('binary/octet-stream');
        expect(plain.metadata).toEqual({});
        const head = await objects.put('data', 'typed.json', '{}', { contentType: 'application/json', metadata: { 'Source-File': 'a.csv', rows: '12' } });
        expect(head.contentType).toBe('application/json');
        expect(head.metadata).toEqual({ 'source-file': 'a.csv', rows: '12' });
        expect(await objects.head('data', 'typed.json')).toEqual(head);
      });

      test('overwrites: the new content, etag and metadata replace the old', async () => {
        await objects.put('data', 'k', 'old', { metadata: { v: '1' } });
        const head = await objects.put('data', 'k', 'new!');
        expect(head).toMatchObject({ size: 4, etag: `"${md5('new!')}"`, metadata: {} });
        expect((await objects.get('data', 'k')).body.toString()).toBe('new!');
        expect((await listAll(objects, 'data')).keys).toEqual(['k']);
      });

      test('records lastModified as a timestamp that does not go back on overwrite', async () => {
        const first = await objects.put('data', 'k', 'v');
        await h.clock.advance(1_000);
        const second = await objects.put('data', 'k', 'w');
        expect(Number.isInteger(first.lastModified)).toBe(true);
        expect(second.lastModified).toBeGreaterThanOrEqual(first.lastModified);
      });

      test('a missing key is NotFoundError naming the bucket and the key', async () => {
        for (const call of [() => objects.get('data', 'no/such.json'), () => objects.head('data', 'no/such.json'), () => objects.getStream('data', 'no/such.json')]) {
          const err = await call().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(NotFoundError);
          expect((err as Error).message).toContain('"no/such.json"');
          expect((err as Error).message).toContain('data');
        }
      });

      test('refuses invalid content type and metadata', async () => {
        await expect(objects.put('data', 'k', 'v', { contentType: 'text/plain\r\nX: y' })).rejects.toBeInstanceOf(ValidationError);
        await expect(objects.put('data', 'k', 'v', { metadata: { 'bad name': 'v' } })).rejects.toBeInstanceOf(ValidationError);
        await expect(objects.put('data', 'k', 'v', { metadata: { big: 'x'.repeat(2100) } })).rejects.toBeInstanceOf(ValidationError);
        await expect(objects.head('data', 'k')).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe('keys', () => {
      freshEachTest();
      const invalid: Array<[string, string, RegExp]> = [
        ['empty', '', /empty/],
        ['absolute', '/etc/passwd', /start with '\/'/],
        ['dot-dot segment', 'a/../b', /"\.\." segment/],
        ['dot-dot alone', '..', /"\.\." segment/],
        ['dot segment', 'a/./b', /"\." segment/],
        ['NUL', 'a\0b', /NUL/],
        ['over 1024 bytes', 'é/'.repeat(342), /1024 bytes/],
        ['lone surrogate', 'a\uD800b', /Unicode/],
      ];
      it.each(invalid)('refuses a key that is %s, naming bucket, key and rule', async (_what, key, rule) => {
        const err = await objects.put('data', key, 'v').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        const message = (err as Error).message;
        expect(message).toContain('"data"');
        expect(message).toContain(JSON.stringify(key).slice(0, 40));
        expect(message).toMatch(rule);
        await expect(objects.get('data', key)).rejects.toBeInstanceOf(ValidationError);
      });

      test('a refused write changes nothing: no object, no event', async () => {
        await declare('watched', [{ events: ['created', 'removed'], target: 'fn:w' }]);
        await expect(objects.put('watched', 'a/../b', 'v')).rejects.toBeInstanceOf(ValidationError);
        await expect(objects.put('watched', 'ok', 'v', { metadata: { 'no spaces': 'v' } })).rejects.toBeInstanceOf(ValidationError);
        await expect(objects.delete('watched', '/abs')).rejects.toBeInstanceOf(ValidationError);
        expect((await objects.list('watched')).objects).toEqual([]);
        expect(await objects.pendingEvents()).toEqual([]);
      });

      test('a 1024-byte key and keys with spaces, unicode and URL characters round-trip', async () => {
        const keys = [
          `${'k'.repeat(200)}/`.repeat(5) + 'x'.repeat(19),
          'red flower (1).jpg',
          'dt=2026-01-01/hour=05/part 0+1%2F.json',
          'ünïcødé/日本語/😀.txt',
          "odd!'*~@$&,;:?#[]{}^`|\\.txt",
        ];
        expect(Buffer.byteLength(keys[0]!)).toBe(1024);
        for (const key of keys) {
          await objects.put('data', key, key);
          expect((await objects.get('data', key)).body.toString()).toBe(key);
        }
        expect((await listAll(objects, 'data')).keys).toEqual([...keys].sort(byteOrder));
      });

      test('folder markers (trailing /) and empty segments are ordinary, separate keys', async () => {
        const keys = ['logs/', 'logs/app.log', 'a//b', 'a/b', 'a/', 'a//', 'b/c/'];
        for (const key of keys) await objects.put('data', key, `<${key}>`);
        for (const key of keys) expect((await objects.get('data', key)).body.toString()).toBe(`<${key}>`);
        expect((await listAll(objects, 'data')).keys).toEqual([...keys].sort(byteOrder));
        expect((await objects.list('data', { prefix: 'logs/', delimiter: '/' })).objects.map((o) => o.key)).toEqual(['logs/', 'logs/app.log']);
        await objects.delete('data', 'a//');
        expect((await objects.get('data', 'a//b')).body.toString()).toBe('<a//b>');
      });
    });

    describe('list', () => {
      // 3 days × 4 hours × 8 parts = 96 partitioned keys, plus 200 flat keys and a few odd ones.
      const partitioned = [1, 2, 3].flatMap((d) => [0, 5, 10, 23].flatMap((hr) => Array.from({ length: 8 }, (_, p) => `lake/dt=2026-01-0${d}/hour=${String(hr).padStart(2, '0')}/part-${p}.json`)));
      const flat = Array.from({ length: 200 }, (_, i) => `flat/${String(i).padStart(4, '0')}`);
      const odd = ['z', 'é', 'Ａ', '😀', 'lake/dt=2026-01-01/_SUCCESS', 'lake-other', 'lake/readme.md'];
      const all = [...partitioned, ...flat, ...odd].sort(byteOrder);

      // Listing tests only read, so they share one backend filled once.
      beforeAll(async () => {
        await open();
        const keys = [...partitioned, ...flat, ...odd];
        for (let i = 0; i < keys.length; i += 25) await Promise.all(keys.slice(i, i + 25).map((k) => objects.put('data', k, k)));
      });
      afterAll(close);

      test('returns every key once, in UTF-8 byte order, across pages', async () => {
        const { keys, pages } = await listAll(objects, 'data', { maxKeys: 7 });
        expect(keys).toEqual(all);
        expect(pages).toBe(Math.ceil(all.length / 7));
        const one = await objects.list('data');
        expect(one.objects.map((o) => o.key)).toEqual(all);
        expect(one.isTruncated).toBe(false);
        expect(one.nextContinuationToken).toBeUndefined();
        expect(one.objects.find((o) => o.key === 'z')).toMatchObject({ bucket: 'data', size: 1, etag: `"${md5('z')}"` });
      });

      test('filters by prefix', async () => {
        expect((await listAll(objects, 'data', { prefix: 'lake/dt=2026-01-02/', maxKeys: 5 })).keys).toEqual(all.filter((k) => k.startsWith('lake/dt=2026-01-02/')));
        expect((await listAll(objects, 'data', { prefix: 'flat/01' })).keys).toHaveLength(100);
        expect((await listAll(objects, 'data', { prefix: 'nothing/' })).keys).toEqual([]);
      });

      test('groups by delimiter into common prefixes', async () => {
        const top = await objects.list('data', { delimiter: '/' });
        expect(top.commonPrefixes).toEqual(['flat/', 'lake/']);
        expect(top.objects.map((o) => o.key)).toEqual(['lake-other', 'z', 'é', 'Ａ', '😀']);
        const days = await objects.list('data', { prefix: 'lake/', delimiter: '/' });
        expect(days.commonPrefixes).toEqual(['lake/dt=2026-01-01/', 'lake/dt=2026-01-02/', 'lake/dt=2026-01-03/']);
        expect(days.objects.map((o) => o.key)).toEqual(['lake/readme.md']);
        const hours = await objects.list('data', { prefix: 'lake/dt=2026-01-01/', delimiter: '/' });
        expect(hours.commonPrefixes).toEqual(['lake/dt=2026-01-01/hour=00/', 'lake/dt=2026-01-01/hour=05/', 'lake/dt=2026-01-01/hour=10/', 'lake/dt=2026-01-01/hour=23/']);
        expect(hours.objects.map((o) => o.key)).toEqual(['lake/dt=2026-01-01/_SUCCESS']);
        const byEquals = await objects.list('data', { prefix: 'lake/', delimiter: '=' });
        expect(byEquals.commonPrefixes).toEqual(['lake/dt=']);
      });

      test('counts keys and common prefixes together toward maxKeys and pages through both without repeats', async () => {
        const first = await objects.list('data', { prefix: 'lake/dt=2026-01-01/', delimiter: '/', maxKeys: 2 });
        // '_' (0x5F) sorts before 'h' (0x68)
        expect(first.objects.map((o) => o.key)).toEqual(['lake/dt=2026-01-01/_SUCCESS']);
        expect(first.commonPrefixes).toEqual(['lake/dt=2026-01-01/hour=00/']);
        expect(first.isTruncated).toBe(true);
        const paged = await listAll(objects, 'data', { prefix: 'lake/dt=2026-01-01/', delimiter: '/', maxKeys: 2 });
        expect(paged.prefixes).toEqual(['lake/dt=2026-01-01/hour=00/', 'lake/dt=2026-01-01/hour=05/', 'lake/dt=2026-01-01/hour=10/', 'lake/dt=2026-01-01/hour=23/']);
        expect(paged.keys).toEqual(['lake/dt=2026-01-01/_SUCCESS']);
        expect(paged.pages).toBe(3);
        const top = await listAll(objects, 'data', { delimiter: '/', maxKeys: 1 });
        expect(top.prefixes).toEqual(['flat/', 'lake/']);
        expect(top.keys).toEqual(['lake-other', 'z', 'é', 'Ａ', '😀']);
        expect(top.pages).toBe(7);
      });

      test('starts after startAfter, also combined with prefix and continuation', async () => {
        expect((await listAll(objects, 'data', { startAfter: 'lake/readme.md' })).keys).toEqual(all.filter((k) => byteOrder(k, 'lake/readme.md') > 0));
        expect((await listAll(objects, 'data', { startAfter: 'flat/0150', prefix: 'flat/', maxKeys: 10 })).keys).toEqual(flat.slice(151));
        expect((await listAll(objects, 'data', { startAfter: 'a', prefix: 'flat/0' })).keys).toHaveLength(200);
        expect((await listAll(objects, 'data', { startAfter: '😀' })).keys).toEqual([]);
      });

      test('caps maxKeys at 1000 and treats 0 as an empty page', async () => {
        const big = await objects.list('data', { maxKeys: 5000 });
        expect(big.objects).toHaveLength(all.length);
        const none = await objects.list('data', { maxKeys: 0 });
        expect(none.objects).toEqual([]);
        expect(none.commonPrefixes).toEqual([]);
      });

      test('refuses a continuation token it did not issue', async () => {
        await expect(objects.list('data', { continuationToken: 'garbage!' })).rejects.toBeInstanceOf(ValidationError);
      });

      test('an empty bucket lists nothing', async () => {
        await declare('empty');
        expect(await objects.list('empty', { delimiter: '/' })).toEqual({ objects: [], commonPrefixes: [], isTruncated: false });
      });
    });

    describe('large pages', () => {
      freshEachTest();

      test('caps a page at 1000 keys and continues', async () => {
        const keys = Array.from({ length: 1003 }, (_, i) => `k${String(i).padStart(5, '0')}`);
        for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => objects.put('data', k, '')));
        const page = await objects.list('data', { maxKeys: 2000 });
        expect(page.objects).toHaveLength(1000);
        expect(page.isTruncated).toBe(true);
        const rest = await objects.list('data', { continuationToken: page.nextContinuationToken! });
        expect(rest.objects.map((o) => o.key)).toEqual(keys.slice(1000));
        expect(rest.isTruncated).toBe(false);
      }, 60_000);
    });

    describe('delete', () => {
      freshEachTest();
      test('removes the object; deleting a missing key succeeds', async () => {
        await objects.put('data', 'a/b/c.txt', 'v');
        await objects.delete('data', 'a/b/c.txt');
        await expect(objects.head('data', 'a/b/c.txt')).rejects.toBeInstanceOf(NotFoundError);
        await expect(objects.get('data', 'a/b/c.txt')).rejects.toBeInstanceOf(NotFoundError);
        expect((await objects.list('data')).objects).toEqual([]);
        await objects.delete('data', 'a/b/c.txt');
        await objects.delete('data', 'never/was');
      });

      test('after deleting a/b/c, a and a/b can be objects themselves', async () => {
        await objects.put('data', 'a/b/c', '1');
        await objects.delete('data', 'a/b/c');
        await objects.put('data', 'a/b', '2');
        await objects.delete('data', 'a/b');
        await objects.put('data', 'a', '3');
        expect((await listAll(objects, 'data')).keys).toEqual(['a']);
      });
    });

    describe('copy', () => {
      freshEachTest();
      test('copies content, etag, content type and metadata, within and across buckets', async () => {
        await declare('other');
        const source = await objects.put('data', 'src/a.json', '{"a":1}', { contentType: 'application/json', metadata: { origin: 'test' } });
        const same = await objects.copy({ bucket: 'data', key: 'src/a.json' }, { bucket: 'data', key: 'dst/a.json' });
        const across = await objects.copy({ bucket: 'data', key: 'src/a.json' }, { bucket: 'other', key: 'a.json' });
        for (const [head, bucket, key] of [[same, 'data', 'dst/a.json'], [across, 'other', 'a.json']] as const) {
          expect(head).toMatchObject({ bucket, key, size: source.size, etag: source.etag, contentType: 'application/json', metadata: { origin: 'test' } });
          expect((await objects.get(bucket, key)).body.toString()).toBe('{"a":1}');
        }
        expect(await objects.head('data', 'src/a.json')).toEqual(source);
      });

      test('overwrites the destination; a missing source is NotFoundError; a copy onto itself is refused', async () => {
        await objects.put('data', 'from', 'new');
        await objects.put('data', 'to', 'old');
        await objects.copy({ bucket: 'data', key: 'from' }, { bucket: 'data', key: 'to' });
        expect((await objects.get('data', 'to')).body.toString()).toBe('new');
        await expect(objects.copy({ bucket: 'data', key: 'missing' }, { bucket: 'data', key: 'x' })).rejects.toBeInstanceOf(NotFoundError);
        await expect(objects.head('data', 'x')).rejects.toBeInstanceOf(NotFoundError);
        await expect(objects.copy({ bucket: 'data', key: 'from' }, { bucket: 'data', key: 'from' })).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('events', () => {
      freshEachTest();
      const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

      test('writes an S3 event record to the outbox for a matching rule, filtered by prefix and suffix', async () => {
        await declare('inbox', [{ id: 'json-in', events: ['created'], prefix: 'incoming/', suffix: '.json', target: 'fn:ingest' }]);
        const head = await objects.put('inbox', 'incoming/a b.json', '{"x":1}');
        await objects.put('inbox', 'incoming/a.csv', 'x');
        await objects.put('inbox', 'other/a.json', 'x');
        await objects.delete('inbox', 'incoming/a b.json');
        const events = await objects.pendingEvents();
        expect(events).toHaveLength(1);
        const [event] = events;
        expect(event!.target).toBe('fn:ingest');
        const r = event!.record;
        expect(r).toMatchObject({
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: expect.any(String) },
          requestParameters: { sourceIPAddress: expect.any(String) },
          responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'json-in',
            bucket: { name: 'inbox', ownerIdentity: { principalId: expect.any(String) }, arn: 'arn:aws:s3:::inbox' },
            object: { key: 'incoming/a+b.json', size: 7, eTag: md5('{"x":1}'), sequencer: expect.stringMatching(/^[0-9A-F]+$/) },
          },
        });
        expect(typeof r.awsRegion).toBe('string');
        expect(r.eventTime).toMatch(isoTime);
        expect(`"${r.s3.object.eTag}"`).toBe(head.etag);
      });

      test('removed events: ObjectRemoved:Delete without size or eTag; none for a missing key', async () => {
        await declare('gone', [{ events: ['removed'], target: 'fn:cleanup' }]);
        await objects.put('gone', 'k', 'v');
        await objects.delete('gone', 'k');
        await objects.delete('gone', 'never-existed');
        const events = await objects.pendingEvents();
        expect(events.map((e) => e.record.eventName)).toEqual(['ObjectRemoved:Delete']);
        expect(events[0]!.record.s3.object.key).toBe('k');
        expect(events[0]!.record.s3.object).not.toHaveProperty('size');
        expect(events[0]!.record.s3.object).not.toHaveProperty('eTag');
      });

      test('a copy is ObjectCreated:Copy; each matching rule gets its own record; sequencers increase per key', async () => {
        await declare('multi', [
          { id: 'all', events: ['created', 'removed'], target: 'fn:a' },
          { id: 'copies', events: ['created'], prefix: 'copy/', target: 'fn:b' },
        ]);
        await objects.put('multi', 'orig', '1');
        await objects.put('multi', 'orig', '2');
        await objects.copy({ bucket: 'multi', key: 'orig' }, { bucket: 'multi', key: 'copy/orig' });
        await objects.delete('multi', 'orig');
        const events = await objects.pendingEvents();
        expect(events.map((e) => [e.target, e.record.s3.configurationId, e.record.eventName, e.record.s3.object.key])).toEqual([
          ['fn:a', 'all', 'ObjectCreated:Put', 'orig'],
          ['fn:a', 'all', 'ObjectCreated:Put', 'orig'],
          ['fn:a', 'all', 'ObjectCreated:Copy', 'copy/orig'],
          ['fn:b', 'copies', 'ObjectCreated:Copy', 'copy/orig'],
          ['fn:a', 'all', 'ObjectRemoved:Delete', 'orig'],
        ]);
        const seqs = events.filter((e) => e.record.s3.object.key === 'orig').map((e) => e.record.s3.object.sequencer);
        // S3: compare sequencers of one key as hex strings padded to the same length.
        const width = Math.max(...seqs.map((s) => s.length));
        const padded = seqs.map((s) => s.padStart(width, '0'));
        expect([...padded].sort()).toEqual(padded);
        expect(new Set(padded).size).toBe(padded.length);
      });

      test('pendingEvents returns oldest first up to a limit; ackEvents clears them', async () => {
        await declare('outbox', [{ events: ['created'], target: 'fn:x' }]);
        for (let i = 0; i < 5; i++) await objects.put('outbox', `k${i}`, 'v');
        const firstTwo = await objects.pendingEvents(2);
        expect(firstTwo.map((e) => e.record.s3.object.key)).toEqual(['k0', 'k1']);
        await objects.ackEvents(firstTwo.map((e) => e.id));
        expect((await objects.pendingEvents()).map((e) => e.record.s3.object.key)).toEqual(['k2', 'k3', 'k4']);
        await objects.ackEvents((await objects.pendingEvents()).map((e) => e.id));
        expect(await objects.pendingEvents()).toEqual([]);
      });

      test('delivers to a queue as an S3 event message, with the key URL-encoded as S3 does', async () => {
        await h.backend.queues.declare(queueConfig('uploads'));
        await declare('drop', [{ id: 'to-queue', events: ['created', 'removed'], prefix: 'in/', queue: 'uploads' }]);
        const key = 'in/dt=2026-01-01/red flower (1) é+ü.json';
        const head = await objects.put('drop', key, 'payload');
        await objects.put('drop', 'elsewhere/x.json', 'ignored');
        const records = await receiveRecords(h.backend, 'uploads');
        expect(records).toHaveLength(1);
        const r = records[0]!;
        expect(r).toMatchObject({ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { configurationId: 'to-queue', bucket: { name: 'drop', arn: 'arn:aws:s3:::drop' } } });
        expect(r.s3.object.key).toBe('in/dt%3D2026-01-01/red+flower+%281%29+%C3%A9%2B%C3%BC.json');
        expect(decodeKey(r.s3.object.key)).toBe(key);
        expect(r.s3.object.size).toBe(7);
        expect(`"${r.s3.object.eTag}"`).toBe(head.etag);
        expect(await objects.pendingEvents()).toEqual([]);

        await objects.delete('drop', key);
        const removed = await receiveRecords(h.backend, 'uploads');
        expect(removed.map((x) => [x.eventName, decodeKey(x.s3.object.key)])).toEqual([['ObjectRemoved:Delete', key]]);
      });

      test('keys with spaces and unicode arrive encoded and decode back', async () => {
        await h.backend.queues.declare(queueConfig('keys'));
        await declare('names', [{ events: ['created'], queue: 'keys' }]);
        const keys = ['a b/c d.txt', '日本語/ファイル.csv', 'emoji 😀.bin', "sym!'()*~@&$,;:=?.txt", 'plus+sign', '100%'];
        for (const key of keys) await objects.put('names', key, 'v');
        const got: string[] = [];
        for (let round = 0; round < 5 && got.length < keys.length; round++) got.push(...(await receiveRecords(h.backend, 'keys')).map((r) => r.s3.object.key));
        expect(got.map(decodeKey).sort()).toEqual([...keys].sort());
        for (const encoded of got) expect(encoded).not.toMatch(/[ ]/);
      });
    });

    describe('durability', () => {
      freshEachTest();

      it('keeps objects across a reopen', async ({ skip }) => {
        if (!h.reopen) return skip('this harness cannot reopen its backend');
        const head = await objects.put('data', 'durable/k', 'still here', { contentType: 'text/plain' });
        const backend = await h.reopen();
        objects = backend.objects;
        expect(await objects.head('data', 'durable/k')).toEqual(head);
        expect((await objects.get('data', 'durable/k')).body.toString()).toBe('still here');
      });
    });
  });
}
