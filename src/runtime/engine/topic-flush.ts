/**
 * The engine's topic delivery pump: calls `backend.topics.flush()` every `settings.topicFlushMs`
 * while the engine runs, so file and webhook subscribers get what was published (by a handler, a
 * schedule or an alarm) on a backend that delivers them only when flushed (aws: SNS cannot write
 * a file on this machine or reach a webhook on 127.0.0.1, so they wait in inbox queues). On local,
 * which delivers at publish, a flush only picks up deliveries a crash left behind: harmless.
 *
 * Stopping: no flush starts after stop(); the one under way finishes (on aws a flush of empty
 * inboxes takes a 1 s long poll) unless stop's deadline passes first, as a flush still waiting out
 * a webhook's retries or timeout would: then it is left to the backend's close(), which hands what
 * it holds back to the inboxes for the next engine's flush.
 */
import type { TriggerContext } from '../triggers/context.ts';
import { pause } from '../triggers/loop.ts';

/** Resolves when the signal aborts (at once if it already has). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export async function runTopicFlush(ctx: TriggerContext): Promise<void> {
  const deadline = aborted(ctx.aborting);
  while (!ctx.stopping.aborted) {
    let failed = false;
    const flushing = ctx.backend.topics.flush().catch((err: unknown) => {
      failed = true;
      if (!ctx.aborting.aborted) ctx.report.error('topics: flush', err);
    });
    await Promise.race([flushing, deadline]);
    if (ctx.stopping.aborted) return;
    await pause(ctx.clock, failed ? Math.max(ctx.settings.errorBackoffMs, ctx.settings.topicFlushMs) : ctx.settings.topicFlushMs, ctx.stopping);
  }
}

/** True when some topic has a subscriber only a flush may deliver to (a file or a webhook). */
export function needsTopicFlush(topics: ReadonlyArray<{ subscribers: ReadonlyArray<{ kind: string }> }>): boolean {
  return topics.some((t) => t.subscribers.some((s) => s.kind !== 'queue'));
}
