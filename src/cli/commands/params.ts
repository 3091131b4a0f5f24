import type { Command } from 'commander';
import { isInternalParam } from '../../core/internal-names.ts';
import type { ParamType } from '../../ports/params.ts';
import { printRows } from '../output.ts';
import { commandLineWarning, readParamValue } from '../param-value.ts';
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
    .description('write a parameter (a new version)')
    .argument('<name>')
    .argument('[value]', 'the value; for a SecureString use --value-stdin or --value-file instead')
    .option('--value-stdin', 'read the value from stdin (one trailing newline dropped)')
    .option('--value-file <path>', 'read the value from a file (one trailing newline dropped)')
    .option('--type <type>', 'String | StringList | SecureString', 'String')
    .option('--overwrite', 'replace an existing value')
    .option('--expected-version <n>', 'only if the current version is n (0: must not exist)', (v) => parseInt(v, 10))
    .addHelpText('after', `\n${commandLineWarning}\n  printf %s "$TOKEN" | baton params put /app/token --type SecureString --value-stdin`)
    .action(async (name: string, arg: string | undefined, o: { type: ParamType; overwrite?: boolean; expectedVersion?: number; valueStdin?: boolean; valueFile?: string }, cmd: Command) => {
      const value = await readParamValue(name, { value: arg, valueStdin: o.valueStdin, valueFile: o.valueFile });
      if (arg !== undefined && o.type === 'SecureString') console.error(`warning: ${commandLineWarning}`);
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.params.put(name, { value, type: o.type, overwrite: o.overwrite ?? false, ...(o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {}) });
        console.log(json ? JSON.stringify(r) : `${name} version ${r.version}`);
      });
    });
  params
    .command('ls')
    .argument('[path]', 'a path such as /app', '/')
    .option('--no-recursive', 'direct children only')
    .option('--all', "also Baton's own parameters under /baton/ (schedule and alarm state); shown anyway when the path is under /baton")
    .action(async (path: string, o: { recursive: boolean; all?: boolean }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const all = o.all || isInternalParam(path.replace(/\/+$/, '') || '/');
        const list = (await backend.params.getByPath(path, { recursive: o.recursive })).filter((p) => all || !isInternalParam(p.name));
        printRows(list.map((p) => ({ name: p.name, type: p.type, version: p.version, value: p.type === 'SecureString' ? '(secure)' : p.value })), json, 'no parameters');
      });
    });
}
