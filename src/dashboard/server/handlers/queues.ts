/**
 * The queues screen: GET /api/queues (each queue's numbers), GET /api/queues/:name/history (the
 * sampler's last 10 min), GET /api/queues/:name/messages (a page of the queue's messages, read
 * without receiving them: pass a DLQ's name to see its messages), POST /api/queues/:name/redrive
 * (a DLQ, or a queue whose DLQ it is: dry run first, by count and/or a body substring).
 */
import { defaults } from '../../../core/defaults.ts';
import { NotFoundError, ValidationError, show } from '../../../core/errors.ts';
import { truncateUtf8 } from '../../../core/truncate.ts';
import type { QueueConfig } from '../../../ports/queues.ts';
import type { DashboardDeps } from '../context.ts';
import { queueCounts } from '../counts.ts';
import type { Router } from '../router.ts';

function findQueue(deps: DashboardDeps, name: string): QueueConfig {
  const q = deps.app.spec.queues.find((c) => c.name === name);
  if (!q) throw new NotFoundError(`Queue ${show(name)} is not declared by app "${deps.app.spec.name}".`, { action: `Pick one of: ${deps.app.spec.queues.map((c) => c.name).join(', ') || 'none'}.` });
  return q;
}

export function queueRoutes(router: Router, deps: DashboardDeps): void {
  const queues = () => deps.app.backend.queues;

  router.get('/api/queues', async () => ({ items: await queueCounts(deps.app) }));

  router.get('/api/queues/:name/history', async ({ params }) => {
    const q = findQueue(deps, params.name!);
    return { points: deps.sampler.history(q.name), everyMs: deps.sampler.everyMs };
  });

  router.get('/api/queues/:name/messages', async ({ params, query }) => {
    const q = findQueue(deps, params.name!);
    const cursor = query.string('cursor');
    const page = await queues().peek(q.name, { limit: query.limit(defaults.dashboard.pageSize, defaults.dashboard.maxPageSize), ...(cursor ? { cursor } : {}) });
    return {
      items: page.items.map((m) => ({
        id: m.messageId,
        body: truncateUtf8(m.body, defaults.dashboard.bodyPreviewBytes),
        bodyBytes: Buffer.byteLength(m.body),
        attempts: m.attempts,
        receiveCount: m.receiveCount,
        state: m.state,
        sentAt: m.sentAt,
        ...(m.sourceQueue !== undefined ? { source: m.sourceQueue } : {}),
        ...(m.lastError ? { lastError: { type: m.lastError.name, message: m.lastError.message, ...(m.lastError.stack ? { stack: m.lastError.stack } : {}) } } : {}),
        ...(Object.keys(m.attributes).length ? { attributes: m.attributes } : {}),
      })),
      next: page.next,
    };
  });

  router.post('/api/queues/:name/redrive', async ({ params, body }) => {
    const q = findQueue(deps, params.name!);
    const dryRun = body.boolean('dryRun');
    const max = body.optionalInt('max', 0, 1_000_000);
    const contains = body.optionalString('contains', 1000);
    // The queue named is the DLQ, or a source queue: then its DLQ, only the messages that came from it.
    const isDlq = deps.app.spec.queues.some((c) => c.deadLetter?.queue === q.name);
    const dlq = isDlq ? q.name : q.deadLetter?.queue;
    if (dlq === undefined) throw new ValidationError(`Queue ${show(q.name)} is not a dead-letter queue and has none; there is nothing to redrive.`, { action: 'Redrive a dead-letter queue, or a queue declared with deadLetter.' });
    const from = isDlq ? undefined : q.name;
    const filter = from !== undefined || contains !== undefined ? (m: { body: string; sourceQueue?: string }) => (from === undefined || m.sourceQueue === from) && (contains === undefined || m.body.includes(contains)) : undefined;
    const result = await queues().redrive(dlq, { dryRun, ...(max !== undefined ? { max } : {}), ...(filter ? { filter } : {}) });
    return { dryRun, dlq, count: dryRun ? result.messages.length : result.moved, ids: result.messages.slice(0, 100).map((m) => m.messageId) };
  });
}
