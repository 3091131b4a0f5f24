/**
 * The engine registry: one entry per running engine in the parameter store,
 * '/baton/engines/<engine id>' = { id, host, pid, startedAt, heartbeatAt }, rewritten every
 * engineHeartbeatMs on the clock and deleted when the engine stops. At start an engine reads the
 * others: an entry whose heartbeat is less than three beats old is a live engine on the same state
 * (`baton dev` says so; both may run: leases split streams, bucket events, jobs and maps between
 * them, and queues are shared with fenced receipts). Entries of engines dead for longer than
 * staleAfterMs (a crash left them) are deleted by the next engine that starts.
 *
 *   registered (start: own entry written) -> beating (every engineHeartbeatMs) -> gone (stop: deleted)
 *
 * The registry only informs: a parameter store it cannot reach (an aws backend with no SSM
 * endpoint, for an app that uses no params) does not stop the engine nor count as a loop error;
 * the last failure is kept in `problem` (which `baton dev` prints) and the engine runs unregistered.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../ports/clock.ts';
import type { ParamStore } from '../../ports/params.ts';
import { pause } from '../triggers/loop.ts';

export interface EngineEntry {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
}

export const enginesPath = '/baton/engines';
/** Entries of engines silent this long are deleted (a day). */
export const staleAfterMs = 86_400_000;

export class EngineRegistry {
  readonly entry: EngineEntry;

  constructor(
    private readonly params: ParamStore,
    private readonly clock: Clock,
    private readonly heartbeatMs: number,
  ) {
    const now = clock.now();
    this.entry = { id: randomUUID(), host: hostname(), pid: process.pid, startedAt: now, heartbeatAt: now };
  }

  private get name(): string {
    return `${enginesPath}/${this.entry.id}`;
  }

  /** The last failure to read or write the registry, if any. */
  problem: string | undefined;

  /** Registers this engine; returns the other engines alive on the same state (none when the registry cannot be read). */
  async register(): Promise<EngineEntry[]> {
    try {
      const others = await this.others();
      await this.beat();
      return others;
    } catch (err) {
      this.problem = `the engine registry (${enginesPath}) could not be read or written: ${err instanceof Error ? err.message : String(err)}`;
      return [];
    }
  }

  /** The other engines whose heartbeat is under three beats old (and deletes long-dead entries). */
  async others(): Promise<EngineEntry[]> {
    const now = this.clock.now();
    const alive: EngineEntry[] = [];
    for (const p of await this.params.getByPath(enginesPath)) {
      let e: EngineEntry;
      try {
        e = JSON.parse(p.value) as EngineEntry;
      } catch {
        continue;
      }
      if (e.id === this.entry.id) continue;
      if (now - e.heartbeatAt < 3 * this.heartbeatMs) alive.push(e);
      else if (now - e.heartbeatAt > staleAfterMs) await this.params.delete(p.name).catch(() => undefined);
    }
    return alive;
  }

  /** Beats every heartbeatMs until `signal` aborts, then deletes the entry (failures go to `problem`). */
  async run(signal: AbortSignal): Promise<void> {
    const note = (err: unknown) => {
      this.problem = `the engine registry (${enginesPath}) could not be written: ${err instanceof Error ? err.message : String(err)}`;
    };
    while (await pause(this.clock, this.heartbeatMs, signal)) {
      try {
        await this.beat();
        this.problem = undefined;
      } catch (err) {
        note(err);
      }
    }
    await this.params.delete(this.name).catch(note);
  }

  private async beat(): Promise<void> {
    this.entry.heartbeatAt = this.clock.now();
    await this.params.put(this.name, { value: JSON.stringify(this.entry), overwrite: true, description: 'Baton engine registry: a running engine and its last heartbeat' });
  }
}

/** One line for `baton dev`: who else runs on this state. */
export function describeOthers(others: readonly EngineEntry[], now: number): string {
  const who = others.map((e) => `pid ${e.pid} on ${e.host}, heartbeat ${Math.max(0, Math.round((now - e.heartbeatAt) / 1000))} s ago`).join('; ');
  return `${others.length === 1 ? 'another engine is' : `${others.length} other engines are`} already running on this state (${who}). Both run: streams, bucket events, jobs and maps are split between them by leases and queues are shared, so nothing runs twice; stop the other one if you did not mean to scale out.`;
}
