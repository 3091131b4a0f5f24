/**
 * schedule -> EventBridge Scheduler schedule: the expression as written, its time zone, enabled or
 * disabled, no flexible window, and its target (a function invoke, a queue message or a topic
 * message) through a role that may do exactly that. The input is the schedule's fixed input, or
 * else an EventBridge "Scheduled Event" built from the Scheduler's context attributes, the event a
 * tick delivers locally.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { ScheduleConfig } from '../core/resources/schedule.ts';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';

function scheduledEvent(scope: Construct): string {
  const stack = Stack.of(scope);
  return stack.toJsonString({
    version: '0',
    id: '<aws.scheduler.execution-id>',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: stack.account,
    time: '<aws.scheduler.scheduled-time>',
    region: stack.region,
    resources: ['<aws.scheduler.schedule-arn>'],
    detail: {},
  });
}

function target(scope: Construct, built: Built, s: ScheduleConfig, role: iam.Role): string {
  const t = s.target!;
  if ('fn' in t) {
    const fn = built.fn(t.fn);
    fn.grantInvoke(role);
    return fn.functionArn;
  }
  if ('queue' in t) {
    const queue = built.queue(t.queue);
    queue.grantSendMessages(role);
    return queue.queueArn;
  }
  const topic = built.topic(t.topic);
  topic.grantPublish(role);
  return topic.topicArn;
}

export function makeSchedules(scope: Construct, built: Built): void {
  if (!built.props.spec.schedules.length) return;
  const group = new Construct(scope, 'Schedules');
  for (const s of built.props.spec.schedules) {
    const id = constructId(s.name);
    const role = new iam.Role(group, `${id}-role`, { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
    const arn = target(group, built, s, role);
    const input = s.input !== undefined ? JSON.stringify(s.input) : scheduledEvent(group);
    new scheduler.CfnSchedule(group, id, {
      name: `${built.names.prefix}${s.name}`,
      scheduleExpression: s.expression.expression,
      scheduleExpressionTimezone: s.timezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: s.enabled ? 'ENABLED' : 'DISABLED',
      target: { arn, roleArn: role.roleArn, input },
    });
    if (s.catchUp !== 'skip') built.note(`schedule "${s.name}": the Scheduler does not fire ticks missed while it was disabled (catchUp '${s.catchUp}' applies to Baton's own engine only); it retries a failed delivery for up to 24 h.`);
  }
}
