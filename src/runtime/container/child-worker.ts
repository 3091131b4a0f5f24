/**
 * One child process of a container function's pool, seen from the parent: the container
 * executor's counterpart of executor/pool-worker.ts, with the same surface (FnPool's PoolMember),
 * so the same pool gives it warm reuse, FIFO waiting and the concurrency bound.
 *   `ready`  settles once the module loaded (or failed to, or the process died first);
 *   `run`    sends one invocation and settles with its `done`, or with how the process died.
 * Anything the handler writes straight to stdout or stderr (not through console) becomes log lines
 * of the running invocation. Heap is bounded by --max-old-space-size = the function's memory.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { truncateUtf8 } from '../../core/truncate.ts';
import type { InvocationError, LogLevel, LogRecord } from '../../ports/executor.ts';
import { runtimeError, toInvocationError } from '../executor/errors.ts';
import type { ReadyOutcome, RunOutcome, WorkerState } from '../executor/pool-worker.ts';
import type { FromWorker, InvokeMessage, WorkerSetup } from '../executor/protocol.ts';

export interface ChildSpawnOptions {
  setup: WorkerSetup;
  env: Record<string, string | undefined>;
}

const entry = fileURLToPath(new URL('./child-entry.mjs', import.meta.url));

export class ChildWorker {
  state: WorkerState = 'starting';
  readonly ready: Promise<ReadyOutcome>;
  private readonly child: ChildProcess;
  private readonly spawnedAt = performance.now();
  private logSink: ((record: LogRecord) => void) | undefined;
  private current: { requestId: string; settle: (o: RunOutcome) => void } | undefined;
  private settleReady!: (o: ReadyOutcome) => void;
  private readonly exitPromise: Promise<void>;
  private stderrTail = '';

  constructor(private readonly options: ChildSpawnOptions) {
    const { setup } = options;
    this.ready = new Promise<ReadyOutcome>((resolve) => (this.settleReady = resolve));
    this.child = fork(entry, [], {
      env: { ...options.env, BATON_CONTAINER_SETUP: JSON.stringify(setup) },
      execArgv: [`--max-old-space-size=${setup.memoryMb}`, ...process.execArgv.filter((a) => a === '--enable-source-maps')],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.exitPromise = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.pipeLines(this.child.stdout, 'info');
    this.pipeLines(this.child.stderr, 'error');
    this.child.on('message', (m) => this.onMessage(m as FromWorker));
    this.child.on('error', (err) => this.die(toInvocationError(err)));
    // 'close' (not 'exit'): stderr is fully read by then, so an out-of-memory message is seen.
    this.child.on('close', (code, signal) => this.die(this.exitError(code, signal)));
  }

  attachLogs(sink: ((record: LogRecord) => void) | undefined): void {
    this.logSink = sink;
  }

  run(message: InvokeMessage): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      this.state = 'busy';
      this.setRef(true);
      this.current = { requestId: message.requestId, settle: resolve };
      this.child.send(message);
    });
  }

  /**
   * Ends the process now (abort, close). Safe to call more than once. The returned promise waits
   * for the child's 'close', so its handles are ref'd again first: an idle child's unref'd handles
   * would let the event loop empty before 'close' arrives, leaving a caller awaiting close() (a
   * top-level await in `baton map`) unsettled, and the process exiting 13.
   */
  terminate(error?: InvocationError): Promise<void> {
    this.die(error ?? runtimeError('Runtime.ExitError', `fn "${this.options.setup.fnName}": the container was stopped because the executor closed.`, 'CLOSED'));
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.setRef(true);
    return this.exitPromise;
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, level: LogLevel): void {
    if (!stream) return;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      if (level === 'error') this.stderrTail = `${this.stderrTail}\n${line}`.slice(-2000);
      this.logSink?.({ time: Date.now(), level, message: truncateUtf8(line, this.options.setup.logPayloadBytes) });
    });
  }

  /** An idle warm child must not keep the parent alive on its own; a busy one does. */
  private setRef(on: boolean): void {
    const handles: Array<{ ref(): unknown; unref(): unknown } | null | undefined> = [this.child, this.child.channel, this.child.stdout as Socket | null, this.child.stderr as Socket | null];
    for (const h of handles) {
      if (h) {
        if (on) h.ref();
        else h.unref();
      }
    }
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.state = 'idle';
        this.setRef(false);
        this.settleReady({ ok: true, initDurationMs: m.initDurationMs });
        return;
      case 'init-error':
        this.state = 'dead';
        this.settleReady({ ok: false, error: m.error, initDurationMs: m.initDurationMs });
        this.child.kill('SIGKILL');
        return;
      case 'log':
        if (m.requestId === undefined ? this.state === 'starting' : m.requestId === this.current?.requestId) this.logSink?.(m.record);
        return;
      case 'done': {
        const cur = this.current;
        if (!cur || cur.requestId !== m.requestId) return;
        this.current = undefined;
        this.state = 'idle';
        this.setRef(false);
        cur.settle(m.ok ? { ok: true, resultJson: m.resultJson } : { ok: false, error: m.error });
        return;
      }
    }
  }

  private exitError(code: number | null, signal: NodeJS.Signals | null): InvocationError {
    const name = this.options.setup.fnName;
    if (/heap out of memory|Reached heap limit/i.test(this.stderrTail)) {
      return runtimeError('Runtime.OutOfMemory', `fn "${name}": the container ran out of memory (limit ${this.options.setup.memoryMb} MB). Raise memory in fn("${name}", ...) or process less data at once.`, 'OUT_OF_MEMORY');
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    return runtimeError('Runtime.ExitError', `fn "${name}": the container process ${how} before completing the request (did the handler call process.exit?).`);
  }

  private die(error: InvocationError): void {
    if (this.state === 'dead') {
      const cur = this.current;
      this.current = undefined;
      cur?.settle({ ok: false, error });
      return;
    }
    const wasStarting = this.state === 'starting';
    this.state = 'dead';
    if (wasStarting) this.settleReady({ ok: false, error, initDurationMs: performance.now() - this.spawnedAt });
    const cur = this.current;
    this.current = undefined;
    cur?.settle({ ok: false, error });
  }
}
