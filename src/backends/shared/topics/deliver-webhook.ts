import { defaults } from '../../../core/defaults.ts';
import type { Subscriber } from '../../../ports/topics.ts';

type Webhook = Extract<Subscriber, { kind: 'webhook' }>;

/** One failed attempt, with a message fit for `lastError`. */
export class AttemptError extends Error {
  override readonly name = 'AttemptError';
}

/**
 * One HTTP POST of a notification, as SNS makes it to an HTTP(S) subscriber: the SNS JSON as the
 * body with content type text/plain (as SNS sends it) and the x-amz-sns-* headers. Any 2xx is
 * delivered; anything else, a network error or the timeout throws an AttemptError. Redirects are
 * not followed (a 3xx is a failure, as SNS). `topicArn` goes in x-amz-sns-topic-arn. `signal` aborts
 * the request (the store stopping).
 */
export async function postNotification(hook: Webhook, topicArn: string, messageId: string, notification: string, signal?: AbortSignal): Promise<void> {
  const timeoutMs = hook.timeoutMs ?? defaults.topics.webhookTimeoutMs;
  let response: Response;
  try {
    response = await fetch(hook.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-message-id': messageId,
        'x-amz-sns-topic-arn': topicArn,
      },
      body: notification,
      signal: signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) : AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new AttemptError(describeFetchError(err, timeoutMs));
  }
  // Read the body so the connection is released, whatever the status.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) {
    throw new AttemptError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${hook.url}`);
  }
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no response within ${timeoutMs} ms (timeoutMs)`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return detail ? `${message}: ${detail}` : message;
}
