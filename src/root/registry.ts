/**
 * The backends by name: the only list in Baton of which backends exist. Each is loaded through a
 * dynamic import() on first use, so a user of `local` never loads the AWS SDK and a Lambda on `aws`
 * never loads SQLite. Every backend opened here has its params store record the SecureString
 * values it decrypts (secret-params.ts), so logs and errors can redact them.
 */
import type { AwsBackendOptions } from '../backends/aws/options.ts';
import type { LocalBackendOptions } from '../backends/local/index.ts';
import { ValidationError } from '../core/errors.ts';
import type { Backend } from '../ports/backend.ts';
import type { JobStoreHandle } from '../ports/jobs.ts';
import { missingSdkError } from './missing-sdk.ts';
import { withSecretParams } from './secret-params.ts';

export const backendNames = ['local', 'aws'] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendOptionsByName {
  local: LocalBackendOptions;
  aws: AwsBackendOptions;
}

/** A loaded backend module, as the root uses it. */
export interface BackendEntry<N extends BackendName = BackendName> {
  readonly name: N;
  /** Opens it for an app (the environment fills in what the options leave out). */
  open(options: BackendOptionsByName[N]): Backend;
  /** Opens it inside a handler's process from the environment the executor passed (Backend.handlerEnv). */
  openFromEnv(env: Readonly<Record<string, string | undefined>>): Backend;
}

/** Opens the job store of a relay's connection (JobStore.connection().env), once per process and env. */
export type JobStoreOpener = (env: Readonly<Record<string, string>>) => JobStoreHandle;

type Loaders = { [N in BackendName]: () => Promise<BackendEntry<N>> };

const loaders: Loaders = {
  async local() {
    const { openLocal } = await import('../backends/local/index.ts');
    return {
      name: 'local',
      open: (options) => withSecretParams(openLocal(options)),
      // The params key comes from the process's own environment (BATON_PARAMS_KEY), as openLocal reads it.
      openFromEnv: (env) => withSecretParams(openLocal(env.BATON_DIR ? { dir: env.BATON_DIR } : {})),
    };
  },
  async aws() {
    let mod: typeof import('../backends/aws/index.ts');
    try {
      mod = await import('../backends/aws/index.ts');
    } catch (err) {
      throw missingSdkError(err) ?? err;
    }
    const { openAws } = mod;
    return { name: 'aws', open: (options) => withSecretParams(openAws(options)), openFromEnv: (env) => withSecretParams(openAws({}, env)) };
  },
};

/**
 * The job stores' handler sides, apart from the whole backend: a relay on local loads only the
 * job store's module (about a third of the local backend's load time), as a checkpoint per item
 * must stay cheap from the first relay on.
 */
const jobLoaders: { [N in BackendName]: () => Promise<JobStoreOpener> } = {
  async local() {
    const { localJobConnection } = await import('../backends/local/jobs/connect.ts');
    return (env) => localJobConnection(env);
  },
  async aws() {
    const aws = await loadBackend('aws');
    const byEnv = new Map<string, Backend>();
    return (env) => {
      // One backend per connection and process, like an SDK client made outside a Lambda handler.
      const key = JSON.stringify(env);
      let backend = byEnv.get(key);
      if (!backend) byEnv.set(key, (backend = aws.openFromEnv(env)));
      const opened = backend;
      return { store: opened.jobs, objects: () => opened.objects };
    };
  },
};

/** `name` as a known backend name, or a ValidationError naming the known ones. */
export function backendName(name: string, where = 'backend'): BackendName {
  if ((backendNames as readonly string[]).includes(name)) return name as BackendName;
  throw new ValidationError(`${where} ${JSON.stringify(name)} is not a Baton backend; the backends are ${backendNames.map((n) => `"${n}"`).join(' and ')}.`, { action: `Choose one of ${backendNames.join(', ')} (--backend, BATON_BACKEND or openApp's { backend }).` });
}

const loading = new Map<BackendName, Promise<BackendEntry>>();

/** Loads the backend module named `name` (once per process). */
export function loadBackend<N extends BackendName>(name: N): Promise<BackendEntry<N>>;
export function loadBackend(name: string): Promise<BackendEntry>;
export function loadBackend(name: string): Promise<BackendEntry> {
  const known = backendName(name);
  let found = loading.get(known);
  if (!found) {
    found = (loaders[known] as () => Promise<BackendEntry>)();
    // A failed load (a missing SDK package) is not kept: installing the package and trying again works.
    found.catch(() => loading.delete(known));
    loading.set(known, found);
  }
  return found;
}

const loadingJobs = new Map<BackendName, Promise<JobStoreOpener>>();

/** Loads the handler side of backend `name`'s job store (once per process). */
export function loadJobStore(name: string): Promise<JobStoreOpener> {
  const known = backendName(name);
  let found = loadingJobs.get(known);
  if (!found) {
    found = jobLoaders[known]();
    found.catch(() => loadingJobs.delete(known));
    loadingJobs.set(known, found);
  }
  return found;
}
