/**
 * The engine registry: one item '/baton/engines' in Baton's internal lease table (lease/table.ts,
 * 'baton-leases') whose attribute `<engine id>` = { id, host, pid, startedAt, heartbeatAt } is one
 * running engine, set every engineHeartbeatMs on the clock and removed when the engine stops. Each
 * engine sets or removes only its own attribute (an update, atomic per item on both backends), so
 * engines never overwrite each other's entries and need no compare-and-set; one item (not one per
 * engine) because the table port reads items by key, with no scan. Kept in the table, not the
 * parameter store, for the reasons lease/lease.ts gives (SSM's rate limit and its absence from the
 * aws test servers).
 *
 * At start an engine reads the others: an entry whose heartbeat is less than three beats old is a
 * live engine on the same state (`baton dev` says so; both may run: leases split streams, bucket
 * events, jobs and maps between them, and queues are shared with fenced receipts). Entries of
 * engines dead for longer than staleAfterMs (a crash left them) are removed by the next engine
 * that starts.
 *
 *   registered (start: own entry written) -> beating (every engineHeartbeatMs) -> gone (stop: removed)
 *
 * The registry only informs: a table it cannot reach (DynamoDB down) does not stop the engine nor
 * count as a loop error; the last failure is kept in `problem` (which `baton dev` prints) and the
 * engine runs unregistered.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../ports/clock.ts';
import type { TableStore } from '../../ports/tables.ts';
import { declareLeaseTable, leaseTable } from '../lease/table.ts';
import { pause } from '../triggers/loop.ts';

export interface EngineEntry {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
}

export const enginesPath = '/baton/engines';
const where = `${enginesPath} in table ${leaseTable}`;
/** Entries of engines silent this long are deleted (a day). */
export const staleAfterMs = 86_400_000;

export class EngineRegistry {
  readonly entry: EngineEntry;

  constructor(
    private readonly tables: TableStore,
    private readonly clock: Clock,
    private readonly heartbeatMs: number,
  ) {
    const now = clock.now();
    this.entry = { id: randomUUID(), host: hostname(), pid: process.pid, startedAt: now, heartbeatAt: now };
  }

  /** The last failure to read or write the registry, if any. */
  problem: string | undefined;

  /** Registers this engine (declaring the table); returns the other engines alive on the same state (none when the registry cannot be read). */
  async register(): Promise<EngineEntry[]> {
    try {
      await declareLeaseTable(this.tables);
      const others = await this.others();
      await this.beat();
      return others;
    } catch (err) {
      this.problem = `the engine registry (${where}) could not be read or written: ${err instanceof Error ? err.message : String(err)}`;
      return [];
    }
  }

  /** The other engines whose heartbeat is under three beats old (and deletes long-dead entries). */
  async others(): Promise<EngineEntry[]> {
    const now = this.clock.now();
    const alive: EngineEntry[] = [];
    const stale: string[] = [];
    const item = await this.tables.get(leaseTable, { name: enginesPath });
    for (const [id, e] of Object.entries(item ?? {})) {
      if (id === 'name' || id === this.entry.id || !isEntry(e)) continue;
      if (now - e.heartbeatAt < 3 * this.heartbeatMs) alive.push(e);
      else if (now - e.heartbeatAt > staleAfterMs) stale.push(id);
    }
    if (stale.length) await this.tables.update(leaseTable, { name: enginesPath }, { remove: stale }).catch(() => undefined);
    return alive;
  }

  /** Beats every heartbeatMs until `signal` aborts, then deletes the entry (failures go to `problem`). */
  async run(signal: AbortSignal): Promise<void> {
    const note = (err: unknown) => {
      this.problem = `the engine registry (${where}) could not be written: ${err instanceof Error ? err.message : String(err)}`;
    };
    while (await pause(this.clock, this.heartbeatMs, signal)) {
      try {
        await this.beat();
        this.problem = undefined;
      } catch (err) {
        note(err);
      }
    }
    await this.tables.update(leaseTable, { name: enginesPath }, { remove: [this.entry.id] }).catch(note);
  }

  private async beat(): Promise<void> {
    this.entry.heartbeatAt = this.clock.now();
    await declareLeaseTable(this.tables);
    await this.tables.update(leaseTable, { name: enginesPath }, { set: { [this.entry.id]: { ...this.entry } } });
  }
}

function isEntry(v: unknown): v is EngineEntry {
  return typeof v === 'object' && v !== null && typeof (v as EngineEntry).heartbeatAt === 'number' && typeof (v as EngineEntry).id === 'string';
}

/** One line for `baton dev`: who else runs on this state. */
export function describeOthers(others: readonly EngineEntry[], now: number): string {
  const who = others.map((e) => `pid ${e.pid} on ${e.host}, heartbeat ${Math.max(0, Math.round((now - e.heartbeatAt) / 1000))} s ago`).join('; ');
  return `${others.length === 1 ? 'another engine is' : `${others.length} other engines are`} already running on this state (${who}). Both run: streams, bucket events, jobs and maps are split between them by leases and queues are shared, so nothing runs twice; stop the other one if you did not mean to scale out.`;
}
