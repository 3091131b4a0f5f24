import type { Command } from 'commander';
import type { AppSpec } from '../core/app.ts';
import { defaults } from '../core/defaults.ts';
import type { Backend } from '../ports/backend.ts';
import { openApp, type App, type OpenAppOptions } from '../root/open-app.ts';
import { backendName } from '../root/registry.ts';
import { loadConfig } from './load-config.ts';

export interface GlobalOptions {
  config?: string;
  dir?: string;
  json?: boolean;
  backend?: string;
  region?: string;
  endpoint?: string;
}

export interface Session {
  spec: AppSpec;
  app: App;
  backend: Backend;
  json: boolean;
}

/** openApp's options from the global flags: --backend (else $BATON_BACKEND, else local), --dir for local, --region and --endpoint for aws. */
export function appOptions(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): OpenAppOptions {
  const backend = backendName(opts.backend ?? env[defaults.store.backendEnv] ?? 'local', opts.backend !== undefined ? '--backend' : defaults.store.backendEnv);
  return {
    backend,
    ...(opts.dir !== undefined ? { local: { dir: opts.dir } } : {}),
    ...(backend === 'aws' ? { aws: { ...(opts.region !== undefined ? { region: opts.region } : {}), ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}) } } : {}),
  };
}

/**
 * Loads the config, opens the app on the chosen backend (with `open`'s extra options), provisions
 * it (unless `provision` is false: a command that declares on its own), runs `fn`, and always closes.
 */
export async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>, options: { provision?: boolean; open?: Pick<OpenAppOptions, 'onLog'> } = {}): Promise<T> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const openOptions = { ...appOptions(opts), ...options.open };
  const spec = await loadConfig(opts.config);
  const app = await openApp(spec, openOptions);
  try {
    if (options.provision ?? true) await app.provision();
    return await fn({ spec, app, backend: app.backend, json: opts.json ?? false });
  } finally {
    await app.close();
  }
}
