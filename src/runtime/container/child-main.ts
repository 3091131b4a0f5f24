/**
 * A container child process: the same runtime loop as a function worker thread
 * (executor/worker/serve.ts: module loading, Lambda context, console capture, error shapes), over
 * the process's IPC channel instead of a thread's parentPort. Its setup arrives as JSON in the
 * BATON_CONTAINER_SETUP environment variable (removed before the handler module loads).
 */
import type { ToWorker, WorkerSetup } from '../executor/protocol.ts';
import { serve } from '../executor/worker/serve.ts';

const raw = process.env.BATON_CONTAINER_SETUP;
delete process.env.BATON_CONTAINER_SETUP;
if (!raw || !process.send) {
  console.error('baton container child: started without BATON_CONTAINER_SETUP or an IPC channel; it is started by the container executor only.');
  process.exit(1);
}
const setup = JSON.parse(raw) as WorkerSetup;
const send = process.send.bind(process);
await serve(setup, {
  post: (m) => {
    send(m);
  },
  onMessage: (listener) => {
    process.on('message', (m) => listener(m as ToWorker));
  },
});
