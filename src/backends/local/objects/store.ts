// Placeholder until the local object store is written; see src/ports/objects.ts.
import type { LocalContext } from '../context.ts';

export class LocalObjectStore {
  constructor(readonly ctx: LocalContext, ..._rest: unknown[]) {}
}
