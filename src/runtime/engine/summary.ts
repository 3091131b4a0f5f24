/** The one-line status `baton dev` shows: invocations, errors, timeouts, work in flight, queue depths. */
import type { QueueStats } from '../../ports/queues.ts';
import type { EngineCounters } from './counting-executor.ts';

export interface SummaryInput {
  counters: Readonly<EngineCounters>;
  inFlight: number;
  queues: readonly QueueStats[];
}

/**
 * 'invocations 120  errors 2  timeouts 0  in flight 1  |  orders 5 (+2 in flight, dlq 1)  jobs 0'.
 * Internal queues (baton-*) are shown only when they hold something.
 */
export function formatSummary(s: SummaryInput): string {
  const c = s.counters;
  const queues = s.queues
    .filter((q) => !q.queue.startsWith('baton-') || q.visible + q.inFlight + q.delayed > 0)
    .map((q) => {
      const extra = [q.inFlight ? `+${q.inFlight} in flight` : '', q.delayed ? `+${q.delayed} delayed` : '', q.deadLettered ? `dlq ${q.deadLettered}` : ''].filter((x) => x !== '');
      return `${q.queue} ${q.visible}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    });
  return `invocations ${c.invocations}  errors ${c.errors}  timeouts ${c.timeouts}  in flight ${s.inFlight}${queues.length ? `  |  ${queues.join('  ')}` : ''}`;
}
