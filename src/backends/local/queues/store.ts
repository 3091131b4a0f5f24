// Placeholder until the local queue store is written; see src/ports/queues.ts.
import type { LocalContext } from '../context.ts';

export class LocalQueueStore {
  constructor(readonly ctx: LocalContext, ..._rest: unknown[]) {}
}
