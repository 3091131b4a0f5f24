/**
 * A fenced work lease kept in Baton's internal table 'baton-leases' (lease/table.ts: one item per
 * lease, named '/baton/leases/...', every change a conditional put on the item's version), so that
 * of all the engines (and CLI processes) on one state exactly one does a given piece of work at a
 * time: reading a table's stream for one consumer, pumping bucket events, driving a job or a map.
 *
 * Stored item: { name, holder, token, expiresAt, host, pid, version }.
 *   holder     a random id of the Lease object (one per process and piece of work)
 *   token      the fencing token: bumped every time the lease changes hands
 *   expiresAt  the holder's last renewal + ttl (on the holder's clock)
 *   host, pid  the holding process: a lease held by a process of this host that no longer exists
 *              (killed) counts as expired at once, so a restart after a crash resumes without
 *              waiting for the ttl (a reused pid only makes it wait for the ttl)
 *   version    bumped by every write; a write names the version it read (absent: notExists)
 *
 * States, as this process sees them:
 *   free ──acquire (CAS: absent, released, expired, or already ours)──▶ held
 *   held ──renew (CAS, every ttl/3 by keepAlive)──▶ held
 *   held ──renew fails (another holder) or ttl passed without renewal──▶ lost (`lost` aborts)
 *   held ──release (CAS to expiresAt 0; or a CAS delete when the work is finished for good)──▶ free
 *
 * Fencing: `valid()` says whether this process may still act on the work (commit a stream
 * position, ack an event, claim a relay): the lease is ours and at least a third of the ttl is
 * left on our last renewal, so no other holder can have taken it over (it waits for expiresAt).
 * Work that may outlive that margin renews first (`confirm()`), which is a compare-and-set: a
 * holder that lost the lease is refused and must drop what it was doing.
 *
 * Why a table and not the parameter store (where leases were first kept): on aws the parameter
 * store is SSM, which has no conditional put on a version (a read-then-put lets two engines both
 * write a lease, the loser told only after its value was written), allows only tens of
 * PutParameter per second per account (advanced throughput, billed, past that) while every lease
 * renews every ttl/3, and is absent from the emulators the aws tests run on. The table port's
 * conditional put is atomic on both backends (SQLite; DynamoDB ConditionExpression), cheap and
 * unthrottled at this rate.
 *
 * Why in the runtime and not in the ports: the stream commit, the outbox ack and the job claim
 * would each need a new fenced port operation on both backends (SQLite and DynamoDB/SQS); the
 * table port's conditional put is an operation both already give.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../ports/clock.ts';
import type { TableStore } from '../../ports/tables.ts';
import type { Versioned } from '../triggers/durable-state.ts';
import { pause } from '../triggers/loop.ts';
import { VersionedItem } from './table.ts';

export interface LeaseValue {
  holder: string;
  token: number;
  expiresAt: number;
  host?: string;
  pid?: number;
}

/** Whether the lease's holder is a process of this host that has died. */
export function holderDied(v: LeaseValue): boolean {
  if (v.host !== hostname() || v.pid === undefined || v.pid === process.pid) return false;
  try {
    process.kill(v.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A name-safe level from any text ('fn:load' -> 'fn_load'); a long one is cut and told
 * apart by a hash. Two ids that map to one level share a lease: they wait for each other, no more.
 */
export function leaseLevel(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9_.-]/g, '_') || '_';
  return safe.length <= 200 ? safe : `${safe.slice(0, 100)}.${createHash('sha256').update(s).digest('hex').slice(0, 32)}`;
}

export const leasePath = (...levels: string[]) => `/baton/leases/${levels.map(leaseLevel).join('/')}`;

export class Lease {
  readonly holder = randomUUID();
  private readonly state: VersionedItem<LeaseValue>;
  private current: Versioned<LeaseValue> | undefined;
  private lostCtl = new AbortController();

  /** `what` names the work, for messages about the lease. */
  constructor(
    tables: TableStore,
    private readonly clock: Clock,
    readonly name: string,
    private readonly ttlMs: number,
    readonly what: string,
  ) {
    this.state = new VersionedItem(tables, name);
  }

  /** The fencing token while held. */
  get token(): number | undefined {
    return this.current?.value.token;
  }

  get held(): boolean {
    return this.current !== undefined;
  }

  /** Aborts when a held lease is lost (a renewal refused, or its ttl passed). */
  get lost(): AbortSignal {
    return this.lostCtl.signal;
  }

  /** Who holds it now (as stored), for messages; undefined when free. */
  async holderNow(): Promise<LeaseValue | undefined> {
    const s = await this.state.load();
    return s && s.value.expiresAt > this.clock.now() && !holderDied(s.value) ? s.value : undefined;
  }

  /** Takes the lease if it is free, expired or ours; true when held afterwards. */
  async acquire(): Promise<boolean> {
    const s = await this.state.load();
    const now = this.clock.now();
    if (s && s.value.holder !== this.holder && s.value.expiresAt > now && !holderDied(s.value)) return false;
    const mine = s?.value.holder === this.holder && this.current !== undefined;
    const next: LeaseValue = { holder: this.holder, token: mine ? s.value.token : (s?.value.token ?? 0) + 1, expiresAt: now + this.ttlMs, host: hostname(), pid: process.pid };
    const won = await this.state.replace(s ?? { value: next, version: 0 }, next);
    if (!won) return false;
    if (!mine) this.lostCtl = new AbortController();
    this.current = won;
    return true;
  }

  /** True while ours with at least a third of the ttl left on our last renewal (no I/O). */
  valid(): boolean {
    return this.current !== undefined && this.current.value.expiresAt - this.clock.now() >= this.ttlMs / 3;
  }

  /** Extends the lease (CAS on the version we wrote); false, and `lost` aborted, when another holder has it. */
  async renew(): Promise<boolean> {
    const c = this.current;
    if (!c) return false;
    if (c.value.expiresAt <= this.clock.now()) return this.drop();
    const won = await this.state.replace(c, { ...c.value, expiresAt: this.clock.now() + this.ttlMs });
    if (!won) return this.drop();
    this.current = won;
    return true;
  }

  /** valid() without I/O when it can, else a renewal: what a fenced write checks first. */
  async confirm(): Promise<boolean> {
    return this.valid() || this.renew();
  }

  /** Renews every ttl/3 on the clock while held, until `signal` aborts (it outlives a loss: a lease taken again is renewed too). */
  async keepAlive(signal: AbortSignal, onError: (err: unknown) => void): Promise<void> {
    while (await pause(this.clock, this.ttlMs / 3, signal)) {
      if (!this.current) continue;
      try {
        await this.renew();
      } catch (err) {
        onError(err);
        if (this.current && this.current.value.expiresAt <= this.clock.now()) this.drop();
      }
    }
  }

  /**
   * Gives the lease up so another process may take it at once. `finished`: the work is done for
   * good (a job or map that ended) and the item is deleted (if still ours), not kept as a released lease.
   */
  async release(options: { finished?: boolean } = {}): Promise<void> {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    if (options.finished) await this.state.delete(c);
    else await this.state.replace(c, { ...c.value, expiresAt: 0 });
  }

  private drop(): false {
    this.current = undefined;
    this.lostCtl.abort(new Error(`lease ${this.name} was lost`));
    return false;
  }
}
