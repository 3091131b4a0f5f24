/**
 * A lease heartbeat for a set of received messages: every `everyMs` on the clock it extends each
 * message's visibility by `visibilityMs`, so work that outlives the visibility timeout is not
 * delivered twice. A handle that turns out stale (its lease ended) is dropped from the set.
 */
import { StaleReceiptError } from '../../core/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { QueueStore } from '../../ports/queues.ts';
import { pause } from './loop.ts';

export interface Heartbeat {
  /** Stops the heartbeat and waits for an extension in progress to finish. */
  stop(): Promise<void>;
}

/** One shared abort reason: abort() without one builds a DOMException with a stack, per batch. */
const stopped = new Error('heartbeat stopped');

export function startHeartbeat(queues: QueueStore, clock: Clock, queue: string, handles: Set<string>, visibilityMs: number, everyMs: number, onError: (err: unknown) => void): Heartbeat {
  const ctl = new AbortController();
  const loop = async () => {
    if (everyMs < 1) return;
    while (await pause(clock, everyMs, ctl.signal)) {
      for (const handle of [...handles]) {
        if (ctl.signal.aborted) return;
        try {
          await queues.changeVisibility(queue, handle, visibilityMs);
        } catch (err) {
          if (err instanceof StaleReceiptError) handles.delete(handle);
          else onError(err);
        }
      }
    }
  };
  const done = loop();
  return {
    async stop() {
      ctl.abort(stopped);
      await done;
    },
  };
}
