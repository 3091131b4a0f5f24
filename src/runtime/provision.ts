import type { AppSpec } from '../core/app.ts';
import { ConditionFailedError } from '../core/errors.ts';
import type { Backend } from '../ports/backend.ts';

/** What provision declared: every resource by name, and which initial parameters it created or found already there. */
export interface ProvisionReport {
  queues: string[];
  buckets: string[];
  tables: string[];
  topics: string[];
  params: { created: string[]; kept: string[] };
}

/**
 * Makes the backend match the app: declares every queue (dead-letter queues first), bucket,
 * table and topic, and creates initial parameters that do not exist yet. Idempotent: a second run
 * declares the same and creates no parameter.
 */
export async function provision(backend: Backend, spec: AppSpec): Promise<ProvisionReport> {
  const report: ProvisionReport = { queues: [], buckets: [], tables: [], topics: [], params: { created: [], kept: [] } };
  const dlqFirst = [...spec.queues].sort((a, b) => Number(a.deadLetter !== undefined) - Number(b.deadLetter !== undefined));
  for (const q of dlqFirst) {
    await backend.queues.declare(q);
    report.queues.push(q.name);
  }
  for (const b of spec.buckets) {
    await backend.objects.declare(b);
    report.buckets.push(b.name);
  }
  for (const t of spec.tables) {
    await backend.tables.declare(t);
    report.tables.push(t.name);
  }
  for (const t of spec.topics) {
    await backend.topics.declare(t);
    report.topics.push(t.name);
  }
  for (const ns of spec.params) {
    for (const p of ns.initial) {
      try {
        await backend.params.put(p.name, { value: p.value, type: p.type, expectedVersion: 0, ...(p.description !== undefined ? { description: p.description } : {}) });
        report.params.created.push(p.name);
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
        report.params.kept.push(p.name);
      }
    }
  }
  return report;
}
