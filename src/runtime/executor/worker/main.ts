/**
 * A function worker thread: the shared runtime loop (serve.ts) over the thread's parentPort. The
 * parent enforces the time limit by terminating this thread; nothing here needs to cooperate.
 * worker-entry.mjs calls main(), with `importHandler` when the handler was compiled
 * (compile-cache.mjs): then the handler module is that compiled file, not setup.moduleUrl.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerSetup } from '../protocol.ts';
import { serve } from './serve.ts';

export async function main(importHandler?: () => Promise<unknown>): Promise<void> {
  const port = parentPort!;
  await serve(workerData as WorkerSetup, { post: (m) => port.postMessage(m), onMessage: (listener) => port.on('message', listener) }, importHandler);
}
