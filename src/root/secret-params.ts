/**
 * Wraps a backend's params store so every SecureString value it hands out decrypted is added to
 * the process's secret set (core/secrets.ts), which log capture and run recording redact. Applied
 * by the registry to every backend it opens, so it holds for local and aws alike, in the CLI's
 * process and in every worker thread or container child that reads params through connect().
 */
import { rememberSecret } from '../core/secrets.ts';
import type { Backend } from '../ports/backend.ts';
import type { Param, ParamStore } from '../ports/params.ts';

const wrapped = new WeakSet<ParamStore>();

function remember<T extends Param | undefined>(param: T, decrypted: boolean | undefined): T {
  if (param && decrypted && param.type === 'SecureString') rememberSecret(param.value);
  return param;
}

export function secretRecordingParams(inner: ParamStore): ParamStore {
  if (wrapped.has(inner)) return inner;
  const store: ParamStore = {
    put: async (name, input) => {
      // A secret this process writes is one it knows: it must not show up in clear in its logs either.
      if (input.type === 'SecureString') rememberSecret(input.value);
      return inner.put(name, input);
    },
    get: async (name, options) => remember(await inner.get(name, options), options?.withDecryption),
    find: async (name, options) => remember(await inner.find(name, options), options?.withDecryption),
    getByPath: async (path, options) => (await inner.getByPath(path, options)).map((p) => remember(p, options?.withDecryption)),
    delete: (name) => inner.delete(name),
    history: async (name, options) => (await inner.history(name, options)).map((p) => remember(p, options?.withDecryption)),
  };
  // Methods a backend's store has beyond the port (close, stop, ...) stay reachable.
  Object.setPrototypeOf(store, inner as object);
  wrapped.add(store);
  return store;
}

/** `backend` with its params store recording decrypted SecureString values (the same object, its `params` replaced). */
export function withSecretParams<B extends Backend>(backend: B): B {
  (backend as { params: ParamStore }).params = secretRecordingParams(backend.params);
  return backend;
}
