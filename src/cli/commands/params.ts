import type { Command } from 'commander';
import type { ParamType } from '../../ports/params.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

export function registerParams(program: Command): void {
  const params = program.command('params').description('read and write the parameter store');
  params
    .command('get')
    .argument('<name>')
    .option('--decrypt', 'show a SecureString value in clear')
    .action(async (name: string, o: { decrypt?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const p = await backend.params.get(name, { withDecryption: o.decrypt ?? false });
        console.log(json ? JSON.stringify(p, null, 2) : p.value);
      });
    });
  params
    .command('put')
    .argument('<name>')
    .argument('<value>')
    .option('--type <type>', 'String | StringList | SecureString', 'String')
    .option('--overwrite', 'replace an existing value')
    .option('--expected-version <n>', 'only if the current version is n (0: must not exist)', (v) => parseInt(v, 10))
    .action(async (name: string, value: string, o: { type: ParamType; overwrite?: boolean; expectedVersion?: number }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.params.put(name, { value, type: o.type, overwrite: o.overwrite ?? false, ...(o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {}) });
        console.log(json ? JSON.stringify(r) : `${name} version ${r.version}`);
      });
    });
  params
    .command('ls')
    .argument('[path]', 'a path such as /app', '/')
    .option('--no-recursive', 'direct children only')
    .action(async (path: string, o: { recursive: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const list = await backend.params.getByPath(path, { recursive: o.recursive });
        printRows(list.map((p) => ({ name: p.name, type: p.type, version: p.version, value: p.type === 'SecureString' ? '(secure)' : p.value })), json, 'no parameters');
      });
    });
}
