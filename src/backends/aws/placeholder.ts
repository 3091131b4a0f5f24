// Temporary: a store whose every method fails, until the real one lands. Removed when all have.
import { StoreError } from '../../core/errors.ts';

export function placeholder<T>(port: string): new (ctx: unknown) => T {
  return class {
    constructor() {
      return new Proxy({}, { get: (_t, prop) => (prop === 'then' || prop === 'close' ? undefined : () => Promise.reject(new StoreError(`the aws ${port} store is not built yet (${String(prop)}).`))) });
    }
  } as unknown as new (ctx: unknown) => T;
}
