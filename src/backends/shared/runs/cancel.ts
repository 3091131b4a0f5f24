/** What both backends say about cancel requests (ports/runs.ts RunStore.requestCancel), so they refuse the same way. */
import { ConditionFailedError, show } from '../../../core/errors.ts';

/** The refusal of a cancel request for a run that has ended. */
export function notRunning(id: string, status: string): ConditionFailedError {
  return new ConditionFailedError(`Run ${show(id)} already ended ${status}; only a running run can be cancelled.`, { action: 'Cancel a run whose status is running (baton runs --status running).' });
}
