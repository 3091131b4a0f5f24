import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, writeWhenFree, type Db } from '../../src/backends/local/db.ts';
import { sharedBuffer } from '../../src/backends/local/shared-memory.ts';
import { WriteLock } from '../../src/backends/local/write-lock.ts';

describe('writeWhenFree (a write that waits for the write lock without blocking the thread)', () => {
  let dir: string;
  let db: Db;
  let other: WriteLock; // another thread's hold on the same file's lock
  const count = () => db.prepare('SELECT count(*) FROM t').pluck().get();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-write-free-'));
    db = openDb(dir, ['CREATE TABLE IF NOT EXISTS t (x INTEGER) STRICT;'], {}, 'w.db');
    other = new WriteLock(new Int32Array(sharedBuffer('write-locks', join(dir, 'w.db'), 12)), 999);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits while another thread holds the lock, letting the event loop run, then writes and frees the lock', async () => {
    const insert = db.transaction(() => db.prepare('INSERT INTO t VALUES (1)').run()).immediate;
    expect(other.acquire()).toBe(true);
    let written = false;
    const writing = writeWhenFree(db, insert, 10_000).then(() => (written = true));
    await new Promise((r) => setTimeout(r, 30)); // a timer fires: the thread is not blocked
    expect([written, count()]).toEqual([false, 0]);
    other.release();
    await writing;
    expect(count()).toBe(1);
    expect(other.tryAcquire()).toBe(true); // it let go of the lock
    other.release();
  });

  it('writes at once when the lock is free, and inside a transaction runs as part of it', async () => {
    await writeWhenFree(db, db.transaction(() => db.prepare('INSERT INTO t VALUES (1)').run()).immediate);
    db.transaction(() => {
      void writeWhenFree(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
      expect(count()).toBe(2); // ran synchronously, inside this transaction
    }).immediate();
    expect(other.tryAcquire()).toBe(true);
    other.release();
  });
});
