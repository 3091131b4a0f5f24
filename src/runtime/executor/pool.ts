/**
 * The worker pool of one function: at most `concurrency` invocations run at once, each in its own
 * warm worker thread; the rest wait for a slot in FIFO order.
 *
 * Worker states:
 *   starting  spawned for an invocation that found no idle worker; loading the handler module
 *             (its console output belongs to that invocation, as Lambda's init logs do)
 *   idle      module loaded, waiting in the idle list for the next invocation (warm); the most
 *             recently used goes first, and one left idle for `idleMs` is ended (its memory
 *             freed, as Lambda reclaims an idle environment): the next invocation that finds no
 *             idle worker starts a fresh one
 *   busy      running exactly one invocation
 *   dead      terminated or exited: timed out, aborted, crashed, failed to load, or closed; it is
 *             dropped from the pool and never reused. Replacement is lazy: the next invocation
 *             that finds no idle worker spawns a fresh one (a cold start).
 *
 * Timeout protocol (the limit is hard; the handler does not need to cooperate):
 *   1. When an invocation is dispatched, the parent computes deadline = now + timeoutMs, sends it
 *      with the event (context.getRemainingTimeInMillis() counts down to it) and arms a timer.
 *   2. If the worker's `done` arrives first, the timer is cleared and the worker goes back idle.
 *   3. If the timer fires first, the worker is marked dead at once (any late message from it is
 *      ignored), worker.terminate() is called, and the invocation ends with status 'timeout' and
 *      Lambda's message `Task timed out after N.NN seconds`. Its slot is freed immediately.
 *   A module that takes longer than `initTimeoutMs` to load is handled the same way
 *   (`Init timed out after ...`). An abort signal ends a running invocation the same way too,
 *   with status 'error' and errorType 'Runtime.Aborted'.
 * A worker that crashes (uncaught exception, out of memory, process.exit) ends its invocation with
 * status 'error' and is replaced lazily like a timed-out one.
 */
import { BatonError } from '../../core/errors.ts';
import type { Invocation, InvocationError, LogRecord } from '../../ports/executor.ts';
import { runtimeError, timeoutMessage } from './errors.ts';
import type { PoolWorker, ReadyOutcome, RunOutcome } from './pool-worker.ts';
import type { InvokeMessage } from './protocol.ts';
import { race, type RaceResult } from './race.ts';

/** What the pool needs of a worker: a thread (pool-worker.ts) or a container child process (runtime/container). */
export type PoolMember = Pick<PoolWorker, 'state' | 'ready' | 'attachLogs' | 'run' | 'terminate'>;

export interface PoolRequest {
  fnName: string;
  requestId: string;
  /**
   * Taken by invoke(): emptied once the worker has been handed it, so the pool does not keep the
   * event's text (a thread's postMessage flattens it: a copy of a whole batch) while the handler
   * runs; the caller holds no other reference to it (EncodedEvent.wire makes it afresh).
   */
  eventJson: string;
  decoder?: InvokeMessage['decoder'];
  timeoutMs: number;
  signal?: AbortSignal;
  onStart?: (info: { requestId: string; startedAt: number }) => void;
}

/** The longest wait setTimeout takes as given (2^31 - 1 ms). */
const maxTimerMs = 2 ** 31 - 1;

interface Waiter {
  grant: () => void;
  fail: (err: Error) => void;
}

export class FnPool {
  private readonly all = new Set<PoolMember>();
  /**
   * Oldest first: a worker is taken from the end (the warmest) and ended from the start. `since` is
   * performance.now(), a monotonic clock, so a step of the wall clock does not end workers early or late.
   */
  private idle: Array<{ worker: PoolMember; since: number }> = [];
  /** Ends the workers idle for idleMs; set while any worker is idle. Unref'd: an idle pool never keeps the process alive. */
  private reaper: NodeJS.Timeout | undefined;
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private readonly stopping = new Set<Promise<void>>();
  private retired = false;

