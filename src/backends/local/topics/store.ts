// Placeholder until the local topic store is written; see src/ports/topics.ts.
import type { LocalContext } from '../context.ts';

export class LocalTopicStore {
  constructor(readonly ctx: LocalContext, ..._rest: unknown[]) {}
}
