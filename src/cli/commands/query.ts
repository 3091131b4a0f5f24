import type { Command } from 'commander';
import { Catalog } from '../../data/catalog/index.ts';
import { query } from '../../data/query.ts';
import { defaults } from '../../core/defaults.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL over the catalog tables (DuckDB); bind values with ? and --param')
    .argument('<sql>')
    .option('-p, --param <value>', 'a value for the next ? (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--csv', 'print CSV')
    .option('--catalog-bucket <bucket>', 'the bucket holding the catalog', defaults.data.catalogBucket)
    .action(async (sql: string, o: { param: string[]; csv?: boolean; catalogBucket: string }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await query(await Catalog.open(backend.objects, o.catalogBucket), sql, o.param);
        if (o.csv) {
          console.log(r.columns.map(csvCell).join(','));
          for (const row of r.rows) console.log(r.columns.map((c) => csvCell(row[c])).join(','));
          return;
        }
        printRows(r.rows, json, '(no rows)');
      });
    });
}
