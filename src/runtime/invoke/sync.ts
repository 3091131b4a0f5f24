/**
 * Synchronous invoke: runs a function once through the executor and records it as a run. The run
 * starts when the invocation gets a worker slot (an invocation aborted while waiting never ran, so
 * it is no run) and is finished with the status, duration, error, log lines and result, with the secret
 * values this process knows redacted (the worker redacts those it read itself; core/secrets.ts).
 *
 * The start is written only once the run has lasted `defaults.runs.startWriteDelayMs` (when the
 * store can `record`): a shorter run is written once, its start and finish in one transaction
 * (issue 15: one write fewer per queue batch). So a run in progress shows in `baton runs` after at
 * most that delay, and a run cut off by a crash before it is not recorded (its messages or event
 * are retried as before: the run history is not what makes a delivery durable).
 *
 * Every run is held (cancel.ts) from its start to its finish with the AbortController its
 * invocation listens to (the caller's signal aborts it too): a cancel request aborts it, the
 * executor stops the handler as on a timeout, and the run is finished `cancelled` with error type
 * 'Baton.Cancelled'; the caller gets a failed invocation with `cancelled: true`.
 */
import { randomUUID } from 'node:crypto';
import { defaults } from '../../core/defaults.ts';
import { hasSecrets, redactSecrets } from '../../core/secrets.ts';
import type { Invocation, InvokeOptions, LogRecord } from '../../ports/executor.ts';
import type { Run, RunError, RunStatus, StartRunInput } from '../../ports/runs.ts';
import { runtimeError } from '../executor/errors.ts';
import { RunCancelled, cancelMessage, holdRun } from './cancel.ts';
import { findFn, type InvokeDeps, type RunStarted } from './deps.ts';

export interface InvokeSyncOptions extends InvokeOptions {
  /** What started it, as shown in run history. @defaultValue 'invoke' */
  trigger?: string;
  /** @defaultValue 1 */
  attempt?: number;
  /** The message or record ids this invocation handles. */
  recordIds?: string[];
  /**
   * The run's id (a caller that must know it before the run ends: the dashboard's retry). A run
   * given its id is written as started at once, so it can be looked up while it runs. @defaultValue a fresh UUID
   */
  runId?: string;
  /** How long a run lasts before its start is written on its own (see the file header). @defaultValue defaults.runs.startWriteDelayMs */
  startWriteDelayMs?: number;
  /**
   * For an invocation that returned: the error its run is recorded with when the result itself
   * reports a failure (a partial batch response), so the run shows `error` naming what failed.
   */
  resultError?: (result: unknown) => RunError | undefined;
  /**
   * Called with the invocation's outcome as its run is finished. The store writes it starts before
   * its first await are committed with the run's finish (backend.together): a queue batch's delete
   * costs no commit of its own. The start is grouped the same way: writes `onStart` starts are
   * committed with the run's start (a queue batch's attempts).
   */
  onFinish?: (inv: Invocation) => void;
}

export interface InvokeResult extends Invocation {
  runId: string;
  /** The run was stopped by a cancel request (cancel.ts): status 'error', errorType 'Baton.Cancelled'. */
  cancelled?: true;
}

export function runError(inv: Invocation): RunError | undefined {
  const e = inv.error;
  return e ? { type: e.errorType, message: e.errorMessage, ...(e.stack ? { stack: e.stack } : {}) } : undefined;
}

function redactRun(logs: LogRecord[], error: RunError | undefined): { logs: LogRecord[]; error: RunError | undefined } {
  if (!hasSecrets()) return { logs, error };
  return {
    logs: logs.map((l) => ({ ...l, message: redactSecrets(l.message) })),
    error: error && { ...error, message: redactSecrets(error.message), ...(error.stack !== undefined ? { stack: redactSecrets(error.stack) } : {}) },
  };
}

/** The handler's result with the secrets this process knows redacted (as its logs are), before the store summarizes it. */
function redactResult(result: unknown): unknown {
  if (!hasSecrets() || result === undefined) return result;
  const json = JSON.stringify(result);
  if (json === undefined) return result;
  const redacted = redactSecrets(json);
  try {
    return JSON.parse(redacted) as unknown;
  } catch {
    return redacted;
  }
}

