/**
 * Errors and signals of jobs. Retry meaning lives in the error's type (as Inngest's
 * NonRetriableError): throw a NonRetriableError from a job or a step to fail the job at once
 * instead of retrying. ContinueSignal and SuspendSignal are not failures: they end the current
 * relay early (continue: at once; suspend: at a wake time) and are caught by job().
 */
import { BatonError } from '../../core/errors.ts';

/** Fails the job (or step) without retrying. */
export class NonRetriableError extends BatonError {
  override readonly code: string = 'NON_RETRIABLE';
}

/** The steps of a replay do not match the journal: the handler's code changed under a running job. */
export class StepOrderError extends NonRetriableError {
  override readonly code = 'STEP_ORDER_CHANGED';
}

/** A checkpoint over the limit: the fix is to store the value as an object and checkpoint its key. */
export class CheckpointTooLargeError extends NonRetriableError {
  override readonly code = 'CHECKPOINT_TOO_LARGE';
}

/** Thrown by ctx.continue(): ends this relay now; the next starts at once from the checkpoint. */
export class ContinueSignal extends Error {
  override readonly name = 'ContinueSignal';
  constructor() {
    super('job relay continues in a new invocation (ctx.continue); this is not an error. Do not catch it in a job handler.');
  }
}

/** Thrown by a step that must wait (sleep, waitFor, a retry backoff): ends this relay until wakeAt. */
export class SuspendSignal extends Error {
  override readonly name = 'SuspendSignal';
  constructor(
    readonly wakeAt: number,
    readonly waitingFor: string,
  ) {
    super(`job suspended until ${new Date(wakeAt).toISOString()} (${waitingFor}); this is not an error. Do not catch it in a job handler.`);
  }
}

export function isNonRetriable(err: unknown): boolean {
  return err instanceof NonRetriableError || (err instanceof Error && (err as { code?: unknown }).code === 'NON_RETRIABLE');
}
