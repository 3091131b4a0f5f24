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

  /** Registers this engine; returns the other engines alive on the same state. */
  async register(): Promise<EngineEntry[]> {
    const others = await this.others();
    await this.beat();
    return others;
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

  /** Beats every heartbeatMs until `signal` aborts, then deletes the entry. */
  async run(signal: AbortSignal, onError: (err: unknown) => void): Promise<void> {
    while (await pause(this.clock, this.heartbeatMs, signal)) {
      try {
        await this.beat();
      } catch (err) {
        onError(err);
      }
    }
    await this.params.delete(this.name).catch(onError);
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
