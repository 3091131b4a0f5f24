import type { Command } from 'commander';
import { defaults } from '../../core/defaults.ts';
import { formatSize } from '../../core/size.ts';
import { Catalog } from '../../data/catalog/index.ts';
import { printRows, printValue } from '../output.ts';
import { withSession } from '../session.ts';

export function registerCatalog(program: Command): void {
  const cat = program.command('catalog').description('the data catalog: tables and their partitions').option('--catalog-bucket <bucket>', 'the bucket holding the catalog', defaults.data.catalogBucket);
  cat
    .command('ls')
    .description('list catalog tables')
    .action(async (_o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const catalog = await Catalog.open(backend.objects, cmd.optsWithGlobals<{ catalogBucket: string }>().catalogBucket);
        const rows = [];
        for (const t of await catalog.listTables()) {
          const parts = await catalog.partitions(t.name);
          rows.push({
            table: t.name,
            location: `${t.location.bucket}/${t.location.prefix}`,
            partitions: parts.length,
            rows: parts.reduce((a, p) => a + p.rows, 0),
            bytes: json ? parts.reduce((a, p) => a + p.bytes, 0) : formatSize(parts.reduce((a, p) => a + p.bytes, 0)),
            updated: new Date(Math.max(t.updatedAt, ...parts.map((p) => p.updatedAt))).toISOString(),
          });
        }
        printRows(rows, json, 'no tables');
      });
    });
  cat
    .command('show')
    .description('a table: schema and partitions')
    .argument('<table>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const catalog = await Catalog.open(backend.objects, cmd.optsWithGlobals<{ catalogBucket: string }>().catalogBucket);
        const table = await catalog.getTable(name);
        const partitions = await catalog.partitions(name);
        if (json) return printValue({ ...table, partitions }, true);
        console.log(`table ${table.name} at ${table.location.bucket}/${table.location.prefix} (partitioned by ${table.partitionKeys.join(', ')})`);
        printRows(table.columns.map((c) => ({ column: c.name, type: c.type })), false);
        console.log('');
        printRows(
          partitions.map((p) => ({ partition: Object.entries(p.values).map(([k, v]) => `${k}=${v}`).join('/'), files: p.files.length, rows: p.rows, bytes: formatSize(p.bytes), updated: new Date(p.updatedAt).toISOString() })),
          false,
          'no partitions',
        );
      });
    });
}