  constructor(
    private readonly fnName: string,
    private readonly concurrency: number,
    private readonly spawn: () => PoolMember,
    private readonly initTimeoutMs: number,
    /** Also called with every captured line as it arrives (live output for `baton dev`). */
    private readonly onLog?: (requestId: string, record: LogRecord) => void,
    /** A worker idle this long is ended; Infinity keeps idle workers until close(). */
    private readonly idleMs: number = Infinity,
  ) {}

  /** Invocations running now, and waiting for a slot. */
  get load(): { running: number; waiting: number; workers: number } {
    return { running: this.active, waiting: this.waiting.length, workers: this.all.size };
  }

  async invoke(req: PoolRequest): Promise<Invocation> {
    const queuedFrom = performance.now();
    await this.acquire(req.signal);
    const queuedMs = performance.now() - queuedFrom;
    let worker: PoolMember | undefined;
    try {
      // The invocation starts when it has its slot, before a cold worker loads the handler's
      // module: as on Lambda, whose init failures are invocations, an attempt counts from here,
      // so a module whose init kills the process uses up its attempts instead of looping.
      req.onStart?.({ requestId: req.requestId, startedAt: Date.now() });
      const logs: LogRecord[] = [];
      const onLog = this.onLog;
      const sink = onLog ? (r: LogRecord) => (logs.push(r), onLog(req.requestId, r)) : (r: LogRecord) => logs.push(r);
      const base = { requestId: req.requestId, queuedMs, logs };
      worker = this.takeIdle();
      let initDurationMs: number | undefined;
      if (!worker) {
        worker = this.spawn();
        this.all.add(worker);
        worker.attachLogs(sink);
        const initStarted = Date.now();
        const ready = await race(worker.ready, this.initTimeoutMs, req.signal);
        if (ready.kind !== 'value' || !ready.value.ok) {
          const ended = this.initFailure(ready);
          this.discard(worker, ended.error);
          return { ...base, status: ended.status, error: ended.error, startedAt: initStarted, durationMs: 0, initDurationMs: ended.initDurationMs ?? Date.now() - initStarted };
        }
        initDurationMs = ready.value.initDurationMs;
      }
      worker.attachLogs(sink);
      const startedAt = Date.now();
      const t0 = performance.now();
      const running = worker.run({ type: 'invoke', requestId: req.requestId, eventJson: req.eventJson, ...(req.decoder ? { decoder: req.decoder } : {}), deadline: startedAt + req.timeoutMs });
      req.eventJson = '';
      const outcome = await race(running, req.timeoutMs, req.signal);
      const durationMs = performance.now() - t0;
      const timing = { startedAt, durationMs, ...(initDurationMs !== undefined ? { initDurationMs } : {}) };
      if (outcome.kind === 'timeout') {
        const message = timeoutMessage(req.timeoutMs);
        sink({ time: Date.now(), level: 'error', message: `${req.requestId} ${message}` });
        const error = runtimeError('Sandbox.Timedout', message, 'TIMEOUT');
        this.discard(worker, error);
        return { ...base, ...timing, status: 'timeout', error };
      }
      if (outcome.kind === 'aborted') {
        const error = this.abortError(outcome.reason);
        this.discard(worker, error);
        return { ...base, ...timing, status: 'error', error };
      }
      return { ...base, ...timing, ...this.fromOutcome(outcome.value) };
    } finally {
      if (worker) worker.attachLogs(undefined);
      if (worker && worker.state === 'idle' && !this.retired) this.toIdle(worker);
      else if (worker && worker.state !== 'dead') this.discard(worker);
      this.release();
    }
  }

  /** Stops taking the pool's workers back: idle ones end now, busy ones when they finish. */
  retire(): void {
    this.retired = true;
    for (const { worker } of this.idle.splice(0)) this.discard(worker);
    this.stopReaper();
  }

