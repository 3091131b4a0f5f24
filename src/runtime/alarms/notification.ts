/**
 * The message an alarm publishes on a state change: CloudWatch's alarm notification JSON (AlarmName,
 * NewStateValue, OldStateValue, NewStateReason, StateChangeTime, Trigger, ...), with the subject
 * CloudWatch uses ('ALARM: "<name>" in <region>'). The metric is Baton's own queue count, in the
 * 'Baton/Queue' namespace with the queue as its dimension.
 */
import type { AlarmConfig } from '../../core/resources/alarm.ts';
import { localAccount, localRegion } from '../triggers/events/aws.ts';
import { unitOf, type AlarmState } from './metric.ts';

export interface Transition {
  oldState: AlarmState;
  newState: AlarmState;
  reason: string;
  value: number;
  at: number;
}

const topicArn = (topic: string) => `arn:aws:sns:${localRegion}:${localAccount}:${topic}`;

/** CloudWatch writes its times as '2026-01-01T01:00:00.000+0000'. */
const cwTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export function alarmNotification(a: AlarmConfig, t: Transition): { subject: string; message: string } {
  const body = {
    AlarmName: a.name,
    AlarmDescription: null,
    AWSAccountId: localAccount,
    AlarmConfigurationUpdatedTimestamp: null,
    NewStateValue: t.newState,
    NewStateReason: t.reason,
    StateChangeTime: cwTime(t.at),
    Region: localRegion,
    AlarmArn: `arn:aws:cloudwatch:${localRegion}:${localAccount}:alarm:${a.name}`,
    OldStateValue: t.oldState,
    OKActions: [topicArn(a.topic)],
    AlarmActions: [topicArn(a.topic)],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: a.metric,
      Namespace: 'Baton/Queue',
      StatisticType: 'Statistic',
      Statistic: 'MAXIMUM',
      Unit: unitOf(a.metric),
      Dimensions: [{ value: a.queue, name: 'QueueName' }],
      Period: Math.round(a.everyMs / 1000),
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: a.threshold,
      TreatMissingData: 'missing',
      EvaluationState: '',
    },
  };
  return { subject: `${t.newState}: "${a.name}" in ${localRegion}`, message: JSON.stringify(body) };
}
