/**
 * A trigger loop's hold on its lease: `ensure()` takes the lease when this loop does not hold it
 * (waiting a sixth of the ttl on the clock when another engine does), a background loop renews it
 * while held, and `close()` stops renewing and releases it so another engine takes over at once.
 *
 *   not held --ensure: acquire won--> held --renewal refused / ttl passed--> not held
 *   not held --ensure: another holder--> (waits leaseMs/6, then ensure again)
 *   any --close--> released
 */
import type { TriggerContext } from '../triggers/context.ts';
import { pause } from '../triggers/loop.ts';
import { Lease } from './lease.ts';

export class LeaseKeeper {
  private readonly stopCtl = new AbortController();
  private readonly alive: Promise<void>;

  constructor(
    private readonly ctx: TriggerContext,
    readonly lease: Lease,
  ) {
    this.alive = lease.keepAlive(this.stopCtl.signal, (err) => ctx.report.error(`lease ${lease.name}: renew`, err));
  }

  /** A keeper of a new lease at `path` with the engine's ttl (settings.leaseMs). */
  static of(ctx: TriggerContext, path: string, what: string): LeaseKeeper {
    return new LeaseKeeper(ctx, new Lease(ctx.backend.tables, ctx.clock, path, ctx.settings.leaseMs, what));
  }

  /** True when this loop holds the lease (taking it if free); false after waiting when it cannot. */
  async ensure(): Promise<boolean> {
    if (this.lease.held) return true;
    try {
      if (await this.lease.acquire()) return true;
    } catch (err) {
      this.ctx.report.error(`lease ${this.lease.name}: acquire`, err);
    }
    await pause(this.ctx.clock, Math.max(this.ctx.settings.pollIntervalMs, this.ctx.settings.leaseMs / 6), this.ctx.stopping);
    return false;
  }

  async close(): Promise<void> {
    this.stopCtl.abort();
    await this.alive;
    await this.lease.release().catch((err: unknown) => this.ctx.report.error(`lease ${this.lease.name}: release`, err));
  }
}

/** Thrown by a fenced write whose lease was lost: the work is another engine's now. */
export class LeaseLostError extends Error {
  constructor(name: string) {
    super(`the lease ${name} is held by another engine now; this engine's uncommitted work there is dropped (the other engine handles it again).`);
    this.name = 'LeaseLostError';
  }
}
