// Placeholder until the local param store is written; see src/ports/params.ts.
import type { LocalContext } from '../context.ts';

export class LocalParamStore {
  constructor(readonly ctx: LocalContext, ..._rest: unknown[]) {}
}
