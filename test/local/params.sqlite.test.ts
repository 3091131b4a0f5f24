/**
 * Local-only params behaviour: SecureString encryption at rest in the SQLite file, where the key
 * comes from (option, environment variable, generated key file), and compare-and-set across
 * connections and processes sharing one state directory.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openLocal, type LocalBackend } from '../../src/backends/local/index.ts';
import { defaults } from '../../src/core/defaults.ts';
import { ConditionFailedError, StoreError, ValidationError } from '../../src/core/errors.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';

const SECRET = 'correct-horse-battery-staple-7731';

/** Every byte of the state directory's SQLite files (database and WAL). */
function stateBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('state.db')).map((f) => readFileSync(join(dir, f))));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('local params (SQLite)', () => {
  let dir: string;
  const opened: LocalBackend[] = [];
  const open = (options: { paramsKey?: Buffer } = {}) => {
    const b = openLocal({ dir, clock: new FakeClock(), ...options });
    opened.push(b);
    return b;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-params-'));
    vi.stubEnv(defaults.params.keyEnv, '');
  });
  afterEach(async () => {
    for (const b of opened.splice(0)) await b.close();
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('SecureString at rest', () => {
    it('stores only AES-GCM ciphertext: the plaintext is in neither the rows nor the file bytes', async () => {
      const b = open({ paramsKey: randomBytes(32) });
      await b.params.put('/app/token', { value: SECRET, type: 'SecureString' });
      await b.params.put('/app/token', { value: `${SECRET}-v2`, overwrite: true });
      await b.close();

      const db = new Database(join(dir, 'state.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT value FROM param_versions WHERE name = ?').pluck().all('/app/token') as string[];
        expect(rows).toHaveLength(2);
        for (const value of rows) {
          expect(value).not.toContain('correct-horse');
          // base64(iv 12 | tag 16 | ciphertext): the ciphertext is as long as the UTF-8 plaintext.
          expect(Buffer.from(value, 'base64').length).toBe(12 + 16 + Buffer.byteLength(SECRET) + (value === rows[1] ? 3 : 0));
        }
      } finally {
        db.close();
      }
      expect(stateBytes(dir).includes(Buffer.from('correct-horse'))).toBe(false);
    });

    it('refuses to decrypt with another key, without showing the value; the ciphertext stays readable', async () => {
      const a = open({ paramsKey: Buffer.alloc(32, 1) });
      await a.params.put('/app/token', { value: SECRET, type: 'SecureString' });
      await a.close();
      const b = open({ paramsKey: Buffer.alloc(32, 2) });
      const err = await rejection(b.params.get('/app/token', { withDecryption: true }));
      expect(err).toBeInstanceOf(StoreError);
      expect(err.message).toContain('/app/token');
      expect(err.message).toMatch(/another key/);
      expect(err.message).not.toContain('correct-horse');
      expect((await b.params.get('/app/token')).value).not.toContain('correct-horse');
    });
  });

  describe('the key', () => {
    it('rejects a given key of the wrong length without printing it', () => {
      const key = Buffer.from('0123456789abcdef');
      let err: unknown;
      try {
        open({ paramsKey: key });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(/16 bytes; it must be a Buffer of exactly 32 bytes/);
      expect((err as Error).message).not.toContain('0123456789abcdef');
      expect((err as Error).message).not.toContain(key.toString('base64'));
    });

    it(`uses ${defaults.params.keyEnv} (base64 of 32 bytes) when no key is given, and writes no key file`, async () => {
      const key = randomBytes(32);
      vi.stubEnv(defaults.params.keyEnv, key.toString('base64'));
      const a = open();
      await a.params.put('/app/token', { value: SECRET, type: 'SecureString' });
      await a.close();
      expect(existsSync(join(dir, defaults.params.keyFile))).toBe(false);
      vi.stubEnv(defaults.params.keyEnv, '');
      const b = open({ paramsKey: key });
      expect((await b.params.get('/app/token', { withDecryption: true })).value).toBe(SECRET);
    });

    it(`rejects ${defaults.params.keyEnv} of the wrong length or not base64, at open, without printing it`, () => {
      for (const value of [randomBytes(16).toString('base64'), 'not base64 at all!']) {
        vi.stubEnv(defaults.params.keyEnv, value);
        let err: unknown;
        try {
          open();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(StoreError);
        expect((err as Error).message).toContain(defaults.params.keyEnv);
        expect((err as Error).message).toMatch(/exactly 32 bytes/);
        expect((err as Error).message).not.toContain(value);
      }
    });

    it('generates a key file with mode 0600 on first SecureString use only, and reads it back after reopen', async () => {
      const keyPath = join(dir, defaults.params.keyFile);
      const a = open();
      await a.params.put('/app/plain', { value: 'p' });
      expect(existsSync(keyPath)).toBe(false);
      await a.params.put('/app/token', { value: SECRET, type: 'SecureString' });
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64')).toHaveLength(32);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      await a.close();
      const b = open();
      expect((await b.params.get('/app/token', { withDecryption: true })).value).toBe(SECRET);
    });

    it('a damaged key file is a clear error that does not print its content', async () => {
      writeFileSync(join(dir, defaults.params.keyFile), 'c2hvcnQ=\n', { mode: 0o600 });
      const b = open();
      const err = await rejection(b.params.put('/app/token', { value: SECRET, type: 'SecureString' }));
      expect(err).toBeInstanceOf(StoreError);
      expect(err.message).toMatch(/decodes to 5 bytes/);
      expect(err.message).not.toContain('c2hvcnQ');
    });

    it('two stores opened on one directory without a key share the generated key', async () => {
      const a = open();
      const b = open();
      await a.params.put('/app/a', { value: 'from-a', type: 'SecureString' });
      await b.params.put('/app/b', { value: 'from-b', type: 'SecureString' });
      expect((await b.params.get('/app/a', { withDecryption: true })).value).toBe('from-a');
      expect((await a.params.get('/app/b', { withDecryption: true })).value).toBe('from-b');
    });
  });

  describe('two connections on one directory', () => {
    it('see each other’s writes and history', async () => {
      const key = randomBytes(32);
      const a = open({ paramsKey: key });
      const b = open({ paramsKey: key });
      await a.params.put('/shared/x', { value: '1' });
      await b.params.put('/shared/x', { value: '2', overwrite: true });
      expect((await a.params.history('/shared/x')).map((p) => p.value)).toEqual(['1', '2']);
      expect((await b.params.getByPath('/shared')).map((p) => p.value)).toEqual(['2']);
    });

    it('compare-and-set: both read version 1, exactly one write of version 2 wins', async () => {
      const key = randomBytes(32);
      const a = open({ paramsKey: key });
      const b = open({ paramsKey: key });
      await a.params.put('/shared/cursor', { value: '0' });
      const [ra, rb] = await Promise.all([a.params.get('/shared/cursor'), b.params.get('/shared/cursor')]);
      const results = await Promise.allSettled([
        a.params.put('/shared/cursor', { value: 'a', expectedVersion: ra.version }),
        b.params.put('/shared/cursor', { value: 'b', expectedVersion: rb.version }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(ConditionFailedError)]);
      expect((await b.params.get('/shared/cursor')).version).toBe(2);
    });

    it('compare-and-set across two processes: every increment counted once', async () => {
      const perWorker = 200;
      const worker = join(dir, 'cas-worker.mts');
      const entry = resolve('src/backends/local/index.ts');
      // A counter advanced by read, then put with expectedVersion, retried on ConditionFailedError.
      writeFileSync(
        worker,
        `import { openLocal } from ${JSON.stringify(entry)};
const b = openLocal({ dir: process.argv[2], paramsKey: Buffer.alloc(32, 3) });
// Barrier after the first read: both workers hold the same version when they first write, so at
// least one conflict is certain however the OS schedules them; after that they run freely.
let cur = await b.params.get('/shared/counter');
await b.params.put('/shared/ready/' + process.pid, { value: '1' });
while ((await b.params.getByPath('/shared/ready')).length < 2) await new Promise((r) => setImmediate(r));
let conflicts = 0;
for (let done = 0; done < ${perWorker}; cur = await b.params.get('/shared/counter')) {
  try {
    await b.params.put('/shared/counter', { value: String(Number(cur.value) + 1), expectedVersion: cur.version });
    done++;
  } catch (err) {
    if (err.code !== 'CONDITION_FAILED') throw err;
    conflicts++;
  }
}
await b.close();
console.log(JSON.stringify({ conflicts }));
`,
      );
      const seed = open({ paramsKey: Buffer.alloc(32, 3) });
      await seed.params.put('/shared/counter', { value: '0' });
      const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', worker, dir], { cwd: resolve('.') });
      const outputs = await Promise.all([run(), run()]);
      const conflicts = outputs.map((o) => (JSON.parse(o.stdout) as { conflicts: number }).conflicts);
      expect(conflicts[0]! + conflicts[1]!, 'the two workers never raced; the test proved nothing').toBeGreaterThan(0);
      const final = await seed.params.get('/shared/counter');
      expect(final.value).toBe(String(2 * perWorker));
      expect(final.version).toBe(2 * perWorker + 1);
    }, 60_000);
  });

  it(`keeps at most ${defaults.params.maxHistory} version rows per parameter in SQLite`, async () => {
    const b = open({ paramsKey: randomBytes(32) });
    for (let i = 0; i < defaults.params.maxHistory + 20; i++) await b.params.put('/h/x', { value: String(i), overwrite: true });
    const count = b.context.db.prepare('SELECT count(*) FROM param_versions WHERE name = ?').pluck().get('/h/x');
    expect(count).toBe(defaults.params.maxHistory);
  });
});
