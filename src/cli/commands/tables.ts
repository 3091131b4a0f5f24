import type { Command } from 'commander';
import type { Item, Key } from '../../ports/tables.ts';
import { jsonObjectArg, wholeFlag } from '../flags.ts';
import { printRows, printValue } from '../output.ts';
import { withSession } from '../session.ts';

const parseKey = (text: string): Key => jsonObjectArg('key', text, '{"id":"a1"}') as Key;

export function registerTables(program: Command): void {
  const tables = program.command('tables').description('read and write items of tables');
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
    .option('--limit <n>', 'at most n items', wholeFlag('--limit'))
    .option('--desc', 'descending by sort key')
    .action(async (table: string, partition: string, o: { limit?: number; desc?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const config = (await backend.tables.list()).find((t) => t.name === table);
        const pk = config?.partitionKey.type === 'number' ? Number(partition) : partition;
        const r = await backend.tables.query(table, { partition: pk, ...(o.limit ? { limit: o.limit } : {}), ascending: !o.desc });
        printRows(r.items, json, 'no items');
      });
    });
  tables
    .command('scan')
    .description('every item of the table (in key order on local), up to --limit')
    .argument('<table>')
    .option('--limit <n>', 'at most n items', wholeFlag('--limit'), 100)
    .action(async (table: string, o: { limit: number }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const items: Item[] = [];
        let start: Key | undefined;
        do {
          const page = await backend.tables.scan(table, { limit: o.limit - items.length, ...(start ? { exclusiveStartKey: start } : {}) });
          items.push(...page.items);
          start = page.lastEvaluatedKey;
        } while (start && items.length < o.limit);
        printRows(items, json, 'no items');
        if (start && !json) console.error(`(first ${items.length} items; more follow: raise --limit)`);
      });
    });
  tables
    .command('put')
    .description('write an item (replaces the item with the same key; the change goes on the stream)')
    .argument('<table>')
    .argument('<item>', 'the item as JSON, keys included, e.g. \'{"id":"a1","total":3}\'')
    .option('--if-absent', 'only if no item has this key yet')
    .action(async (table: string, item: string, o: { ifAbsent?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.tables.put(table, jsonObjectArg('item', item, '{"id":"a1","total":3}'), o.ifAbsent ? { condition: { notExists: true } } : {});
        if (json) return console.log(JSON.stringify(r));
        console.log(r.old ? `replaced ${JSON.stringify(r.old)}` : 'created');
      });
    });
  tables
    .command('delete')
    .description('delete the item with this key (the removal goes on the stream)')
    .argument('<table>')
    .argument('<key>', 'the key as JSON, e.g. \'{"id":"a1"}\'')
    .action(async (table: string, key: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.tables.delete(table, parseKey(key));
        if (json) return console.log(JSON.stringify(r));
        if (r.old) return console.log(`deleted ${JSON.stringify(r.old)}`);
        process.exitCode = 1;
        console.error(`no item with key ${key} in table ${table}`);
      });
    });
}
