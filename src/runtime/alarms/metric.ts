/** The value of an alarm's metric from Baton's own queue counts (not sampled, not estimated). */
import type { AlarmConfig, AlarmMetric } from '../../core/resources/alarm.ts';
import type { QueueStats } from '../../ports/queues.ts';

export function metricValue(metric: AlarmMetric, stats: QueueStats): number {
  switch (metric) {
    case 'depth':
      return stats.visible + stats.inFlight + stats.delayed;
    case 'visible':
      return stats.visible;
    case 'deadLettered':
      return stats.deadLettered ?? 0;
    case 'oldestAge':
      return stats.oldestAgeMs;
  }
}

export type AlarmState = 'OK' | 'ALARM';

export function stateFor(a: AlarmConfig, value: number): AlarmState {
  return value >= a.threshold ? 'ALARM' : 'OK';
}

export function unitOf(metric: AlarmMetric): string {
  return metric === 'oldestAge' ? 'Milliseconds' : 'Count';
}

/** CloudWatch's reason text: 'Threshold Crossed: 1 datapoint [3 (…)] was greater than or equal to the threshold (1).' */
export function reasonFor(a: AlarmConfig, value: number, state: AlarmState, at: number): string {
  const when = new Date(at).toISOString();
  return `Threshold Crossed: 1 datapoint [${value} (${when})] was ${state === 'ALARM' ? 'greater than or equal to' : 'less than'} the threshold (${a.threshold}).`;
}
