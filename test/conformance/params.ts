/**
 * The parameter store conformance suite: SSM Parameter Store semantics every backend must show
 * through the port (backend.params). How a backend keeps secrets at rest (files, keys, SQLite) is
 * tested next to each backend.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';
import { ConditionFailedError, NotFoundError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import type { ParamStore } from '../../src/ports/params.ts';
import type { BackendHarness, MakeBackend } from '../helpers/backend-factory.ts';
import { caseFor, type Skips } from './skips.ts';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A distinctive secret: if any part of it shows up in a message, the test sees it. */
const SECRET = 'hunter2-S3CR3T-value';

/** `skips`: case title -> why this backend cannot give that guarantee (see skips.ts). */
export function runParamConformance(name: string, make: MakeBackend, skips?: Skips): void {
  const test = caseFor(skips);
  describe(`params conformance: ${name}`, () => {
    let h: BackendHarness;
    let params: ParamStore;

    beforeEach(async () => {
      h = await make();
      params = h.backend.params;
    });
    afterEach(async () => {
      await h.close();
    });

    describe('put and get', () => {
      test('stores a String at version 1 with the clock time, type String by default', async () => {
        expect(await params.put('/app/ingest/cursor', { value: '42' })).toEqual({ version: 1 });
        expect(await params.get('/app/ingest/cursor')).toEqual({
          name: '/app/ingest/cursor',
          type: 'String',
          value: '42',
          version: 1,
          lastModified: h.clock.now(),
        });
      });

      test('keeps a StringList as the comma-separated string SSM stores', async () => {
        await params.put('/app/hosts', { value: 'a.example,b.example,c.example', type: 'StringList', description: 'upstream hosts' });
        const p = await params.get('/app/hosts');
        expect(p.type).toBe('StringList');
        expect(p.value.split(',')).toEqual(['a.example', 'b.example', 'c.example']);
      });

      test('returns the description with get', async () => {
        await params.put('/app/hosts', { value: 'a.example,b.example', type: 'StringList', description: 'upstream hosts' });
        expect((await params.get('/app/hosts')).description).toBe('upstream hosts');
      });

      test('keeps the description in history, and on an overwrite that gives none', async () => {
        await params.put('/app/d', { value: 'one', description: 'the first' });
        await params.put('/app/d', { value: 'two', overwrite: true });
        await params.put('/app/d', { value: 'three', overwrite: true, description: 'the third' });
        expect((await params.history('/app/d')).map((p) => p.description)).toEqual(['the first', 'the first', 'the third']);
      });

      test('accepts a name without levels', async () => {
        await params.put('plain-name', { value: 'v' });
        expect((await params.get('plain-name')).value).toBe('v');
      });

      test('refuses to replace an existing parameter without overwrite, naming it and the fix', async () => {
        await params.put('/app/x', { value: 'one' });
        const err = await rejection(params.put('/app/x', { value: 'two' }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toContain('/app/x');
        expect(err.message).toContain('overwrite');
        expect((await params.get('/app/x')).value).toBe('one');
      });

      test('replaces with overwrite, incrementing the version and keeping the old version readable', async () => {
        await params.put('/app/x', { value: 'one' });
        await h.clock.advance(5000);
        expect(await params.put('/app/x', { value: 'two', overwrite: true })).toEqual({ version: 2 });
        const latest = await params.get('/app/x');
        expect(latest).toMatchObject({ value: 'two', version: 2, lastModified: h.clock.now() });
        expect(await params.get('/app/x', { version: 1 })).toMatchObject({ value: 'one', version: 1, lastModified: h.clock.now() - 5000 });
      });

      test('keeps the type on an overwrite that gives none', async () => {
        await params.put('/app/s', { value: SECRET, type: 'SecureString', description: 'api token' });
        await params.put('/app/s', { value: `${SECRET}-2`, overwrite: true });
        const p = await params.get('/app/s', { withDecryption: true });
        expect(p).toMatchObject({ type: 'SecureString', value: `${SECRET}-2`, version: 2 });
      });

      test('keeps the description with get on an overwrite that gives none', async () => {
        await params.put('/app/s', { value: SECRET, type: 'SecureString', description: 'api token' });
        await params.put('/app/s', { value: `${SECRET}-2`, overwrite: true });
        expect((await params.get('/app/s')).description).toBe('api token');
      });

      test('changes the type when an overwrite gives another one', async () => {
        await params.put('/app/t', { value: 'a' });
        await params.put('/app/t', { value: 'a,b', type: 'StringList', overwrite: true });
        expect((await params.get('/app/t')).type).toBe('StringList');
      });

      test('get of a missing parameter is a NotFoundError naming it; find gives undefined', async () => {
        const err = await rejection(params.get('/app/missing'));
        expect(err).toBeInstanceOf(NotFoundError);
        expect(err.message).toContain('/app/missing');
        expect(await params.find('/app/missing')).toBeUndefined();
      });

      test('find returns the latest version', async () => {
        await params.put('/app/f', { value: '1' });
        await params.put('/app/f', { value: '2', overwrite: true });
        expect(await params.find('/app/f')).toMatchObject({ value: '2', version: 2 });
      });

      test('get of a version that does not exist is a NotFoundError naming the version', async () => {
        await params.put('/app/v', { value: '1' });
        const err = await rejection(params.get('/app/v', { version: 7 }));
        expect(err).toBeInstanceOf(NotFoundError);
        expect(err.message).toContain('/app/v');
        expect(err.message).toContain('7');
      });

      test('rejects an unknown type, an empty value and a bad version', async () => {
        expect(await rejection(params.put('/app/a', { value: 'x', type: 'Secret' as never }))).toBeInstanceOf(ValidationError);
        expect(await rejection(params.put('/app/a', { value: '' }))).toBeInstanceOf(ValidationError);
        await params.put('/app/a', { value: 'x' });
        expect(await rejection(params.get('/app/a', { version: 0 }))).toBeInstanceOf(ValidationError);
      });
    });

    describe('value size', () => {
      test(`accepts ${defaults.params.maxValueBytes} bytes and refuses one more, counting UTF-8 bytes`, async () => {
        await params.put('/size/max', { value: 'x'.repeat(defaults.params.maxValueBytes) });
        expect((await params.get('/size/max')).value).toHaveLength(defaults.params.maxValueBytes);
        const err = await rejection(params.put('/size/over', { value: 'x'.repeat(defaults.params.maxValueBytes + 1) }));
        expect(err).toBeInstanceOf(TooLargeError);
        expect(err.message).toContain('/size/over');
        expect(err.message).toContain(String(defaults.params.maxValueBytes + 1));
        expect(err.message).toContain(String(defaults.params.maxValueBytes));
        // 'é' is 2 bytes in UTF-8: half the limit in characters is the whole limit in bytes.
        await params.put('/size/utf8', { value: 'é'.repeat(defaults.params.maxValueBytes / 2) });
        expect(await rejection(params.put('/size/utf8-over', { value: 'é'.repeat(defaults.params.maxValueBytes / 2 + 1) }))).toBeInstanceOf(TooLargeError);
      });
    });

    describe('SecureString', () => {
      test('returns the value only with withDecryption, else the stored ciphertext', async () => {
        await params.put('/app/token', { value: SECRET, type: 'SecureString' });
        const hidden = await params.get('/app/token');
        expect(hidden.type).toBe('SecureString');
        expect(hidden.value).not.toContain(SECRET);
        expect(hidden.value).not.toBe('');
        expect((await params.get('/app/token', { withDecryption: true })).value).toBe(SECRET);
        expect((await params.find('/app/token'))?.value).toBe(hidden.value);
        expect((await params.find('/app/token', { withDecryption: true }))?.value).toBe(SECRET);
      });

      test('applies withDecryption in getByPath and history too', async () => {
        await params.put('/sec/a', { value: SECRET, type: 'SecureString' });
        await params.put('/sec/a', { value: `${SECRET}-2`, overwrite: true });
        expect((await params.getByPath('/sec')).map((p) => p.value)).not.toContain(`${SECRET}-2`);
        expect((await params.getByPath('/sec', { withDecryption: true })).map((p) => p.value)).toEqual([`${SECRET}-2`]);
        expect((await params.history('/sec/a')).some((p) => p.value.includes(SECRET))).toBe(false);
        expect((await params.history('/sec/a', { withDecryption: true })).map((p) => p.value)).toEqual([SECRET, `${SECRET}-2`]);
      });

      test('encrypts the same value differently each time (a random IV per value)', async () => {
        await params.put('/sec/same', { value: SECRET, type: 'SecureString' });
        await params.put('/sec/same', { value: SECRET, type: 'SecureString', overwrite: true });
        const [v1, v2] = await params.history('/sec/same');
        expect(v1!.value).not.toBe(v2!.value);
      });

      test('never puts the value in an error message', async () => {
        const long = `${SECRET}${'#'.repeat(defaults.params.maxValueBytes)}`;
        const tooLong = await rejection(params.put('/sec/long', { value: long, type: 'SecureString' }));
        expect(tooLong).toBeInstanceOf(TooLargeError);
        expect(tooLong.message).toContain(String(Buffer.byteLength(long)));
        await params.put('/sec/x', { value: SECRET, type: 'SecureString' });
        const exists = await rejection(params.put('/sec/x', { value: `${SECRET}-new`, type: 'SecureString' }));
        const cas = await rejection(params.put('/sec/x', { value: `${SECRET}-cas`, type: 'SecureString', expectedVersion: 5 }));
        const badName = await rejection(params.put('/sec/bad name', { value: SECRET, type: 'SecureString' }));
        for (const err of [tooLong, exists, cas, badName]) {
          expect(err.message).not.toContain('hunter2');
          expect(JSON.stringify(err)).not.toContain('hunter2');
          expect(String(err.stack)).not.toContain('hunter2');
        }
      });
    });

    describe('getByPath', () => {
      beforeEach(async () => {
        for (const n of ['/app/a', '/app/b', '/app/sub/c', '/app/sub/deep/d', '/app2/e', '/other/f', '/top']) await params.put(n, { value: n });
      });

      test('returns the direct children only, by name', async () => {
        expect((await params.getByPath('/app')).map((p) => p.name)).toEqual(['/app/a', '/app/b']);
      });

      test('returns the whole subtree with recursive, and nothing of a sibling sharing the prefix', async () => {
        expect((await params.getByPath('/app', { recursive: true })).map((p) => p.name)).toEqual(['/app/a', '/app/b', '/app/sub/c', '/app/sub/deep/d']);
      });

      test('accepts a trailing slash and the root', async () => {
        expect((await params.getByPath('/app/sub/')).map((p) => p.name)).toEqual(['/app/sub/c']);
        expect((await params.getByPath('/')).map((p) => p.name)).toEqual(['/top']);
        expect(await params.getByPath('/', { recursive: true })).toHaveLength(7);
      });

      test('returns an empty list for a path with nothing under it', async () => {
        expect(await params.getByPath('/nothing/here')).toEqual([]);
      });

      test("rejects a path that does not start with '/', naming it", async () => {
        const err = await rejection(params.getByPath('app'));
        expect(err).toBeInstanceOf(ValidationError);
        expect(err.message).toContain('"app"');
        expect(err.message).toContain("'/'");
      });

      test('returns the latest version of each parameter', async () => {
        await params.put('/app/a', { value: 'newer', overwrite: true });
        expect((await params.getByPath('/app')).find((p) => p.name === '/app/a')).toMatchObject({ value: 'newer', version: 2 });
      });
    });

    describe('delete', () => {
      test('removes the parameter and its history; a later put starts again at version 1', async () => {
        await params.put('/d/x', { value: '1' });
        await params.put('/d/x', { value: '2', overwrite: true });
        await params.delete('/d/x');
        expect(await params.find('/d/x')).toBeUndefined();
        expect(await rejection(params.history('/d/x'))).toBeInstanceOf(NotFoundError);
        expect(await params.getByPath('/d')).toEqual([]);
        expect(await params.put('/d/x', { value: '3' })).toEqual({ version: 1 });
      });

      test('is a NotFoundError for a missing parameter', async () => {
        const err = await rejection(params.delete('/d/missing'));
        expect(err).toBeInstanceOf(NotFoundError);
        expect(err.message).toContain('/d/missing');
      });
    });

    describe('history', () => {
      test('lists every version oldest first', async () => {
        for (let i = 1; i <= 3; i++) {
          await params.put('/h/x', { value: `v${i}`, overwrite: true });
          await h.clock.advance(1000);
        }
        const list = await params.history('/h/x');
        expect(list.map((p) => [p.version, p.value])).toEqual([
          [1, 'v1'],
          [2, 'v2'],
          [3, 'v3'],
        ]);
        expect(list[1]!.lastModified - list[0]!.lastModified).toBe(1000);
      });

      test(`keeps at most ${defaults.params.maxHistory} versions, dropping the oldest`, async () => {
        const total = defaults.params.maxHistory + 5;
        for (let i = 1; i <= total; i++) await params.put('/h/many', { value: `v${i}`, overwrite: true });
        const list = await params.history('/h/many');
        expect(list).toHaveLength(defaults.params.maxHistory);
        expect(list[0]!.version).toBe(6);
        expect(list.at(-1)!.version).toBe(total);
        expect(await rejection(params.get('/h/many', { version: 5 }))).toBeInstanceOf(NotFoundError);
        expect((await params.get('/h/many', { version: 6 })).value).toBe('v6');
      });

      test('is a NotFoundError for a missing parameter', async () => {
        expect(await rejection(params.history('/h/missing'))).toBeInstanceOf(NotFoundError);
      });
    });

    describe('compare-and-set (expectedVersion)', () => {
      test('expectedVersion 0 creates only if absent', async () => {
        expect(await params.put('/cas/x', { value: 'a', expectedVersion: 0 })).toEqual({ version: 1 });
        const err = await rejection(params.put('/cas/x', { value: 'b', expectedVersion: 0 }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toContain('/cas/x');
        expect(err.message).toMatch(/expected version 0/);
        expect(err.message).toMatch(/current version is 1/);
        expect((await params.get('/cas/x')).value).toBe('a');
      });

      test('replaces at the expected version without the overwrite flag', async () => {
        await params.put('/cas/y', { value: 'a' });
        expect(await params.put('/cas/y', { value: 'b', expectedVersion: 1 })).toEqual({ version: 2 });
        expect((await params.get('/cas/y')).value).toBe('b');
      });

      test('fails naming the parameter, the expected and the actual version, and writes nothing', async () => {
        await params.put('/cas/z', { value: 'a' });
        await params.put('/cas/z', { value: 'b', overwrite: true });
        const err = await rejection(params.put('/cas/z', { value: 'c', expectedVersion: 1, overwrite: true }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toContain('/cas/z');
        expect(err.message).toMatch(/expected version 1\b/);
        expect(err.message).toMatch(/current version is 2\b/);
        expect(await params.get('/cas/z')).toMatchObject({ value: 'b', version: 2 });
      });

      test('fails on a parameter that does not exist when a version is expected', async () => {
        const err = await rejection(params.put('/cas/none', { value: 'a', expectedVersion: 3 }));
        expect(err).toBeInstanceOf(ConditionFailedError);
        expect(err.message).toMatch(/expected version 3/);
        expect(err.message).toMatch(/does not exist/);
      });

      test('of two runs advancing the same checkpoint at once, exactly one wins', async () => {
        await params.put('/cas/cursor', { value: '0' });
        const results = await Promise.allSettled([params.put('/cas/cursor', { value: '10', expectedVersion: 1 }), params.put('/cas/cursor', { value: '20', expectedVersion: 1 })]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected');
        expect(rejected?.reason).toBeInstanceOf(ConditionFailedError);
        expect((await params.get('/cas/cursor')).version).toBe(2);
      });

      test('rejects a negative or fractional expectedVersion', async () => {
        expect(await rejection(params.put('/cas/n', { value: 'a', expectedVersion: -1 }))).toBeInstanceOf(ValidationError);
        expect(await rejection(params.put('/cas/n', { value: 'a', expectedVersion: 1.5 }))).toBeInstanceOf(ValidationError);
      });
    });

    describe('names', () => {
      const fifteen = `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`;
      const valid = ['/a', '/app/ingest/cursor', '/A-b_c.d/0', 'name_without_levels', fifteen, `/${'n'.repeat(defaults.params.maxNameLength - 1)}`];
      const invalid: Array<[string, RegExp]> = [
        ['', /non-empty/],
        ['/app/has space', /letters, digits/],
        ['/app/ünïcode', /letters, digits/],
        ['app/ingest', /start with '\/'/],
        ['/app//x', /empty/],
        ['/app/x/', /empty/],
        [`${fifteen}/l15`, /16 levels; the limit is 15/],
        [`/${'n'.repeat(defaults.params.maxNameLength)}`, /1012 characters long; the limit is 1011/],
        ['/aws/x', /aws/],
        ['/SSM-thing', /ssm/],
      ];

      for (const n of valid) test(`accepts ${n}`, async () => {
        await params.put(n, { value: 'v' });
        expect((await params.get(n)).name).toBe(n);
      });

      for (const [n, rule] of invalid) test(`rejects ${JSON.stringify(n)}, naming the value and the rule`, async () => {
        for (const call of [params.put(n, { value: 'v' }), params.get(n), params.delete(n), params.history(n)]) {
          const err = await rejection(call);
          expect(err).toBeInstanceOf(ValidationError);
          expect(err.message).toContain(JSON.stringify(n).slice(0, 40));
          expect(err.message).toMatch(rule);
        }
      });
    });

    it('keeps every parameter across a reopen', async (ctx) => {
      if (!h.reopen) return ctx.skip('this backend cannot be closed and reopened on the same state');
      await params.put('/keep/plain', { value: 'p' });
      await params.put('/keep/secret', { value: SECRET, type: 'SecureString' });
      const reopened = await h.reopen();
      expect((await reopened.params.get('/keep/plain')).value).toBe('p');
      expect((await reopened.params.get('/keep/secret', { withDecryption: true })).value).toBe(SECRET);
    });
  });
}
