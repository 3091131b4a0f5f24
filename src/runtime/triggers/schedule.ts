/**
 * Schedule -> fn / queue / topic (EventBridge Scheduler).
 *
 * Durable state per schedule, in the parameter store at '/baton/schedules/<name>' (DurableState,
 * compare-and-set on the version):
 *   anchor  when the schedule was first registered: rate ticks are anchor + k * period
 *   last    the last tick handled (fired or passed over); ticks <= last never fire again
 *   claim   a tick being fired: { tick, by (engine id), at }
 *
 * The loop: load the state; if a claim is open and is ours, or older than claimLeaseMs (its
 * engine died mid-fire), finish it: deliver the tick and set last = tick. Otherwise plan
 * (schedule-plan.ts) from last and the clock: claim the tick to fire (CAS), deliver it, then set
 * last = tick and drop the claim (CAS). When nothing is due, sleep on the clock until the next
 * tick (at most scheduleMaxSleepMs, then look again).
 *
 * So a tick fires once even with two engines on the same state (only one claim succeeds), a
 * restart neither loses a tick (last only moves after delivery) nor repeats one (last is durable);
 * only a crash between delivering and recording it can deliver that tick again (after the claim
 * lease), with the same event id, so a handler can tell.
 *
 * Delivery: a fn target is invoked asynchronously (EventBridge invokes Lambda asynchronously, so
 * retries and onFailure apply); a queue gets the event as a message body; a topic as a message.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduleConfig } from '../../core/resources/schedule.ts';
import { nextFireTime } from '../../core/schedule/index.ts';
import type { ParamStore } from '../../ports/params.ts';
import { invokeAsync } from '../invoke/index.ts';
import type { TriggerContext } from './context.ts';
import { DurableState, type Versioned } from './durable-state.ts';
import { tickEvent, tickId } from './events/scheduled.ts';
import { pause } from './loop.ts';
import { planTick } from './schedule-plan.ts';

export interface ScheduleState {
  anchor: number;
  last: number;
  claim?: { tick: number; by: string; at: number };
}

export const scheduleStatePath = (name: string) => `/baton/schedules/${name}`;

/** A schedule's durable state (anchor, last tick), or undefined before an engine first registers it. */
export async function readScheduleState(params: ParamStore, name: string): Promise<ScheduleState | undefined> {
  return (await new DurableState<ScheduleState>(params, scheduleStatePath(name), '').load())?.value;
}

export class ScheduleRunner {
  private readonly me = randomUUID();
  private readonly state: DurableState<ScheduleState>;
  /** Ticks this runner delivered. */
  fired = 0;

  constructor(
    private readonly ctx: TriggerContext,
    private readonly schedule: ScheduleConfig,
  ) {
    this.state = new DurableState(ctx.backend.params, scheduleStatePath(schedule.name), `Baton schedule "${schedule.name}": last tick handled (do not edit while an engine runs)`);
  }

  async run(): Promise<void> {
    const { clock, stopping, settings } = this.ctx;
    while (!stopping.aborted) {
      let waitMs: number;
      try {
        waitMs = await this.step();
      } catch (err) {
        this.ctx.report.error(`schedule ${this.schedule.name}`, err);
        waitMs = settings.errorBackoffMs;
      }
      if (waitMs > 0) await pause(clock, waitMs, stopping);
    }
  }

  /** Does one thing (finish a claim, fire a tick, pass over missed ticks) and says how long to wait before the next. */
  async step(): Promise<number> {
    const { clock, settings } = this.ctx;
    const s = await this.state.loadOrCreate(() => ({ anchor: clock.now(), last: clock.now() }));
    const now = clock.now();
    const claim = s.value.claim;
    if (claim) {
      if (claim.by !== this.me && now - claim.at < settings.claimLeaseMs) return Math.min(settings.pollIntervalMs, claim.at + settings.claimLeaseMs - now);
      await this.deliver(claim.tick);
      await this.state.replace(s, { anchor: s.value.anchor, last: Math.max(s.value.last, claim.tick) });
      return 0;
    }
    const plan = planTick(this.schedule, s.value.last, now, s.value.anchor, settings.scheduleGraceMs);
    if (plan && 'skipTo' in plan) {
      await this.state.replace(s, { anchor: s.value.anchor, last: plan.skipTo });
      return 0;
    }
    if (plan) {
      await this.fire(s, plan.fire); // when another engine claimed first, the next step looks again
      return 0;
    }
    const next = nextFireTime(this.schedule.expression, now, this.schedule.timezone, { start: s.value.anchor });
    return next === undefined ? settings.scheduleMaxSleepMs : Math.max(1, Math.min(next - now, settings.scheduleMaxSleepMs));
  }

  private async fire(s: Versioned<ScheduleState>, tick: number): Promise<void> {
    const claimed = await this.state.replace(s, { ...s.value, claim: { tick, by: this.me, at: this.ctx.clock.now() } });
    if (!claimed) return;
    await this.deliver(tick);
    await this.state.replace(claimed, { anchor: s.value.anchor, last: tick });
  }

  private async deliver(tick: number): Promise<void> {
    const target = this.schedule.target;
    const event = tickEvent(this.schedule, tick);
    if (!target) return;
    if ('fn' in target) await invokeAsync(this.ctx.deps, target.fn, event, { requestId: tickId(this.schedule.name, tick), trigger: `schedule:${this.schedule.name}` });
    else if ('queue' in target) await this.ctx.backend.queues.send(target.queue, { body: JSON.stringify(event) });
    else await this.ctx.backend.topics.publish(target.topic, { message: JSON.stringify(event) });
    this.fired++;
  }
}
