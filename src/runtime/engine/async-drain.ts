/**
 * The engine's async-invocation pump: `settings.asyncDrainers` loops each call drainAsync
 * (src/runtime/invoke) over and over, long-polling the internal async queue, so invokeAsync
 * events, their retries (after their backoff on the clock) and their on-failure destinations are
 * handled while the engine runs. Stopping ends the long poll; a drain in progress finishes.
 */
import { drainAsync } from '../invoke/index.ts';
import type { TriggerContext } from '../triggers/context.ts';
import { pause } from '../triggers/loop.ts';

export async function runAsyncDrain(ctx: TriggerContext, retryBaseMs: number | undefined): Promise<void> {
  while (!ctx.stopping.aborted) {
    try {
      await drainAsync(ctx.deps, {
        maxMessages: ctx.settings.asyncDrainBatch,
        waitMs: ctx.settings.queueWaitMs,
        signal: ctx.stopping,
        ...(retryBaseMs !== undefined ? { retryBaseMs } : {}),
      });
    } catch (err) {
      if (ctx.stopping.aborted) return;
      ctx.report.error('async invocations: drain', err);
      await pause(ctx.clock, ctx.settings.errorBackoffMs, ctx.stopping);
    }
  }
}
