import type { SendInput, SendResult } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';

/**
 * Enqueues one message as part of the caller's open transaction (used by object notifications and
 * topic subscriptions so the event and the state change commit together). Validates the queue and
 * the size like `send`. The caller emits `queue:<name>` on ctx.signals after its commit.
 */
export function enqueueWithin(ctx: LocalContext, queue: string, input: SendInput): SendResult {
  void ctx; void queue; void input;
  throw new Error('enqueueWithin: to be written with the local queue store');
}
