import type { AppSpec } from '../core/app.ts';
import { ConditionFailedError } from '../core/errors.ts';
import type { Backend } from '../ports/backend.ts';

/**
 * Makes the backend match the app: declares every queue (dead-letter queues first), bucket,
 * table and topic, and creates initial parameters that do not exist yet. Idempotent.
 */
export async function provision(backend: Backend, spec: AppSpec): Promise<void> {
  const dlqFirst = [...spec.queues].sort((a, b) => Number(a.deadLetter !== undefined) - Number(b.deadLetter !== undefined));
  for (const q of dlqFirst) await backend.queues.declare(q);
  for (const b of spec.buckets) await backend.objects.declare(b);
  for (const t of spec.tables) await backend.tables.declare(t);
  for (const t of spec.topics) await backend.topics.declare(t);
  for (const ns of spec.params) {
    for (const p of ns.initial) {
      try {
        await backend.params.put(p.name, { value: p.value, type: p.type, expectedVersion: 0, ...(p.description !== undefined ? { description: p.description } : {}) });
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
      }
    }
  }
}
