#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): compiles src/ to dist/ (JavaScript, .d.ts, source maps) with
 * tsconfig.build.json. TypeScript's rewriteRelativeImportExtensions turns the sources' `.ts`
 * specifiers into `.js`, in the .mjs process entries too (allowJs), so the built package runs on
 * plain Node with no loader; tsx stays a dependency only to load the user's own TypeScript
 * (baton.config.ts, handlers).
 *
 * Why a script and not a bare `tsc -p`: declaration emit refuses a few internal modules whose
 * inferred types name @types/better-sqlite3's unexported `BetterSqlite3` namespace (TS4058/TS4029,
 * "cannot be named"). Their JavaScript is emitted; only their .d.ts is not, which is harmless
 * while no shipped .d.ts imports them. So those diagnostics pass only on that condition, checked
 * below by resolving every relative import of every emitted file; any other diagnostic fails.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
/** Declaration emit's "has or is using name ... but cannot be named" family. */
const cannotBeNamed = new Set([4029, 4031, 4058, 4060, 4078, 4094]);

const configPath = join(root, 'tsconfig.build.json');
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) fail([read.error]);
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
if (parsed.errors.length) fail(parsed.errors);

rmSync(outDir, { recursive: true, force: true });
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
// Declaration emit keeps the sources' `.ts` specifiers (rewriteRelativeImportExtensions rewrites
// JavaScript only); a user's tsc refuses those (TS5097), so .d.ts files get `.js` as the JS has.
const relativeTs = /(\bfrom\s*|\bimport\s*\(\s*)(["'])(\.{1,2}\/[^"']*?)\.([cm]?)ts\2/g;
const writeFile = (name, text, bom) => {
  const out = /\.d\.[cm]?ts$/.test(name) ? text.replace(relativeTs, '$1$2$3.$4js$2') : text;
  ts.sys.writeFile(name, out, bom);
};
const emitted = program.emit(undefined, writeFile);
const tolerated = [];
const errors = [];
const seen = new Set();
for (const d of [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]) {
  const key = `${d.file?.fileName}:${d.start}:${d.code}`;
  if (seen.has(key)) continue;
  seen.add(key);
  (cannotBeNamed.has(d.code) ? tolerated : errors).push(d);
}
// emitSkipped is also set when only declarations were refused; the files are still written.
if (errors.length || (emitted.emitSkipped && !tolerated.length)) fail(errors);

// Every relative import of every emitted file must reach an emitted file.
const broken = [];
for (const file of walk(outDir)) {
  if (!/\.(?:d\.[cm]?ts|[cm]?js)$/.test(file)) continue;
  for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
    if (!/^\.{1,2}\//.test(fileName)) continue;
    if (!existsSync(resolve(dirname(file), fileName))) broken.push(`${relative(root, file)}: "${fileName}"`);
  }
}
if (broken.length) {
  console.error(`build: ${broken.length} import(s) in dist/ point at files that were not emitted:\n  ${broken.join('\n  ')}`);
  if (tolerated.length) console.error(`Declarations skipped (annotate these with a nameable type):\n${format(tolerated)}`);
  process.exit(1);
}
// The dashboard's page (HTML, CSS, plain ES modules) is served as written: copied, not compiled.
const pageDir = join(root, 'src', 'dashboard', 'page');
if (existsSync(pageDir)) cpSync(pageDir, join(outDir, 'dashboard', 'page'), { recursive: true });
const files = [...walk(outDir)].length;
const note = tolerated.length ? ` (${tolerated.length} internal module(s) without .d.ts, imported by no .d.ts: ${[...new Set(tolerated.map((d) => relative(root, d.file?.fileName ?? '?')))].join(', ')})` : '';
console.log(`build: dist/ has ${files} files${note}`);

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function format(diagnostics) {
  return ts.formatDiagnosticsWithColorAndContext(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' });
}

function fail(diagnostics) {
  console.error(format(diagnostics));
  console.error(`build: failed with ${diagnostics.length} error(s); dist/ is incomplete.`);
  process.exit(1);
}
