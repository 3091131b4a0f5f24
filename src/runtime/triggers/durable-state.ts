/**
 * A small JSON state kept in the parameter store under a reserved path ('/baton/...') and changed
 * only by compare-and-set on the parameter's version, so two engines on the same state can never
 * both make the same change (one of them gets ConditionFailedError, reloads and looks again).
 */
import { ConditionFailedError } from '../../core/errors.ts';
import type { ParamStore } from '../../ports/params.ts';

export interface Versioned<T> {
  value: T;
  version: number;
}

export class DurableState<T> {
  constructor(
    private readonly params: ParamStore,
    readonly name: string,
    private readonly describe: string,
  ) {}

  async load(): Promise<Versioned<T> | undefined> {
    const p = await this.params.find(this.name);
    return p ? { value: JSON.parse(p.value) as T, version: p.version } : undefined;
  }

  /** Loads the state, creating it with `initial` if there is none yet (the first writer wins). */
  async loadOrCreate(initial: () => T): Promise<Versioned<T>> {
    for (;;) {
      const found = await this.load();
      if (found) return found;
      const value = initial();
      if (await this.replace({ value, version: 0 }, value)) return { value, version: 1 };
    }
  }

  /** Writes `next` if the state is still at `current.version`; false when someone else changed it first. */
  async replace(current: Versioned<T>, next: T): Promise<Versioned<T> | false> {
    try {
      const { version } = await this.params.put(this.name, { value: JSON.stringify(next), overwrite: current.version > 0, expectedVersion: current.version, description: this.describe });
      return { value: next, version };
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }
}
