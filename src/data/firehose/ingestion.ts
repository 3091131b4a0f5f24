import type { AppSpec } from '../../core/app.ts';
import { Firehose } from './index.ts';
import { serveFirehoses, type ServeOptions } from './http.ts';
import type { Backend } from '../../ports/backend.ts';

export interface Ingestion {
  /** Where records are accepted over HTTP (Firehose JSON protocol, or POST /firehose/<name>), with the token when there is one; undefined with no firehose. */
  url: string | undefined;
  hoses: ReadonlyMap<string, Firehose>;
  /** Stops accepting, then flushes every buffer. */
  close(): Promise<void>;
}

/** The environment that binds the endpoint beyond loopback (BATON_FIREHOSE_HOST) and sets its token (BATON_FIREHOSE_TOKEN, else one is generated and is part of `url`). */
export const firehoseHostEnv = 'BATON_FIREHOSE_HOST';
export const firehoseTokenEnv = 'BATON_FIREHOSE_TOKEN';

export function serveOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ServeOptions {
  return { host: env[firehoseHostEnv] || undefined, token: env[firehoseTokenEnv] || undefined };
}

/** Starts the app's firehoses (interval flushes) and their HTTP endpoint (127.0.0.1 unless BATON_FIREHOSE_HOST says otherwise). */
export async function startIngestion(backend: Backend, spec: AppSpec, port = 0, options: ServeOptions = serveOptionsFromEnv()): Promise<Ingestion> {
  const hoses = new Map<string, Firehose>();
  for (const config of spec.firehoses) {
    const hose = new Firehose({ objects: backend.objects, firehose: backend.firehose, clock: backend.clock }, config);
    hose.start();
    hoses.set(config.name, hose);
  }
  const http = hoses.size > 0 ? await serveFirehoses(hoses, port, options) : undefined;
  return {
    url: http?.url,
    hoses,
    async close() {
      await http?.close();
      for (const hose of hoses.values()) await hose.close();
    },
  };
}
