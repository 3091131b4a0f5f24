/**
 * A package-lock.json for a fresh project that depends on the packed tarball, made from this
 * repo's lock, so `npm ci --offline` installs it from npm's cache. Why not `npm install --offline
 * <tarball>`: npm 11 resolves every new spec from the registry's *full* packument, and the cache
 * here holds tarballs and abbreviated packuments only (ENOTCACHED). With a lock npm needs no
 * packument: it fetches each tarball by its resolved URL and integrity.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  [k: string]: unknown;
}

/** Where Node would find `name` from the package at `from` (a lock path), as the lock lays it out. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

export function offlineLock(options: { repoLock: string; tarball: string; tarballSpec: string; project: string; dev: string[] }): { pkg: object; lock: object } {
  const repo = JSON.parse(readFileSync(options.repoLock, 'utf8')) as { packages: Record<string, LockEntry> };
  const packages = repo.packages;
  const root = packages['']!;
  const out: Record<string, LockEntry> = {};
  const visit = (path: string) => {
    if (out[path]) return;
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = packages[path]!;
    out[path] = entry;
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
    const wanted = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.has(n))];
    for (const name of wanted) {
      const found = locate(packages, path, name);
      if (found) visit(found);
    }
  };
  for (const name of [...Object.keys(root.dependencies ?? {}), ...options.dev]) visit(locate(packages, '', name)!);
  const devDependencies = Object.fromEntries(options.dev.map((n) => [n, packages[`node_modules/${n}`]!.version!]));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(options.tarball)).digest('base64')}`;
  const { name: _n, devDependencies: _dd, ...batonEntry } = root as LockEntry & { name?: string; devDependencies?: unknown };
  out['node_modules/baton'] = { ...batonEntry, resolved: options.tarballSpec, integrity };
  const pkg = { name: options.project, version: '1.0.0', dependencies: { baton: options.tarballSpec }, devDependencies };
  out[''] = { name: options.project, version: '1.0.0', dependencies: pkg.dependencies, devDependencies };
  return { pkg, lock: { name: options.project, version: '1.0.0', lockfileVersion: 3, requires: true, packages: out } };
}
