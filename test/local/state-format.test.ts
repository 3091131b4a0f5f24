import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocal } from '../../src/backends/local/index.ts';
import { stateFormat } from '../../src/backends/local/db.ts';
import { StoreError } from '../../src/core/errors.ts';

// Each state file carries its format (user_version), so a Baton refuses a file written by a newer
// one instead of misreading it (format 1: long queue bodies kept apart, their row holds '').
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const formatOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};
const setFormat = (file: string, format: number) => {
  const db = new Database(file);
  db.pragma(`user_version = ${format}`);
  db.close();
};

describe('local state format', () => {
  it('stamps new files, and files of an older Baton (format 0) when it opens them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-format-'));
    await openLocal({ dir }).close();
    for (const f of ['state.db', 'tables.db']) expect([f, formatOf(join(dir, f))]).toEqual([f, stateFormat]);
    setFormat(join(dir, 'state.db'), 0);
    await openLocal({ dir }).close();
    expect(formatOf(join(dir, 'state.db'))).toBe(stateFormat);
  });

  it.each(['state.db', 'tables.db'])('refuses %s written by a newer Baton with a StoreError saying what to do, and changes nothing', async (file) => {
    dir = mkdtempSync(join(tmpdir(), 'baton-format-'));
    const first = openLocal({ dir });
    await first.queues.declare({ name: 'q', visibilityTimeoutMs: 30_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 262_144 });
    await first.close();
    setFormat(join(dir, file), stateFormat + 1);
    let error: unknown;
    try {
      openLocal({ dir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(`${join(dir, file)} was written by a newer Baton (state format ${stateFormat + 1}`);
    expect((error as StoreError).message).toMatch(/Upgrade Baton/);
    expect(formatOf(join(dir, file))).toBe(stateFormat + 1);
    // The other file was not left open: it can be removed and opened again at once.
    setFormat(join(dir, file), stateFormat);
    const again = openLocal({ dir });
    expect((await again.queues.stats('q')).visible).toBe(0);
    await again.close();
  });

  it('refuses a file a newer Baton stamps while this one waits for the write lock (read and stamp in one transaction)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-format-'));
    await openLocal({ dir }).close();
    setFormat(join(dir, 'state.db'), 0);
    // Another process (a newer Baton) holds the write lock and stamps format + 1, then commits.
    const newer = spawn(process.execPath, ['-e', `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(join(dir, 'state.db'))});
      db.exec('BEGIN IMMEDIATE');
      db.pragma('user_version = ${stateFormat + 1}');
      console.log('holding');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => newer.stdout.once('data', resolve));
    expect(() => openLocal({ dir })).toThrow(StoreError);
    await new Promise((resolve) => newer.once('exit', resolve));
    expect(formatOf(join(dir, 'state.db'))).toBe(stateFormat + 1);
  });
});
