#!/usr/bin/env node
// The `baton` command. Two layouts, told apart by whether the TypeScript sources sit next to this
// file (the installed package ships dist/ only, so a stale dist/ in a checkout never shadows them):
// - installed: runs the compiled CLI in dist/ on plain Node. The user's baton.config.ts and
//   handlers still load through tsx (load-config.ts, the worker entries), but Baton itself does not.
// - a checkout of Baton's repo: runs the sources through tsx with no build step, and resolves
//   `import ... from 'baton'` (examples, the user's config) to src/*.ts by the 'baton-source'
//   export condition, in this process (a resolve hook) and in handler workers and child processes
//   (NODE_OPTIONS, which they inherit).
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

const sources = new URL('../src/cli/main.ts', import.meta.url);

if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  const hook = 'export async function resolve(s, c, next) { return next(s, c.conditions.includes("baton-source") ? c : { ...c, conditions: [...c.conditions, "baton-source"] }); }';
  registerHooks(`data:text/javascript,${encodeURIComponent(hook)}`);
  const flag = '--conditions=baton-source';
  const options = process.env.NODE_OPTIONS ?? '';
  if (!options.includes(flag)) process.env.NODE_OPTIONS = `${options} ${flag}`.trim();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
