/**
 * csv-pipeline under chaos: the example's CSV (small size: 6,000 rows, 9 malformed, 11 poison) is
 * uploaded once; engines are killed during clean, load, the stream and update. The example's own
 * promises are checked as its demo does: every clean row processed exactly once (updates === 1)
 * and the amounts add up; the malformed rows rejected with reasons; each poison row alone in
 * load-dlq after 3 tries, once; no other dead letters (after the crash victims are redriven).
 */
import { fileURLToPath } from 'node:url';
import { sizes, uploadKey } from '../../../examples/csv-pipeline/demo.ts';
import { generateCsv, type Generated } from '../../../examples/csv-pipeline/generate.ts';
import { names, type TransactionItem } from '../../../examples/csv-pipeline/schema.ts';
import type { ReceivedMessage } from '../../../src/ports/queues.ts';
import type { Scale, Scenario } from '../harness/chaos.ts';
import { drain, queuesEmpty, redriveCrashVictims } from './queues.ts';

const queues = [names.uploads, names.load, names.process, names.finished];

/** A load-dlq message holding one poison row alone (its id longer than a table key may be). */
function isPoison(m: ReceivedMessage): boolean {
  const rows = JSON.parse(m.body) as Array<{ transaction_id: string }>;
  return rows.length === 1 && Buffer.byteLength(rows[0]!.transaction_id) > 2048;
}

export function csvPipeline(scale: Scale = 'short'): Scenario {
  let input: Generated;
  let redriven = 0;
  return {
    name: 'csv-pipeline',
    config: fileURLToPath(new URL('../../../examples/csv-pipeline/baton.config.ts', import.meta.url)),
    life: [1500, 9000],
    settleTimeoutMs: 240_000,
    async prepare() {
      // Full: four times the example's test size, so the pipeline is still at work at the later kills.
      input = generateCsv(scale === 'full' ? { ...sizes.small, rows: 24_000 } : sizes.small);
    },
    async feed({ backend }) {
      await backend.objects.put(names.bucket, uploadKey, input.csv, { contentType: 'text/csv' });
    },
    async settled({ backend }) {
      if (!(await queuesEmpty(backend, queues))) return false;
      if (((await backend.queues.stats(names.load)).deadLettered ?? 0) < input.poison) return false;
      return (await backend.tables.readStream(names.table, 'fn:route', { limit: 1 })).length === 0;
    },
    async afterSettle({ backend, log }) {
      const moved = await redriveCrashVictims(backend, queues, (q, m) => q === names.load && isPoison(m));
      if (moved) log(`redrove ${moved} message(s) dead-lettered by crashes`);
      redriven += moved;
      return moved > 0;
    },
    async check({ backend }) {
      const failures: string[] = [];
      let processed = 0;
      let duplicates = 0;
      let present = 0;
      let cents = 0;
      for (let i = 1; i <= input.rows; i++) {
        const item = (await backend.tables.get(names.table, { transaction_id: `TX${String(i).padStart(8, '0')}` })) as TransactionItem | undefined;
        if (!item) continue;
        present++;
        cents += Math.round(item.amount * 100);
        if (item.stage === 'processed' && item.updates === 1 && typeof item.fee === 'number') processed++;
        else if ((item.updates ?? 0) > 1) duplicates++;
        else if (failures.length < 3) failures.push(`row ${item.transaction_id}: stage ${item.stage}, updates ${item.updates}`);
      }
      if (cents !== input.cleanAmountCents) failures.push(`the amounts add up to ${cents} cents, the clean rows' to ${input.cleanAmountCents}`);
      const rejected = (await backend.objects.get(names.bucket, `rejected/${uploadKey.replace(/^incoming\//, '')}.jsonl`)).body.toString('utf8').split('\n').filter(Boolean);
      const withReasons = rejected.map((l) => JSON.parse(l) as { line?: number; reasons?: string[] }).filter((r) => Number.isInteger(r.line) && (r.reasons?.length ?? 0) > 0);
      if (withReasons.length !== input.malformed || rejected.length !== input.malformed) failures.push(`${rejected.length} rejected lines (${withReasons.length} with line and reasons), expected ${input.malformed}`);
      const dead = await drain(backend, `${names.load}-dlq`);
      const poison = dead.filter((m) => isPoison(m) && m.attempts === 3);
      const poisonIds = new Set(poison.map((m) => (JSON.parse(m.body) as Array<{ transaction_id: string }>)[0]!.transaction_id));
      if (dead.length !== input.poison || poison.length !== input.poison || poisonIds.size !== input.poison) failures.push(`load-dlq: ${dead.length} messages, ${poison.length} single poison rows after 3 tries (${poisonIds.size} distinct), expected ${input.poison}; attempts ${[...new Set(dead.map((m) => m.attempts))].join(', ')}`);
      const others = await Promise.all([names.uploads, names.process, names.finished].map(async (q) => (await backend.queues.stats(q)).deadLettered ?? 0));
      if (others.some((n) => n > 0)) failures.push(`other dead letters: ${others.join(', ')}`);
      const lost = input.clean - processed - duplicates;
      if (duplicates) failures.push(`${duplicates} rows updated more than once`);
      if (lost) failures.push(`${lost} clean rows not processed`);
      return {
        expected: input.clean + input.poison,
        found: processed + poisonIds.size,
        duplicates: duplicates + (dead.length - poisonIds.size > 0 ? dead.length - poisonIds.size : 0),
        lost: lost + Math.max(0, input.poison - poisonIds.size),
        failures,
        notes: { redriven, present },
      };
    },
  };
}
