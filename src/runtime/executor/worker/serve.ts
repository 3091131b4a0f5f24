/**
 * The runtime loop shared by a function worker thread (worker/main.ts) and a container child
 * process (runtime/container/child-main.ts): loads the handler module once (reporting `ready` or
 * `init-error`), then runs one invocation at a time for as long as the parent keeps it. Console
 * output is captured and sent to the parent; results travel as JSON, as Lambda's do. The parent
 * enforces any time limit by ending the thread or process; nothing here needs to cooperate.
 *
 * The transport is the only difference between the two: a worker's parentPort, or a child's IPC
 * channel (process.send / process.on('message')).
 *
 * Errors leave the worker with known secret values redacted (core/secrets.ts), as log lines do.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { redactSecrets } from '../../../core/secrets.ts';
import type { InvocationError } from '../../../ports/executor.ts';
import { runtimeError, toInvocationError } from '../errors.ts';
import type { FromWorker, ToWorker, WorkerSetup } from '../protocol.ts';
import { callHandler, type AnyHandler } from './call-handler.ts';
import { captureConsole } from './console-capture.ts';
import { decodeEvent } from './decoders.ts';
import { loadHandler } from './load-handler.ts';

export interface Transport {
  post(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
}

const runtimeDir = dirname(fileURLToPath(import.meta.url));

/** Cuts a handler error's stack where Baton's worker frames begin: the user's frames are what matter. */
function trimStack(stack: string): string {
  const lines = stack.split('\n');
  const cut = lines.findIndex((l, i) => i > 0 && l.includes(runtimeDir));
  return cut > 0 ? lines.slice(0, cut).join('\n') : stack;
}

/** The error with every text a handler could have put a secret into redacted. */
function redactError(error: InvocationError): InvocationError {
  const out: InvocationError = { ...error, errorMessage: redactSecrets(error.errorMessage), message: redactSecrets(error.message) };
  if (error.stack !== undefined) out.stack = redactSecrets(error.stack);
  if (error.action !== undefined) out.action = redactSecrets(error.action);
  return out;
}

function encodeResult(result: unknown): { ok: true; json: string } | { ok: false; message: string } {
  try {
    return { ok: true, json: JSON.stringify(result) ?? 'null' };
  } catch (err) {
    return { ok: false, message: (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ') };
  }
}

/** `importHandler` loads the handler module when it is not setup.moduleUrl as written (a compiled handler). */
export async function serve(setup: WorkerSetup, transport: Transport, importHandler?: () => Promise<unknown>): Promise<void> {
  const post = (m: FromWorker) => transport.post(m.type === 'done' && !m.ok ? { ...m, error: redactError(m.error) } : m.type === 'init-error' ? { ...m, error: redactError(m.error) } : m);
  const capture = captureConsole((requestId, record) => post({ type: 'log', requestId, record }), setup.logPayloadBytes, setup.maxLogRecords);

  async function run(handler: AnyHandler, m: ToWorker): Promise<void> {
    capture.begin(m.requestId);
    const input = { requestId: m.requestId, fnName: setup.fnName, memoryMb: setup.memoryMb, logStreamName: setup.logStreamName, deadline: m.deadline };
    let done: FromWorker;
    try {
      const event = decodeEvent(m.eventJson, m.decoder);
      const result = await callHandler(handler, event, input, (msg) => capture.write('warn', msg));
      const encoded = encodeResult(result);
      done = encoded.ok
        ? { type: 'done', requestId: m.requestId, ok: true, resultJson: encoded.json }
        : {
            type: 'done',
            requestId: m.requestId,
            ok: false,
            error: runtimeError('Runtime.ResultNotSerializable', `fn "${setup.fnName}": the handler's result cannot be serialized to JSON (${encoded.message}). Return plain data: objects, arrays, strings, numbers, booleans and null.`),
          };
    } catch (thrown) {
      const error = toInvocationError(thrown);
      if (error.stack) error.stack = trimStack(error.stack);
      done = { type: 'done', requestId: m.requestId, ok: false, error };
    }
    if (!done.ok) capture.write('error', `Invoke Error ${JSON.stringify({ errorType: done.error.errorType, errorMessage: done.error.errorMessage, stack: done.error.stack?.split('\n') })}`);
    capture.end();
    post(done);
  }

  const started = performance.now();
  const loaded = await loadHandler(setup, importHandler);
  const initDurationMs = performance.now() - started;
  if (!loaded.ok) {
    post({ type: 'init-error', error: loaded.error, initDurationMs });
    return;
  }
  const handler = loaded.handler;
  transport.onMessage((m) => {
    run(handler, m).catch((err: unknown) => {
      // Only a failure to post the outcome lands here; report it rather than hang the invocation.
      post({ type: 'done', requestId: m.requestId, ok: false, error: runtimeError('Runtime.ExitError', `fn "${setup.fnName}": the worker could not report the outcome: ${String(err)}.`) });
    });
  });
  post({ type: 'ready', initDurationMs });
}