export async function invokeSync(deps: InvokeDeps, fnName: string, event: unknown, options: InvokeSyncOptions = {}): Promise<InvokeResult> {
  const fn = findFn(deps, fnName);
  const { runs, clock } = deps.backend;
  // One commit for the run's start (or finish) and the writes its caller makes with it (ports/backend.ts).
  const together = deps.backend.together?.bind(deps.backend) ?? ((work: () => void) => work());
  // A caller that names the run (the dashboard's retry) shows it at once: the start is written now.
  const delayMs = runs.record && options.runId === undefined ? (options.startWriteDelayMs ?? defaults.runs.startWriteDelayMs) : 0;
  let startInput: (StartRunInput & { id: string }) | undefined;
  let started: Promise<Run> | undefined;
  let startTimer: AbortController | undefined;
  const writeStart = (): void => {
    started = runs.start(startInput!);
    // Awaited below; this only keeps a failed write from being reported as unhandled meanwhile.
    started.catch(() => undefined);
  };
  let about: RunStarted | undefined;
  let inv: Invocation;
  // What the invocation listens to: a cancel request (cancel.ts) or the caller's own signal aborts it.
  const stop = new AbortController();
  const outer = options.signal;
  const forward = outer ? () => stop.abort(outer.reason) : undefined;
  if (outer?.aborted) stop.abort(outer.reason);
  else if (forward) outer!.addEventListener('abort', forward, { once: true });
  let release: (() => void) | undefined;
  try {
    inv = await deps.executor.invoke(fn, event, {
      ...(options.requestId ? { requestId: options.requestId } : {}),
      signal: stop.signal,
      onStart: (info) => {
        // The run id is made here, not by the store, so observers know it before the handler logs.
        about = { fn: fn.name, runId: options.runId ?? randomUUID(), requestId: info.requestId, trigger: options.trigger ?? 'invoke', attempt: options.attempt ?? 1 };
        release = holdRun(runs, about.runId, stop);
        deps.observer?.started?.(about);
        startInput = {
          id: about.runId,
          fn: fn.name,
          trigger: about.trigger,
          attempt: about.attempt,
          requestId: info.requestId,
          recordIds: options.recordIds ?? [],
          input: event,
          startedAt: clock.now(),
        };
        together(() => {
          if (delayMs <= 0) writeStart();
          else {
            const timer = (startTimer = new AbortController());
            clock.sleep(delayMs, timer.signal).then(
              () => {
                if (!timer.signal.aborted) writeStart();
              },
              () => undefined,
            );
          }
          options.onStart?.(info);
        });
      },
    });
  } finally {
    startTimer?.abort();
    release?.();
    if (forward) outer!.removeEventListener('abort', forward);
  }
  if (!startInput) throw new Error(`invokeSync: the executor returned an invocation of fn "${fn.name}" without starting it.`);
  // Only an invocation the abort ended is cancelled: one that returned, failed or timed out before the
  // abort reached it keeps its outcome (the request came too late).
  const cancel = inv.error?.errorType === 'Runtime.Aborted' && stop.signal.reason instanceof RunCancelled ? stop.signal.reason.request : undefined;
  if (cancel) {
    const message = cancelMessage(cancel);
    inv = { ...inv, status: 'error', error: runtimeError('Baton.Cancelled', message, 'CANCELLED'), logs: [...inv.logs, { time: clock.now(), level: 'error', message: `${inv.requestId} ${message}` }] };
  }
  const reported = inv.status === 'ok' ? options.resultError?.(inv.result) : undefined;
  const { logs, error } = redactRun(inv.logs, reported ?? runError(inv));
  const status: Exclude<RunStatus, 'running'> = cancel ? 'cancelled' : reported ? 'error' : inv.status;
  // A handler that returns nothing (most queue handlers) has no result worth a write.
  const result = inv.status === 'ok' && inv.result !== undefined && inv.result !== null ? { result: redactResult(inv.result) } : {};
  const finish = { status, durationMs: inv.durationMs, logs, ...(error ? { error } : {}), ...result };
  // A failed start write fails the run here, as it would without the group below.
  if (started) await started;
  let written!: Promise<Run>;
  const recorded = startInput;
  const outcome = inv;
  together(() => {
    written = started ? runs.finish(recorded.id, finish) : runs.record!(recorded, finish);
    written.catch(() => undefined);
    options.onFinish?.(outcome);
  });
  await written;
  if (about) deps.observer?.finished?.({ ...about, status, durationMs: inv.durationMs, ...(error ? { error } : {}) });
  return { ...inv, runId: startInput.id, ...(cancel ? { cancelled: true as const } : {}) };
}
