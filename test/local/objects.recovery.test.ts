// Crash recovery of the local object store: each test stops a write between two of its steps, as
// a crash would (leaving exactly the rows and files a killed process leaves), then reopens the
// state directory and checks the object is complete or absent, never partial, with its events
// written exactly once. test/crash/ kills real processes at random moments on top of this.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/core/errors.ts';
import { placePut, reserveDelete, reservePut } from '../../src/backends/local/objects/intents.ts';
import { placeKey } from '../../src/backends/local/objects/keys.ts';
import type { IntentRow } from '../../src/backends/local/objects/queries.ts';
import { spool, type Spooled } from '../../src/backends/local/objects/spool.ts';
import type { LocalObjectStore } from '../../src/backends/local/objects/store.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');
/** A pid no process has (above Linux's and macOS's pid limits). */
const deadPid = 2_147_483_000;

let t: TestBackend;
const store = () => t.backend.objects as LocalObjectStore;
const tmpDir = () => join(t.dir, 'objects', '.tmp');
const intents = () => t.backend.context.db.prepare('SELECT * FROM object_intents').all() as IntentRow[];

beforeEach(async () => {
  t = makeLocalBackend();
  await store().declare({ name: 'lake', notifications: [{ events: ['created', 'removed'], target: 'fn:watch' }] });
});
afterEach(async () => {
  await t.close();
});

/** Steps 1 and 2 of a put (spool, intent), as a process killed right after recording the intent. */
async function putUntilIntent(key: string, body: string): Promise<{ spooled: Spooled; intent: IntentRow }> {
  const s = store().state;
  const spooled = await spool(s.layout, body, 'test');
  const reserved = reservePut(s, { bucket: 'lake', key, placement: placeKey('lake', key), spooled, contentType: 'text/plain', metadata: { step: 'two' }, eventName: 'ObjectCreated:Put' });
  if ('busy' in reserved) throw new Error('unexpected busy key');
  return { spooled, intent: reserved.intent };
}

async function events(): Promise<Array<[string, string]>> {
  return (await store().pendingEvents()).map((e) => [e.record.eventName, e.record.s3.object.key]);
}

describe('a put interrupted', () => {
  it('while streaming the body: nothing is visible and the dead process\'s temp file is removed on open', async () => {
    const { tmp } = await spool(store().state.layout, 'partial bo', 'test');
    renameSync(join(tmpDir(), tmp), join(tmpDir(), `${deadPid}-abcd1234-1`)); // as written by a process now gone
    await t.reopen();
    expect(readdirSync(tmpDir())).toEqual([]);
    await expect(store().head('lake', 'k')).rejects.toBeInstanceOf(NotFoundError);
    expect(await events()).toEqual([]);
  });

  it('a young temp file of a live process is left alone (it may be an upload in progress); an old one is removed', async () => {
    const { tmp } = await spool(store().state.layout, 'in progress', 'test');
    await t.reopen();
    expect(readdirSync(tmpDir())).toEqual([tmp]);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(tmpDir(), tmp), hourAgo, hourAgo);
    writeFileSync(join(tmpDir(), 'not-ours'), 'x');
    utimesSync(join(tmpDir(), 'not-ours'), hourAgo, hourAgo);
    await t.reopen();
    expect(readdirSync(tmpDir())).toEqual([]);
  });

  it('after its intent was recorded: reopening rolls it forward, content, metadata and event together', async () => {
    const old = await store().put('lake', 'dt=2026-01-01/a.json', 'version one');
    await putUntilIntent('dt=2026-01-01/a.json', 'version two');
    // Not committed yet: the metadata still describes the old version.
    expect(await store().head('lake', 'dt=2026-01-01/a.json')).toEqual(old);
    await t.reopen();
    const { head, body } = await store().get('lake', 'dt=2026-01-01/a.json');
    expect(body.toString()).toBe('version two');
    expect(head).toMatchObject({ size: 11, etag: `"${md5('version two')}"`, contentType: 'text/plain', metadata: { step: 'two' } });
    expect(await events()).toEqual([
      ['ObjectCreated:Put', 'dt%3D2026-01-01/a.json'],
      ['ObjectCreated:Put', 'dt%3D2026-01-01/a.json'],
    ]);
    expect(intents()).toEqual([]);
    expect(readdirSync(tmpDir())).toEqual([]);
    await t.reopen();
    expect(await events()).toHaveLength(2);
  });

  it('after the rename, before the metadata: reopening commits it', async () => {
    const { intent } = await putUntilIntent('logs/', 'marker v2');
    expect(placePut(store().state, intent)).toBe(true);
    expect(readFileSync(store().localPath('lake', 'logs/'), 'utf8')).toBe('marker v2');
    await expect(store().head('lake', 'logs/')).rejects.toBeInstanceOf(NotFoundError);
    await t.reopen();
    expect((await store().get('lake', 'logs/')).body.toString()).toBe('marker v2');
    expect(await events()).toEqual([['ObjectCreated:Put', 'logs/']]);
    expect(intents()).toEqual([]);
  });

  it('with its temp file gone and nothing in place: the intent is dropped and nothing appears', async () => {
    const { spooled } = await putUntilIntent('ghost', 'boo');
    unlinkSync(join(tmpDir(), spooled.tmp));
    await t.reopen();
    await expect(store().head('lake', 'ghost')).rejects.toBeInstanceOf(NotFoundError);
    expect(intents()).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('a later write of the key finishes a dead writer\'s intent before its own (no reopen)', async () => {
    await putUntilIntent('shared', 'from the dead writer');
    const head = await store().put('lake', 'shared', 'mine');
    expect(head.etag).toBe(`"${md5('mine')}"`);
    expect((await store().get('lake', 'shared')).body.toString()).toBe('mine');
    expect(await events()).toEqual([
      ['ObjectCreated:Put', 'shared'],
      ['ObjectCreated:Put', 'shared'],
    ]);
    expect(intents()).toEqual([]);
  });
});

describe('a delete interrupted', () => {
  it('after its row and event committed: reopening removes the file and the folders it leaves empty', async () => {
    await store().put('lake', 'x/y/z.txt', 'bye');
    await store().put('lake', 'x/keep.txt', 'stay');
    const path = store().localPath('lake', 'x/y/z.txt');
    const reserved = reserveDelete(store().state, 'lake', 'x/y/z.txt');
    expect(reserved && 'intent' in reserved).toBe(true);
    await expect(store().head('lake', 'x/y/z.txt')).rejects.toBeInstanceOf(NotFoundError);
    expect(existsSync(path)).toBe(true);
    await t.reopen();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(t.dir, 'objects', 'lake', 'x', 'y'))).toBe(false);
    expect(statSync(join(t.dir, 'objects', 'lake', 'x')).isDirectory()).toBe(true);
    expect((await store().list('lake')).objects.map((o) => o.key)).toEqual(['x/keep.txt']);
    expect((await events()).filter(([name]) => name === 'ObjectRemoved:Delete')).toEqual([['ObjectRemoved:Delete', 'x/y/z.txt']]);
    expect(intents()).toEqual([]);
    // The key is free again.
    await store().put('lake', 'x/y', 'now a file');
    expect((await store().get('lake', 'x/y')).body.toString()).toBe('now a file');
  });
});
