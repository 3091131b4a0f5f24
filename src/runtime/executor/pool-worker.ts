/**
 * One worker thread of a function's pool, seen from the parent. See pool.ts for the states and the
 * timeout protocol; this class only turns the thread's messages and exits into promises:
 *   `ready`  settles once the module loaded (or failed to, or the thread died first);
 *   `run`    posts one invocation and settles with its `done`, or with how the thread died.
 * Messages from a thread that is no longer running that invocation are ignored.
 */
import { Worker } from 'node:worker_threads';
import { threadTerminated } from '../../core/thread-exit.ts';
import { applyHeapGrowth } from '../heap.ts';
import type { InvocationError, LogRecord } from '../../ports/executor.ts';
import { runtimeError, toInvocationError } from './errors.ts';
import type { FromWorker, InvokeMessage, WorkerSetup } from './protocol.ts';

export type WorkerState = 'starting' | 'idle' | 'busy' | 'dead';

export type ReadyOutcome = { ok: true; initDurationMs: number } | { ok: false; error: InvocationError; initDurationMs: number };

export type RunOutcome = { ok: true; resultJson: string } | { ok: false; error: InvocationError };

export interface SpawnOptions {
  setup: WorkerSetup;
  env: Record<string, string | undefined>;
  /** The thread's entry file; default worker-entry.mjs next to this file. */
  entry?: URL;
}

const entryDefault = new URL('./worker-entry.mjs', import.meta.url);

/** Flags worth passing on to handler threads; loaders are not (the entry registers tsx itself). */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => a === '--enable-source-maps' || a.startsWith('--stack-trace-limit') || a.startsWith('--cpu-prof'));
}

export class PoolWorker {
  state: WorkerState = 'starting';
  readonly ready: Promise<ReadyOutcome>;
  private readonly worker: Worker;
  private readonly spawnedAt = performance.now();
  /** Where log lines go: the invocation being started or run. */
  private logSink: ((record: LogRecord) => void) | undefined;
  private current: { requestId: string; settle: (o: RunOutcome) => void } | undefined;
  private settleReady!: (o: ReadyOutcome) => void;
  private exitPromise: Promise<void>;
  private readonly fnName: string;
  private readonly memoryMb: number;

  constructor(options: SpawnOptions) {
    const { setup } = options;
    this.fnName = setup.fnName;
    this.memoryMb = setup.memoryMb;
    this.ready = new Promise<ReadyOutcome>((resolve) => (this.settleReady = resolve));
    // The heap limits of src/runtime/heap.ts (also when the executor runs without an engine).
    applyHeapGrowth();
    this.worker = new Worker(options.entry ?? entryDefault, {
      workerData: setup,
      env: options.env,
      name: `baton:${setup.fnName}`,
      execArgv: workerExecArgv(),
      // Best effort (nodejs/node#47224): a handler that allocates over 16 MB in one builtin call
      // past its limit aborts the process rather than this worker; the container executor is strict.
      resourceLimits: { maxOldGenerationSizeMb: setup.memoryMb },
    });
    this.exitPromise = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.die(this.crashError(err)));
    this.worker.on('exit', (code) => this.die(runtimeError('Runtime.ExitError', `fn "${this.fnName}": the runtime exited with code ${code} before completing the request (did the handler call process.exit?).`)));
  }

  /** Sends log lines of the next phase (cold start, then invocation) to `sink`. */
  attachLogs(sink: ((record: LogRecord) => void) | undefined): void {
    this.logSink = sink;
  }

  run(message: InvokeMessage): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      this.state = 'busy';
      this.worker.ref();
      this.current = { requestId: message.requestId, settle: resolve };
      this.worker.postMessage(message);
    });
  }

  /** Ends the thread now (timeout, abort, close). Safe to call more than once. */
  terminate(error?: InvocationError): Promise<void> {
    this.die(error ?? runtimeError('Runtime.ExitError', `fn "${this.fnName}": the worker was stopped because the executor closed.`, 'CLOSED'));
    const id = this.worker.threadId;
    // A thread stopped mid-transaction cannot free what it holds in shared memory (a backend's write lock) itself.
    const free = () => this.exitPromise.then(() => threadTerminated(id));
    return this.worker.terminate().then(free, free);
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.state = 'idle';
        // An idle warm worker must not keep the process alive on its own; a busy one does.
        this.worker.unref();
        this.settleReady({ ok: true, initDurationMs: m.initDurationMs });
        return;
      case 'init-error':
        this.state = 'dead';
        this.settleReady({ ok: false, error: m.error, initDurationMs: m.initDurationMs });
        return;
      case 'log':
        // Lines without an id come from the module's top-level code (a cold start) or from timers
        // left running after an invocation ended; only the former belong to an invocation.
        if (m.requestId === undefined ? this.state === 'starting' : m.requestId === this.current?.requestId) this.logSink?.(m.record);
        return;
      case 'done': {
        const cur = this.current;
        if (!cur || cur.requestId !== m.requestId) return;
        this.current = undefined;
        this.state = 'idle';
        this.worker.unref();
        cur.settle(m.ok ? { ok: true, resultJson: m.resultJson } : { ok: false, error: m.error });
        return;
      }
    }
  }

  private crashError(err: Error): InvocationError {
    if ((err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return runtimeError('Runtime.OutOfMemory', `fn "${this.fnName}": the runtime ran out of memory (limit ${this.memoryMb} MB). Raise memory in fn("${this.fnName}", ...) or process less data at once.`, 'OUT_OF_MEMORY');
    }
    // An uncaught exception or unhandled rejection ends the runtime, as on Lambda; report its cause.
    return toInvocationError(err);
  }

  /** The thread is gone or going: settle whatever waits on it, once. */
  private die(error: InvocationError): void {
    if (this.state === 'dead') return;
    const wasStarting = this.state === 'starting';
    this.state = 'dead';
    if (wasStarting) this.settleReady({ ok: false, error, initDurationMs: performance.now() - this.spawnedAt });
    const cur = this.current;
    this.current = undefined;
    cur?.settle({ ok: false, error });
  }
}
