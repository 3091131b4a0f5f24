import type { Command } from 'commander';
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
      await withSession(cmd, async ({ app, json }) => {
        const r = await app.query(sql, o.param, { catalogBucket: o.catalogBucket });
        if (o.csv) {
          console.log(r.columns.map(csvCell).join(','));
          for (const row of r.rows) console.log(r.columns.map((c) => csvCell(row[c])).join(','));
          return;
        }
        printRows(r.rows, json, '(no rows)');
      });
    });
}
