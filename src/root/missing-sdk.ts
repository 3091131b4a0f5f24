/**
 * The aws backend's SDK clients are optional peer dependencies: a user of the local backend
 * installs none. When loading the aws backend fails because one is missing, this says which ones
 * to install (every missing one, not just the first Node tripped on).
 */
import { createRequire } from 'node:module';
import { ValidationError } from '../core/errors.ts';

const require = createRequire(import.meta.url);

/** The @aws-sdk packages baton declares as peer dependencies (from its own package.json). */
function awsPeers(): string[] {
  const pkg = require('../../package.json') as { peerDependencies?: Record<string, string> };
  return Object.keys(pkg.peerDependencies ?? {}).filter((p) => p.startsWith('@aws-sdk/'));
}

/** Which of `packages` cannot be resolved from here. */
export function unresolvable(packages: readonly string[], resolve: (p: string) => unknown = (p) => require.resolve(p)): string[] {
  return packages.filter((p) => {
    try {
      resolve(p);
      return false;
    } catch {
      return true;
    }
  });
}

/** A ValidationError naming the packages to install when `err` is a missing @aws-sdk package; else undefined. */
export function missingSdkError(err: unknown, missing: (peers: string[]) => string[] = (peers) => unresolvable(peers)): ValidationError | undefined {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  const named = /Cannot find (?:package|module) '(@aws-sdk\/[^'/]+)/.exec(message)?.[1];
  if ((e?.code !== 'ERR_MODULE_NOT_FOUND' && e?.code !== 'MODULE_NOT_FOUND') || !named) return undefined;
  const list = [...new Set([named, ...missing(awsPeers())])];
  return new ValidationError(`the aws backend needs the AWS SDK v3 clients, which are optional peer dependencies of baton, and ${list.length === 1 ? 'this one is' : 'these are'} not installed: ${list.join(', ')}.`, {
    action: `Run: npm install ${list.join(' ')}`,
  });
}
