/**
 * A function's handler module bundled with esbuild (its JS API, no Docker) into one ESM file,
 * index.mjs, in an asset folder. The AWS SDK v3 stays out (Lambda's Node runtimes include it, as
 * CDK's NodejsFunction assumes); the local backend's and DuckDB's native modules are replaced by a
 * stub that throws if called, as a Lambda on `aws` never opens SQLite; a bundle that reaches DuckDB
 * is bundled again to require it from the DuckDB layer (or the container image). connect() loads
 * the aws backend named by BATON_BACKEND at import time (a top-level await, which Lambda's ESM
 * handlers support). The entry may wrap the module (EntryWrap): a routing rule, a job's relays,
 * or the container task's one invocation.
 */
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Native packages no Lambda bundle carries yet. */
export const stubbedPackages = ['better-sqlite3', '@duckdb/node-api'] as const;

/** A CommonJS module that throws when used (a CommonJS stub lets named imports of it bundle). */
function stubSource(pkg: string): string {
  const message = JSON.stringify(`${pkg} is not in this Lambda bundle: the local backend and DuckDB do not run on Lambda yet`);
  return `const fail = () => { throw new Error(${message}); };
module.exports = new Proxy(function () {}, { get: (_t, key) => (key === '__esModule' || key === 'then' ? undefined : fail()), apply: fail, construct: fail });
`;
}

/**
 * Run from Baton's sources (a checkout), `import ... from 'baton'` resolves to src/*.ts by the
 * 'baton-source' export condition; run from the installed package (dist/), to its compiled files.
 */
const conditions = import.meta.url.endsWith('.ts') ? ['baton-source', 'module'] : ['module'];

let bundlesDir: string | undefined;
let alias: Record<string, string> = {};
let duckdbShim = '';

function workDir(): string {
  if (bundlesDir) return bundlesDir;
  bundlesDir = mkdtempSync(join(tmpdir(), 'baton-bundles-'));
  // CDK copies each bundle into the cloud assembly when its function is made: nothing here outlives the process.
  process.once('exit', releaseBundles);
  alias = Object.fromEntries(
    stubbedPackages.map((pkg, i) => {
      const file = join(bundlesDir!, `stub-${i}.cjs`);
      writeFileSync(file, stubSource(pkg));
      return [pkg, file];
    }),
  );
  // DuckDB from a layer: required at run time through Lambda's NODE_PATH (/opt/nodejs/node_modules),
  // which a CommonJS require searches and an ESM import does not. The name is built so esbuild leaves it be.
  duckdbShim = join(bundlesDir, 'duckdb-from-layer.cjs');
  writeFileSync(duckdbShim, "module.exports = require(['@duckdb', 'node-api'].join('/'));\n");
  return bundlesDir;
}

/** Removes this process's bundle folders (CDK has copied what it made from them). */
export function releaseBundles(): void {
  if (bundlesDir) rmSync(bundlesDir, { recursive: true, force: true });
  bundlesDir = undefined;
}

export interface Bundle {
  /** The asset folder holding index.mjs. */
  dir: string;
  /** Lambda's handler setting: 'index.<export>'. */
  handler: string;
  bytes: number;
  /** The bundle reaches DuckDB: true only when it was bundled to load it from the DuckDB layer. */
  duckdb: boolean;
  /** The handler is a job() handler, bundled behind the job entry (lambda/job-entry.ts). */
  job: boolean;
  /** The handler reaches Baton's catalog (its records then need the catalog bucket). */
  catalog: boolean;
}

function build(entry: string, outfile: string, runtime: string, aliases: Record<string, string>) {
  return buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: runtime === 'nodejs20.x' ? 'node20' : 'node22',
    conditions,
    external: ['@aws-sdk/*'],
    alias: aliases,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    // Bundled CommonJS dependencies call require(); an ESM file has none unless it makes one.
    banner: { js: "import { createRequire as __batonRequire } from 'node:module'; const require = __batonRequire(import.meta.url);" },
  });
}

/** Whether the output kept code of a source file matching `file`. */
function reaches(result: ReturnType<typeof build>, file: RegExp): boolean {
  return Object.values(result.metafile.outputs).some((o) => Object.entries(o.inputs).some(([path, i]) => i.bytesInOutput > 0 && file.test(path)));
}

/** Whether the output kept any of the stub standing in for DuckDB (a handler that may reach it). */
function reachesDuckdb(result: ReturnType<typeof build>): boolean {
  const stub = alias['@duckdb/node-api'];
  return Object.values(result.metafile.outputs).some((o) => Object.entries(o.inputs).some(([path, i]) => i.bytesInOutput > 0 && stub !== undefined && resolve(path) === stub));
}

