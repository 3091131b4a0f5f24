/**
 * How often and how patiently a file or webhook delivery is tried: pure, so the aws backend's
 * topic store retries exactly as the local one does.
 */
import { defaults } from '../../../core/defaults.ts';
import type { Subscriber } from '../../../ports/topics.ts';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export function policyOf(target: Subscriber): RetryPolicy {
  if (target.kind === 'webhook') {
    return { attempts: target.attempts ?? defaults.topics.webhookAttempts, backoffMs: target.backoffMs ?? defaults.topics.webhookBackoffMs };
  }
  return { attempts: defaults.topics.fileAttempts, backoffMs: defaults.topics.webhookBackoffMs };
}

/** The wait after failed attempt number `attempt` (1-based): backoff, doubling, capped. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.backoffMs * 2 ** (attempt - 1), defaults.topics.webhookMaxBackoffMs);
}
