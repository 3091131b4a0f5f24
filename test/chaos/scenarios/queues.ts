/** Queue helpers the chaos scenarios share: emptiness, and the redrive an operator does after a crash dead-lettered work. */
import type { Backend } from '../../../src/ports/backend.ts';
import type { ReceivedMessage } from '../../../src/ports/queues.ts';

/** True when none of the queues holds a visible, in-flight or delayed message. */
export async function queuesEmpty(backend: Backend, queues: readonly string[]): Promise<boolean> {
  for (const q of queues) {
    const s = await backend.queues.stats(q);
    if (s.visible + s.inFlight + s.delayed > 0) return false;
  }
  return true;
}

/**
 * Redrives from each queue's DLQ the messages `keep` does not claim (a crash counts as a receive, as
 * on SQS, so a message in flight at three kills is dead-lettered without a handler having failed).
 * Returns how many moved.
 */
export async function redriveCrashVictims(backend: Backend, queues: readonly string[], keep: (queue: string, m: ReceivedMessage) => boolean = () => false): Promise<number> {
  let moved = 0;
  for (const q of queues) moved += (await backend.queues.redrive(`${q}-dlq`, { filter: (m) => !keep(q, m) })).moved;
  return moved;
}

/** Every message of a queue, once each (hidden for a minute, no attempt counted). */
export async function drain(backend: Backend, queue: string): Promise<ReceivedMessage[]> {
  const out: ReceivedMessage[] = [];
  for (;;) {
    const got = await backend.queues.receive(queue, { maxMessages: 10, visibilityTimeoutMs: 60_000, countAttempt: false });
    if (got.length === 0) return out;
    out.push(...got);
  }
}
