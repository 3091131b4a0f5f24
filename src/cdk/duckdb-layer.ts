/**
 * DuckDB for Lambda: a layer holding @duckdb/node-api with its native binding for Lambda's
 * platform (linux x64, glibc: Lambda's default x86_64 architecture), copied from the project's own
 * node_modules, under nodejs/node_modules where Lambda's NODE_PATH finds it. Functions whose bundle
 * reaches DuckDB get it (bundle.ts loads DuckDB through require for that reason). Built only where
 * the installed binding is linux-x64 (a Linux x64 machine or CI); elsewhere a synth note says the
 * DuckDB functions fail on use.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The packages DuckDB's Node API loads at run time. */
const packages = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc'];

/** The folder of package `pkg` as Node finds it from `from` (node_modules of `from` and its ancestors). */
function find(pkg: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Each package as DuckDB's Node API would load it, from the app's folder; undefined when one is missing. */
function installed(root: string): Map<string, string> | undefined {
  const api = find('@duckdb/node-api', root);
  const bindings = api && find('@duckdb/node-bindings', api);
  const binary = bindings && find('@duckdb/node-bindings-linux-x64', bindings);
  const libc = bindings && find('detect-libc', bindings);
  if (!api || !bindings || !binary || !libc) return undefined;
  return new Map([['@duckdb/node-api', api], ['@duckdb/node-bindings', bindings], ['@duckdb/node-bindings-linux-x64', binary], ['detect-libc', libc]]);
}

/** Where DuckDB's packages are installed, or why it cannot ship (cheap: nothing is copied). */
export function duckdbPackages(root: string): { found: Map<string, string> } | { missing: string } {
  const found = installed(root);
  return found ? { found } : { missing: `DuckDB's linux-x64 binding is not installed here (${packages.join(', ')}); run baton synth on Linux x64 (or CI) to ship it` };
}

let staged: { key: string; dir: string } | undefined;

/** Removes this process's staging copy of the layer. */
export function releaseDuckdbLayer(): void {
  if (staged) rmSync(staged.dir, { recursive: true, force: true });
  staged = undefined;
}

/** The layer, its folder copied once per process (about 70 MB). */
export function makeDuckdbLayer(scope: Construct, found: Map<string, string>): lambda.LayerVersion {
  const key = [...found.values()].join('|');
  if (staged?.key !== key) {
    const dir = mkdtempSync(join(tmpdir(), 'baton-duckdb-layer-'));
    // CDK copies the layer into the cloud assembly when it is made; the staging copy goes with the process.
    process.once('exit', releaseDuckdbLayer);
    for (const [pkg, from] of found) cpSync(from, join(dir, 'nodejs', 'node_modules', pkg), { recursive: true, dereference: true });
    staged = { key, dir };
  }
  return new lambda.LayerVersion(scope, 'DuckDB', {
    code: lambda.Code.fromAsset(staged.dir),
    compatibleArchitectures: [lambda.Architecture.X86_64],
    description: "DuckDB's Node API with its linux-x64 native binding (Baton)",
  });
}
