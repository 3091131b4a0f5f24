// npm run bench -- relay: what a relay and a checkpoint cost.
//   ms_per_checkpoint  one durable checkpoint from inside a worker thread (JSON + a fenced SQLite
//                      UPDATE), against the same loop without the checkpoint (plain loop)
//   ms_per_relay       checkpoint + continue + settling + the next invocation on a warm worker,
//                      each recorded as a run, against a plain loop of bare invocations of a no-op
//                      handler on the same executor
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLocal } from '../src/backends/local/index.ts';
import { fn } from '../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../src/runtime/executor/index.ts';
import { createJobRunner } from '../src/runtime/jobs/index.ts';
import { report } from './report.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/jobs');
const dir = mkdtempSync(join(tmpdir(), 'baton-bench-relay-'));
const backend = openLocal({ dir, paramsKey: Buffer.alloc(32, 7) });
const executor = createFunctionExecutor({ root });
const fns = [
  fn('checkpoints', './bench.ts', { handler: 'checkpoints', concurrency: 1, timeout: 60_000 }).config,
  fn('relays', './bench.ts', { handler: 'relays', concurrency: 1, timeout: 60_000 }).config,
  fn('noop', './bench.ts', { handler: 'noop', concurrency: 1, timeout: 60_000 }).config,
];
const runner = createJobRunner({ backend, executor, fns });
const RELAYS = 1000;
const CHECKPOINTS = 20_000;
try {
  // Warm both workers (and the handler's SQLite connection) first.
  await runner.runJob('checkpoints', { input: { n: 100 } });
  await runner.runJob('relays', { input: { n: 20 } });
  const noop = fns[2]!;
  for (let i = 0; i < 100; i++) await executor.invoke(noop, {});

  const cp = await runner.runJob('checkpoints', { input: { n: CHECKPOINTS } });
  const { checkpointMs, plainMs } = cp.result as { checkpointMs: number; plainMs: number };

  let t = performance.now();
  const job = await runner.runJob('relays', { input: { n: RELAYS } });
  const relayMs = (performance.now() - t) / RELAYS;
  if (job.status !== 'succeeded' || job.relay !== RELAYS + 1) throw new Error(`relay job ended ${job.status} after ${job.relay} relays`);
  t = performance.now();
  for (let i = 0; i < RELAYS; i++) await executor.invoke(noop, {});
  const bareMs = (performance.now() - t) / RELAYS;

  report(
    [
      { bench: 'relay', figure: 'ms_per_checkpoint', value: checkpointMs, unit: 'ms', baseline: plainMs, goal: '< 0.2 ms' },
      { bench: 'relay', figure: 'ms_per_relay', value: relayMs, unit: 'ms', baseline: bareMs, goal: '< 5 ms' },
    ],
    [
      `checkpoints: ${CHECKPOINTS.toLocaleString('en-US')} in one relay (baseline: the same loop without checkpoint()); relays: ${RELAYS} continues in a row, each recorded as a run (baseline: a bare no-op invocation on the same warm worker).`,
    ],
  );
} finally {
  await executor.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
