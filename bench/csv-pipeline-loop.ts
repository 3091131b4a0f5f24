// The baseline of `npm run bench -- csv-pipeline`: the seed-004 rows through one plain loop in one
// process, with the same cleaning and the same table writes as the pipeline, and nothing else (no
// queues, no stream, no workers): parse each CSV line, clean its fields (control and invisible
// characters stripped, trimmed, empty to null), check it against the schema, put the clean rows
// in batches of 25 on the same condition, then process each and write the same update.
import { splitLine } from '../src/data/csv/stage.ts';
import type { Backend } from '../src/ports/backend.ts';
import { process as processRow } from '../examples/csv-pipeline/handlers/process.ts';
import { names, transaction, type TransactionItem } from '../examples/csv-pipeline/schema.ts';

export interface LoopCounts {
  rows: number;
  clean: number;
  rejected: number;
  refused: number;
  updated: number;
}

const strip = /[\u0000-\u001f\u007f\u00a0\u200b\ufeff]/g;

export async function plainLoop(backend: Backend, csv: string): Promise<LoopCounts> {
  const lines = csv.split('\n');
  const header = splitLine(lines[0]!, ',', '"');
  const counts: LoopCounts = { rows: 0, clean: 0, rejected: 0, refused: 0, updated: 0 };
  const loaded: TransactionItem[] = [];
  let batch: TransactionItem[] = [];
  const flush = async () => {
    const results = await backend.tables.batchWrite(names.table, batch.map((row) => ({ put: { ...row }, condition: { notExists: true } })));
    for (const r of results) {
      if (r.ok) loaded.push(batch[r.index]!);
      else counts.refused++;
    }
    batch = [];
  };
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    counts.rows++;
    const fields = splitLine(lines[i]!, ',', '"');
    if (fields.length !== header.length) {
      counts.rejected++;
      continue;
    }
    const record: Record<string, unknown> = {};
    for (let f = 0; f < header.length; f++) {
      const v = fields[f]!.replace(strip, '').trim();
      if (v !== '') record[header[f]!] = header[f] === 'amount' ? Number(v) : v;
    }
    const parsed = transaction.safeParse(record);
    if (!parsed.success) {
      counts.rejected++;
      continue;
    }
    counts.clean++;
    batch.push({ ...parsed.data, stage: 'loaded' });
    if (batch.length === 25) await flush();
  }
  if (batch.length > 0) await flush();
  for (let i = 0; i < loaded.length; i += 25) {
    const writes = loaded.slice(i, i + 25).map((row) => {
      const { transaction_id, ...found } = processRow(row);
      return { update: { transaction_id }, set: { ...found, stage: 'processed' }, add: { updates: 1 }, condition: { equals: { stage: 'loaded' } } };
    });
    for (const r of await backend.tables.batchWrite(names.table, writes)) if (r.ok) counts.updated++;
  }
  return counts;
}