/** Where a generated entry imports Baton's entry helpers from (sources in a checkout, dist/ in the package). */
function helperPath(relative: string): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`${relative}${ext}`, import.meta.url));
}

/**
 * How the Lambda entry wraps the handler module:
 *   plain      the module itself is the entry (its export is Lambda's handler)
 *   route      the routing rule decides per invocation (lambda/route.ts): rule 'container' for the
 *              container executor, or the fn's `route` from `configFile`
 *   container  the ECS task's entry (lambda/container-main.ts), written as container.mjs
 *   job        a job() handler: each { batonRelay } event drives one relay (lambda/job-entry.ts);
 *              chosen by bundleHandler itself when a plain bundle reaches job()
 */
export type EntryWrap = { kind: 'plain' } | { kind: 'job' } | { kind: 'route'; rule: 'container' } | { kind: 'route'; rule: 'config'; configFile: string } | { kind: 'container'; memoryMb: number };

function entrySource(fnName: string, modulePath: string, exportName: string, wrap: EntryWrap): string {
  const name = JSON.stringify(fnName);
  const handler = `mod[${JSON.stringify(exportName)}]`;
  const head = `import * as mod from ${JSON.stringify(modulePath)};\n`;
  if (wrap.kind === 'container') {
    return `${head}import { runContainerInvocation } from ${JSON.stringify(helperPath('./lambda/container-main'))};\nprocess.exitCode = await runContainerInvocation(${name}, ${handler}, ${wrap.memoryMb});\n`;
  }
  if (wrap.kind === 'job') {
    return `${head}import { jobEntry } from ${JSON.stringify(helperPath('./lambda/job-entry'))};\nimport { connect } from ${JSON.stringify(helperPath('../root/connect'))};\nexport const ${exportName} = jobEntry(${handler}, { backend: connect, fn: process.env.BATON_FN ?? ${name} });\n`;
  }
  const route = `import { routedHandler } from ${JSON.stringify(helperPath('./lambda/route'))};\n`;
  if (wrap.kind === 'route' && wrap.rule === 'config') {
    return `${head}${route}import config from ${JSON.stringify(wrap.configFile)};\nconst rule = config.fns.find((f) => f.name === ${name})?.route ?? config.fns.find((f) => f.name === ${name})?.executor ?? 'function';\nexport const ${exportName} = routedHandler(${name}, ${handler}, rule);\n`;
  }
  return `${head}${route}export const ${exportName} = routedHandler(${name}, ${handler}, 'container');\n`;
}

/**
 * Bundles `module` (resolved against `root`) for a function named `name`, wrapped as `wrap` says.
 * With `duckdbLayer`, a bundle that reaches DuckDB is bundled again to load it from the layer.
 * Throws esbuild's errors with the module named.
 */
export function bundleHandler(name: string, module: string, exportName: string, root: string, runtime: string, duckdbLayer = false, wrap: EntryWrap = { kind: 'plain' }): Bundle {
  // A folder of its own per bundle: CDK fingerprints and copies it when the function is made.
  const dir = mkdtempSync(join(workDir(), `${name.replace(/[^A-Za-z0-9_-]/g, '_')}${wrap.kind === 'container' ? '-container' : ''}-`));
  const modulePath = isAbsolute(module) ? module : resolve(root, module);
  const entryFor = (w: EntryWrap) => {
    if (w.kind === 'plain') return modulePath;
    const file = join(workDir(), `entry-${basename(dir)}.mjs`);
    writeFileSync(file, entrySource(name, modulePath, exportName, w));
    return file;
  };
  let entry = entryFor(wrap);
  const outfile = join(dir, wrap.kind === 'container' ? 'container.mjs' : 'index.mjs');
  let result = build(entry, outfile, runtime, alias);
  // A job handler on Lambda drives its own relays: bundled again behind the job entry.
  const job = wrap.kind === 'plain' && reaches(result, /[\\/]runtime[\\/]jobs[\\/]handler\.[jt]s$/);
  if (job) result = build((entry = entryFor({ kind: 'job' })), outfile, runtime, alias);
  const duckdb = duckdbLayer && reachesDuckdb(result);
  if (duckdb) result = build(entry, outfile, runtime, { ...alias, '@duckdb/node-api': duckdbShim });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { dir, handler: `index.${exportName}`, bytes, duckdb, job, catalog: reaches(result, /[\\/]data[\\/]catalog[\\/]index\.[jt]s$/) };
}
