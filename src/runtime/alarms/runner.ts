/**
 * One queue alarm, evaluated every `everyMs` on the clock.
 *
 * Durable state in the parameter store at '/baton/alarms/<name>' (compare-and-set):
 *   state    OK or ALARM (a new alarm starts OK, without a notification)
 *   pending  a transition whose notification is being published: { ...transition, by, claimedAt }
 *
 * Each evaluation: finish a pending notification first (ours, or another engine's whose claim is
 * older than claimLeaseMs); then read the queue's stats, and if the state changes, record the new
 * state with the transition pending (CAS: only one engine wins), publish it, and clear pending.
 * So a notification goes out once per transition — a restart re-reads the state instead of
 * notifying again — and only a crash between publishing and clearing can repeat one.
 */
import { randomUUID } from 'node:crypto';
import type { AlarmConfig } from '../../core/resources/alarm.ts';
import type { TriggerContext } from '../triggers/context.ts';
import { DurableState, type Versioned } from '../triggers/durable-state.ts';
import { pause } from '../triggers/loop.ts';
import { metricValue, reasonFor, stateFor, type AlarmState } from './metric.ts';
import { alarmNotification, type Transition } from './notification.ts';

export interface AlarmRecord {
  state: AlarmState;
  changedAt: number;
  pending?: Transition & { by: string; claimedAt: number };
}

export const alarmStatePath = (name: string) => `/baton/alarms/${name}`;

export class AlarmRunner {
  private readonly me = randomUUID();
  private readonly state: DurableState<AlarmRecord>;
  /** Notifications this runner published. */
  published = 0;

  constructor(
    private readonly ctx: TriggerContext,
    private readonly alarm: AlarmConfig,
  ) {
    this.state = new DurableState(ctx.backend.params, alarmStatePath(alarm.name), `Baton alarm "${alarm.name}": OK or ALARM`);
  }

  async run(): Promise<void> {
    const { clock, stopping } = this.ctx;
    while (!stopping.aborted) {
      try {
        await this.evaluate();
      } catch (err) {
        this.ctx.report.error(`alarm ${this.alarm.name}`, err);
      }
      await pause(clock, this.alarm.everyMs, stopping);
    }
  }

  /** One evaluation (also what tests and `baton dev` may call directly). */
  async evaluate(): Promise<AlarmState> {
    const { clock, backend, settings } = this.ctx;
    let s = await this.state.loadOrCreate(() => ({ state: 'OK', changedAt: clock.now() }));
    const p = s.value.pending;
    if (p && (p.by === this.me || clock.now() - p.claimedAt >= settings.claimLeaseMs)) {
      const done = await this.publish(s, p);
      if (!done) return (await this.state.load())?.value.state ?? s.value.state;
      s = done;
    } else if (p) {
      return s.value.state;
    }
    const value = metricValue(this.alarm.metric, await backend.queues.stats(this.alarm.queue));
    const now = clock.now();
    const next = stateFor(this.alarm, value);
    if (next === s.value.state) return next;
    const transition: Transition = { oldState: s.value.state, newState: next, reason: reasonFor(this.alarm, value, next, now), value, at: now };
    const claimed = await this.state.replace(s, { state: next, changedAt: now, pending: { ...transition, by: this.me, claimedAt: now } });
    if (!claimed) return (await this.state.load())?.value.state ?? s.value.state;
    await this.publish(claimed, claimed.value.pending!);
    return next;
  }

  private async publish(s: Versioned<AlarmRecord>, t: Transition): Promise<Versioned<AlarmRecord> | false> {
    const { subject, message } = alarmNotification(this.alarm, t);
    await this.ctx.backend.topics.publish(this.alarm.topic, { subject, message });
    this.published++;
    return this.state.replace(s, { state: s.value.state, changedAt: s.value.changedAt });
  }
}
