/** What both backends say about runs (ports/runs.ts RunStore), so they refuse and answer the same way. */
import { ConditionFailedError, NotFoundError, show } from '../../../core/errors.ts';

/** The refusal of a cancel request for a run that has ended. */
export function notRunning(id: string, status: string): ConditionFailedError {
  return new ConditionFailedError(`Run ${show(id)} already ended ${status}; only a running run can be cancelled.`, { action: 'Cancel a run whose status is running (baton runs --status running).' });
}

/** A run id the store does not hold. */
export function runNotFound(id: string): NotFoundError {
  return new NotFoundError(`Run ${show(id)} does not exist (or was pruned by retention).`, { action: 'List runs with `baton runs` to find a run id.' });
}

/** A stored cancel request as the port gives it: `by` only when someone was named (null and undefined alike). */
export function cancelRequestOf(at: number, by: string | null | undefined): { at: number; by?: string } {
  return by != null ? { at, by } : { at };
}
