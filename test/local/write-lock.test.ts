import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { WriteLock } from '../../src/backends/local/write-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fresh = () => new Int32Array(new SharedArrayBuffer(12));
const holder = (cell: Int32Array) => cell[2];

describe('WriteLock (the in-process queue in front of SQLite writes)', () => {
  it('is held by one owner at a time; a nested acquire by the holder neither blocks nor releases', () => {
    const cell = fresh();
    const a = new WriteLock(cell, 7);
    expect(a.acquire()).toBe(true);
    expect(a.acquire()).toBe(false);
    expect(holder(cell)).toBe(7);
    new WriteLock(cell, 8).release(); // not the holder: no effect
    expect(holder(cell)).toBe(7);
    a.release();
    expect(holder(cell)).toBe(0);
    expect(new WriteLock(cell, 8).acquire()).toBe(true); // the next ticket is served at once
  });

  it('tryAcquire takes it only when no one holds it or is queued, and never waits', () => {
    const cell = fresh();
    const a = new WriteLock(cell, 7);
    const b = new WriteLock(cell, 8);
    expect(b.tryAcquire()).toBe(true);
    expect(a.tryAcquire()).toBe(false); // held
    expect(holder(cell)).toBe(8);
    b.release();
    Atomics.add(cell, 0, 1); // a thread queued (its ticket taken: served at once, the lock was free) and about to write
    expect(a.tryAcquire()).toBe(false);
    Atomics.add(cell, 1, 1); // it wrote and released
    expect(a.tryAcquire()).toBe(true);
    expect(holder(cell)).toBe(7);
    a.release();
    expect(b.acquire()).toBe(true); // tickets still count right after tries
    b.release();
  });

  it('handedOn resolves when the lock changes hands, without blocking the thread', async () => {
    const cell = fresh();
    const a = new WriteLock(cell, 7);
    a.acquire();
    let resolved = false;
    const waiting = a.handedOn(10_000).then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false); // still held: the event loop ran the timer meanwhile
    a.release();
    await waiting;
    expect(resolved).toBe(true);
    const t0 = performance.now();
    await a.handedOn(30); // nobody hands it on: resolves after the time given
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('is taken over from a holder that kept it longer than stealAfterMs (a thread that died holding it)', () => {
    const cell = fresh();
    const dead = new WriteLock(cell, 3);
    dead.acquire();
    const t0 = performance.now();
    expect(new WriteLock(cell, 4, 120).acquire()).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(holder(cell)).toBe(4);
    dead.release(); // too late: it no longer holds the lock, so nothing changes
    expect(holder(cell)).toBe(4);
  });

  it('is shared with worker threads spawned after the file was opened, and freed when a holder is terminated', async () => {
    const path = join(dir, 'state.db');
    const lock = WriteLock.forFile(path);
    // The worker takes the same file's lock and then hangs, as a handler stopped mid-transaction would.
    const worker = new Worker(
      `const { getEnvironmentData, parentPort, threadId } = require('node:worker_threads');
       const cell = new Int32Array(getEnvironmentData('baton:write-locks').get(${JSON.stringify(path)}));
       Atomics.add(cell, 0, 1); // its ticket, served at once: the lock was free
       Atomics.store(cell, 2, threadId + 1);
       parentPort.postMessage('holding');
       for (;;) {}`,
      { eval: true },
    );
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    const id = worker.threadId;
    expect(new Int32Array(lockCell(lock))[2]).toBe(id + 1);
    await worker.terminate();
    WriteLock.releaseHeldBy(id);
    expect(lock.acquire()).toBe(true);
    lock.release();
  });
});

function lockCell(lock: WriteLock): SharedArrayBuffer {
  return (lock as unknown as { cell: Int32Array }).cell.buffer as SharedArrayBuffer;
}
