import { defaults } from '../../../core/defaults.ts';
import type { Subscriber } from '../../../ports/topics.ts';

/**
 * How long a process holds a delivery for one attempt (plus `waitMs` of backoff before it): the
 * request timeout and a margin. Past it, another process may take the delivery over, so a
 * delivery whose process died is resumed rather than lost.
 */
export function leaseFor(s: Subscriber, waitMs = 0): number {
  const timeout = s.kind === 'webhook' ? (s.timeoutMs ?? defaults.topics.webhookTimeoutMs) : 0;
  return waitMs + timeout + defaults.topics.leaseMarginMs;
}
