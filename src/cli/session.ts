import type { Command } from 'commander';
import type { AppSpec } from '../core/app.ts';
import { openLocal, type LocalBackend } from '../backends/local/index.ts';
import { provision } from '../runtime/provision.ts';
import { loadConfig } from './load-config.ts';

export interface GlobalOptions {
  config?: string;
  dir?: string;
  json?: boolean;
}

export interface Session {
  spec: AppSpec;
  backend: LocalBackend;
  json: boolean;
}

/** Loads the config, opens the backend, provisions the app, runs `fn`, and always closes. */
export async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>): Promise<T> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const spec = await loadConfig(opts.config);
  const backend = openLocal(opts.dir ? { dir: opts.dir } : {});
  try {
    await provision(backend, spec);
    return await fn({ spec, backend, json: opts.json ?? false });
  } finally {
    await backend.close();
  }
}