  /** Ends every worker and fails every waiting invocation. */
  async close(): Promise<void> {
    this.retired = true;
    const err = new BatonError(`fn "${this.fnName}": the executor was closed before this invocation could start.`, { action: 'Invoke through an open executor.' });
    for (const w of this.waiting.splice(0)) w.fail(err);
    this.idle = [];
    this.stopReaper();
    for (const w of [...this.all]) this.discard(w);
    await Promise.all([...this.stopping]);
  }

  private fromOutcome(o: RunOutcome): Pick<Invocation, 'status' | 'result' | 'error'> {
    if (!o.ok) return { status: 'error', error: o.error };
    return { status: 'ok', result: JSON.parse(o.resultJson) as unknown };
  }

  private initFailure(r: RaceResult<ReadyOutcome>): { status: 'error' | 'timeout'; error: InvocationError; initDurationMs?: number } {
    if (r.kind === 'timeout') {
      return { status: 'timeout', error: runtimeError('Sandbox.Timedout', `Init timed out after ${(this.initTimeoutMs / 1000).toFixed(2)} seconds: fn "${this.fnName}" took too long to load its module. Move slow work out of the module's top-level code.`, 'TIMEOUT') };
    }
    if (r.kind === 'aborted') return { status: 'error', error: this.abortError(r.reason) };
    const ready = r.value;
    if (ready.ok) throw new Error('initFailure called for a worker that loaded');
    return { status: 'error', error: ready.error, initDurationMs: ready.initDurationMs };
  }

  private abortError(reason: unknown): InvocationError {
    const why = reason instanceof Error ? reason.message : reason === undefined ? 'no reason given' : String(reason);
    return runtimeError('Runtime.Aborted', `fn "${this.fnName}": the invocation was aborted while running (${why}); its worker was stopped.`, 'ABORTED');
  }

  private takeIdle(): PoolMember | undefined {
    for (;;) {
      const w = this.idle.pop()?.worker;
      if (!w || w.state === 'idle') return w;
      this.all.delete(w);
    }
  }

  private toIdle(worker: PoolMember): void {
    this.idle.push({ worker, since: performance.now() });
    if (this.reaper === undefined && this.idleMs !== Infinity) this.reapAt(this.idle[0]!.since + this.idleMs);
  }

  private reapAt(at: number): void {
    // At most setTimeout's longest wait: Node turns a longer one into 1 ms (and warns), so an idle
    // time past ~24.8 days re-armed this timer every millisecond. reap() re-arms for what is left.
    // Rounded up: Node truncates a fractional wait, which would wake this a fraction of a ms early.
    this.reaper = setTimeout(() => this.reap(), Math.min(Math.max(0, Math.ceil(at - performance.now())), maxTimerMs));
    this.reaper.unref();
  }

  /** Ends the workers idle for idleMs or more (the oldest, at the start of the list), then waits for the next one's turn. */
  private reap(): void {
    this.reaper = undefined;
    const cutoff = performance.now() - this.idleMs;
    let ended = 0;
    while (ended < this.idle.length && this.idle[ended]!.since <= cutoff) ended++;
    for (const { worker } of this.idle.splice(0, ended)) this.discard(worker);
    if (this.idle.length > 0) this.reapAt(this.idle[0]!.since + this.idleMs);
  }

  private stopReaper(): void {
    clearTimeout(this.reaper);
    this.reaper = undefined;
  }

  private discard(worker: PoolMember, error?: InvocationError): void {
    this.all.delete(worker);
    const p = worker.terminate(error);
    this.stopping.add(p);
    p.finally(() => this.stopping.delete(p)).catch(() => undefined);
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(this.waitAbortError(signal.reason));
    if (this.active < this.concurrency && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(this.waitAbortError(signal?.reason));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private waitAbortError(reason: unknown): Error {
    const why = reason instanceof Error ? reason.message : reason === undefined ? 'no reason given' : String(reason);
    return new BatonError(`fn "${this.fnName}": the invocation was aborted while waiting for a free slot (${why}); the handler never ran.`);
  }

  /** Hands the slot to the next waiter (FIFO), or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.active--;
  }
}
