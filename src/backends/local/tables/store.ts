// Placeholder until the local table store is written; see src/ports/tables.ts.
import type { LocalContext } from '../context.ts';

export class LocalTableStore {
  constructor(readonly ctx: LocalContext, ..._rest: unknown[]) {}
}
