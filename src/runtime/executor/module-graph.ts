/**
 * The local files a handler module loads: the module itself and, transitively, every relative
 * import or require ('./lib/db.ts', '../shared/schema.js') resolved as tsx resolves them (a '.js'
 * written for a '.ts' file, a missing extension, a folder's index). Packages (bare specifiers) and
 * node_modules are left out: `baton dev` watches these files to reload a handler when one changes.
 *
 * Imports are found by reading the source, not by running it: static and dynamic imports with a
 * string literal, `export ... from`, and require(). A specifier built at run time is not seen; a
 * commented-out import is (one more file watched, which is harmless).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';

const specifiers = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
const sourceExts = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** What a '.js'-style specifier may stand for in a TypeScript project. */
const tsFor: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names from `fromDir`, or undefined when none exists. */
export function resolveLocal(fromDir: string, specifier: string): string | undefined {
  const base = resolve(fromDir, specifier.split('?')[0]!);
  if (isFile(base)) return base;
  const ext = extname(base);
  for (const alt of tsFor[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + alt;
    if (isFile(candidate)) return candidate;
  }
  for (const e of sourceExts) if (isFile(base + e)) return base + e;
  if (existsSync(base)) for (const e of sourceExts) if (isFile(join(base, `index${e}`))) return join(base, `index${e}`);
  return undefined;
}

/** The relative specifiers a source text imports. */
export function localSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(specifiers)) {
    const spec = m[2]!;
    if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..') out.push(spec);
  }
  return out;
}

/** The entry file and every local file it imports, transitively (absolute paths, entry first). */
export function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [resolve(entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file) || file.includes(`${sep}node_modules${sep}`)) continue;
    seen.add(file);
    if (extname(file) === '.json') continue;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      continue; // gone or unreadable: still watched, so its return is noticed
    }
    for (const spec of localSpecifiers(source)) {
      const dep = resolveLocal(dirname(file), spec);
      if (dep && !seen.has(dep)) todo.push(dep);
    }
  }
  return [...seen];
}
