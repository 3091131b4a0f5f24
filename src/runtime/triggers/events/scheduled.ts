/**
 * The event a schedule fires (EventBridge's scheduled event, @types/aws-lambda ScheduledEvent),
 * or the schedule's fixed input when it has one, as an EventBridge target with a constant input.
 * The id is derived from the schedule and the tick, so a tick delivered again after a crash
 * carries the same id and a handler can recognise it.
 */
import { createHash } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { localAccount, localRegion } from './aws.ts';

export function ruleArn(schedule: string): string {
  return `arn:aws:events:${localRegion}:${localAccount}:rule/${schedule}`;
}

/** A UUID-shaped id that is the same for the same schedule and tick. */
export function tickId(schedule: string, tick: number): string {
  const h = createHash('sha256').update(`${schedule}\n${tick}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function scheduledEvent(schedule: string, tick: number): ScheduledEvent<Record<string, never>> {
  return {
    version: '0',
    id: tickId(schedule, tick),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: localAccount,
    time: new Date(tick).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: localRegion,
    resources: [ruleArn(schedule)],
    detail: {},
  };
}

/** What a tick delivers: the fixed input when the schedule has one, else the scheduled event. */
export function tickEvent(schedule: { name: string; input?: unknown }, tick: number): unknown {
  return schedule.input !== undefined ? schedule.input : scheduledEvent(schedule.name, tick);
}
