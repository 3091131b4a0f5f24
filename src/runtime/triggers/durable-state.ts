/**
 * A small JSON state kept in the parameter store under a reserved path ('/baton/...') and changed
 * only by compare-and-set on the parameter's version, so two engines on the same state can never
 * both make the same change (one of them gets ConditionFailedError, reloads and looks again).
 *
 * Used by the schedules ('/baton/schedules/<name>': last tick, open claim) and the alarms
 * ('/baton/alarms/<name>': OK or ALARM, pending notification). The leases and the engine registry
 * moved to the table 'baton-leases' (lease/table.ts), because they write every few seconds and
 * SSM, the parameter store on aws, has no atomic conditional put and a low write rate. These stay
 * here on purpose:
 * - Moving them would make every existing state forget its schedules' last ticks and its alarms'
 *   states once, at the upgrade: a tick already fired could fire again, an alarm notify again.
 * - They write once per tick or transition (minutes apart), far under SSM's rate limit.
 * - Deployed on AWS, schedules are EventBridge Scheduler and alarms CloudWatch alarms: this state is
 *   the engine's (local, or an engine on an aws backend), where local's compare-and-set is atomic.
 * The price, on an aws backend only: SSM's compare-and-set is a read-then-put, so two engines on
 * one state may, in that window, both claim one tick; and an engine on aws with no SSM endpoint
 * runs no schedule or alarm loop (each load fails and is reported). A move would carry each state
 * over from its parameter on first load (read the table, else the parameter, then create the item
 * with notExists), so nothing fires twice.
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
