// npm run bench -- <name>: runs bench/<name>.bench.ts, which prints a table then JSON lines.
//
// As bin/baton.mjs in a checkout: `import ... from 'baton'` (examples' configs and handlers)
// resolves to src/*.ts by the 'baton-source' export condition, in this process (a resolve hook)
// and in handler workers and child processes (NODE_OPTIONS, which they inherit).
import { readdirSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const hook = 'export async function resolve(s, c, next) { return next(s, c.conditions.includes("baton-source") ? c : { ...c, conditions: [...c.conditions, "baton-source"] }); }';
register(`data:text/javascript,${encodeURIComponent(hook)}`);
const flag = '--conditions=baton-source';
const options = process.env.NODE_OPTIONS ?? '';
if (!options.includes(flag)) process.env.NODE_OPTIONS = `${options} ${flag}`.trim();

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none)'}`);
  process.exit(name ? 1 : 0);
}
await import(join(here, `${name}.bench.ts`));
