import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocal, type LocalBackend } from '../../src/backends/local/index.ts';

const mode = (path: string) => statSync(path).mode & 0o777;
let root: string | undefined;
let opened: LocalBackend | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

async function writeSomething(backend: LocalBackend): Promise<void> {
  await backend.params.put('/app/secret', { value: 'shh-it-is-a-secret', type: 'SecureString' });
}

describe('the local state is private to its user', () => {
  it('creates the state directory 0700 and state.db, -wal and -shm 0600', async () => {
    root = mkdtempSync(join(tmpdir(), 'baton-private-'));
    chmodSync(root, 0o755);
    const dir = join(root, 'state');
    opened = openLocal({ dir, paramsKey: Buffer.alloc(32, 3) });
    await writeSomething(opened);
    expect(mode(dir)).toBe(0o700);
    for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
  });

  it('tightens a state an older version left readable (0755 directory, 0644 files)', async () => {
    root = mkdtempSync(join(tmpdir(), 'baton-private-'));
    const dir = join(root, 'state');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'state.db'), '', { mode: 0o644 });
    chmodSync(join(dir, 'state.db'), 0o644);
    opened = openLocal({ dir, paramsKey: Buffer.alloc(32, 3) });
    await writeSomething(opened);
    expect(mode(dir)).toBe(0o700);
    for (const f of ['state.db', 'state.db-wal', 'state.db-shm']) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
  });
});
