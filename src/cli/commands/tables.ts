import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import type { Key } from '../../ports/tables.ts';
import { printRows, printValue } from '../output.ts';
import { withSession } from '../session.ts';

function parseKey(text: string): Key {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Key;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError(`The key ${text} is not a JSON object.`, { action: `Give it as JSON, e.g. '{"id":"a1"}'.` });
}

export function registerTables(program: Command): void {
  const tables = program.command('tables').description('read items from tables');
  tables
    .command('get')
    .argument('<table>')
    .argument('<key>', 'the key as JSON, e.g. \'{"id":"a1"}\'')
    .action(async (table: string, key: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const item = await backend.tables.get(table, parseKey(key));
        if (!item) {
          process.exitCode = 1;
          return console.error(`no item with key ${key} in table ${table}`);
        }
        printValue(item, json);
      });
    });
  tables
    .command('query')
    .argument('<table>')
    .argument('<partition>', 'the partition key value')
    .option('--limit <n>', 'at most n items', (v) => parseInt(v, 10))
    .option('--desc', 'descending by sort key')
    .action(async (table: string, partition: string, o: { limit?: number; desc?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const config = (await backend.tables.list()).find((t) => t.name === table);
        const pk = config?.partitionKey.type === 'number' ? Number(partition) : partition;
        const r = await backend.tables.query(table, { partition: pk, ...(o.limit ? { limit: o.limit } : {}), ascending: !o.desc });
        printRows(r.items, json, 'no items');
      });
    });
}
