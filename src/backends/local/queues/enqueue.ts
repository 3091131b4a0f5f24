import { randomUUID } from 'node:crypto';
import type { SendInput, SendResult } from '../../../ports/queues.ts';
import type { LocalContext } from '../context.ts';
import { checkDelay, checkMessage } from './message.ts';
import { queueState, type QueueEntry, type QueueState } from './state.ts';

/**
 * Enqueues one message as part of the caller's open transaction (used by object notifications and
 * topic subscriptions so the event and the state change commit together). Validates the queue and
 * the size like `send`: NotFoundError for an undeclared queue, TooLargeError or ValidationError for
 * a bad message, thrown before anything is written. The caller emits `queue:<name>` on ctx.signals
 * after its commit.
 */
export function enqueueWithin(ctx: LocalContext, queue: string, input: SendInput): SendResult {
  const state = queueState(ctx);
  return insertMessage(state, state.require(queue), input, ctx.clock.now());
}

/** The one insert path: send, sendBatch and enqueueWithin all come here. */
export function insertMessage(state: QueueState, entry: QueueEntry, input: SendInput, now: number): SendResult {
  const { name, maxMessageSize, delayMs } = entry.config;
  const attributes = checkMessage(name, maxMessageSize, input);
  const delay = checkDelay(name, input.delayMs, delayMs);
  const messageId = randomUUID();
  state.stmts.insert.run(entry.id, messageId, input.body, attributes, now, now, now + delay);
  return { messageId };
}
