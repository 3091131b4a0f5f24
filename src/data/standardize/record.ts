/**
 * The per-record validator for the ingestion edge (a firehose put, an HTTP request): one record
 * checked in TypeScript with the same zod schema the bulk path compiles to SQL, with every
 * failure as a readable reason. The bulk path (index.ts) stays in DuckDB for throughput.
 */
import type { z } from 'zod';

export type RecordCheck<T> = { ok: true; value: T } | { ok: false; reasons: string[] };

export function validateRecord<S extends z.ZodType>(schema: S, record: unknown): RecordCheck<z.output<S>> {
  const r = schema.safeParse(record);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, reasons: r.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(record)'}: ${i.message}`) };
}
