/**
 * alarm -> CloudWatch alarm on the SQS metric the local alarm reads, at or above the threshold,
 * notifying the topic when it goes into alarm and when it comes back (as the local alarm publishes
 * once each way):
 *   deadLettered -> the DLQ's ApproximateNumberOfMessagesVisible
 *   visible      -> ApproximateNumberOfMessagesVisible
 *   depth        -> visible + not visible + delayed (metric math)
 *   oldestAge    -> ApproximateAgeOfOldestMessage, in seconds
 * SQS metrics come each minute: the period is `every` rounded up to whole minutes.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmConfig } from '../core/resources/alarm.ts';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';
import { showMs } from './units.ts';

function metric(built: Built, a: AlarmConfig, period: Duration): { metric: cloudwatch.IMetric; threshold: number } {
  const queue = built.queue(a.queue);
  const opts = { period, statistic: cloudwatch.Stats.MAXIMUM };
  switch (a.metric) {
    case 'deadLettered': {
      const dlqName = built.props.spec.queues.find((q) => q.name === a.queue)!.deadLetter!.queue;
      return { metric: built.queue(dlqName).metricApproximateNumberOfMessagesVisible(opts), threshold: a.threshold };
    }
    case 'visible':
      return { metric: queue.metricApproximateNumberOfMessagesVisible(opts), threshold: a.threshold };
    case 'oldestAge':
      return { metric: queue.metricApproximateAgeOfOldestMessage(opts), threshold: Math.ceil(a.threshold / 1000) };
    case 'depth':
      return { metric: depth(queue, period), threshold: a.threshold };
  }
}

function depth(queue: sqs.Queue, period: Duration): cloudwatch.IMetric {
  const opts = { period, statistic: cloudwatch.Stats.MAXIMUM };
  return new cloudwatch.MathExpression({
    expression: 'visible + inflight + delayed',
    usingMetrics: { visible: queue.metricApproximateNumberOfMessagesVisible(opts), inflight: queue.metricApproximateNumberOfMessagesNotVisible(opts), delayed: queue.metric('ApproximateNumberOfMessagesDelayed', opts) },
    period,
    label: 'depth',
  });
}

export function makeAlarms(scope: Construct, built: Built): void {
  if (!built.props.spec.alarms.length) return;
  const group = new Construct(scope, 'Alarms');
  for (const a of built.props.spec.alarms) {
    const minutes = Math.max(1, Math.ceil(a.everyMs / 60_000));
    if (a.everyMs !== minutes * 60_000) built.note(`alarm "${a.name}": evaluated every ${minutes} min (CloudWatch reads SQS metrics each minute), not every ${showMs(a.everyMs)}.`);
    const { metric: m, threshold } = metric(built, a, Duration.minutes(minutes));
    const alarm = new cloudwatch.Alarm(group, constructId(a.name), {
      alarmName: `${built.names.prefix}${a.name}`,
      metric: m,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new actions.SnsAction(built.topic(a.topic));
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
  }
}
