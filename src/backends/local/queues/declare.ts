import { DefinitionError } from '../../../core/errors.ts';
import type { QueueConfig } from '../../../ports/queues.ts';
import { validateQueueConfig } from '../../shared/queues/config.ts';
import type { QueueState } from './state.ts';

/**
 * Creates or updates a queue (an upsert in `queues`, so other processes on the same state see it).
 * Its dead-letter queue must be declared first, so a typo in a DLQ name fails here rather than
 * on the first failed message.
 */
export function declare(state: QueueState, config: QueueConfig): void {
  const clean = validateQueueConfig(config);
  const dl = clean.deadLetter;
  if (dl && !state.find(dl.queue)) {
    throw new DefinitionError(`Queue '${clean.name}': its dead-letter queue '${dl.queue}' is not declared.`, {
      action: `Declare queue '${dl.queue}' before '${clean.name}' (or fix deadLetter.queue in baton.config.ts).`,
    });
  }
  state.save(clean);
}
