/**
 * What travels between the job runner (parent) and job() (inside the handler's worker thread or
 * container child): the event of a relay invocation, and the reply its handler returns. Both are
 * plain JSON, as Lambda events and results are, so a job handler deploys to Lambda unchanged.
 */
import type { SerializedError } from '../../core/errors.ts';
import type { ExecutorKind } from '../../core/resources/fn.ts';
import type { JobStoreConnection } from '../../ports/jobs.ts';

export interface JobLimits {
  maxCheckpointBytes: number;
  marginMs: number;
  stepRetries: number;
  stepBackoffMs: number;
  retryMaxMs: number;
  stepInlineBytes: number;
  bucket: string;
}

export interface JobEnvelope {
  id: string;
  fn: string;
  /** This relay's number: the fence on every write it makes. */
  relay: number;
  input: unknown;
  checkpoint?: unknown;
  /** The clock's time when the relay was dispatched (sleep and waitFor count from it). */
  now: number;
  executor: ExecutorKind;
  connection: JobStoreConnection;
  limits: JobLimits;
}

export interface JobEvent {
  batonJob: JobEnvelope;
}

export type JobReply =
  | { batonJob: 'done'; result: unknown }
  | { batonJob: 'continue' }
  | { batonJob: 'suspend'; wakeAt: number; waitingFor: string }
  | { batonJob: 'failed'; error: SerializedError };

export function isJobEvent(event: unknown): event is JobEvent {
  return typeof event === 'object' && event !== null && typeof (event as { batonJob?: unknown }).batonJob === 'object';
}

export function isJobReply(result: unknown): result is JobReply {
  return typeof result === 'object' && result !== null && typeof (result as { batonJob?: unknown }).batonJob === 'string';
}
