import type { AppSpec } from '../../core/app.ts';
import { Firehose } from './index.ts';
import { serveFirehoses } from './http.ts';
import type { Backend } from '../../ports/backend.ts';

export interface Ingestion {
  /** Where records are accepted over HTTP (Firehose JSON protocol, or POST /firehose/<name>); undefined with no firehose. */
  url: string | undefined;
  hoses: ReadonlyMap<string, Firehose>;
  /** Stops accepting, then flushes every buffer. */
  close(): Promise<void>;
}

/** Starts the app's firehoses (interval flushes) and their HTTP endpoint on 127.0.0.1. */
export async function startIngestion(backend: Backend, spec: AppSpec, port = 0): Promise<Ingestion> {
  const hoses = new Map<string, Firehose>();
  for (const config of spec.firehoses) {
    const hose = new Firehose({ objects: backend.objects, firehose: backend.firehose, clock: backend.clock }, config);
    hose.start();
    hoses.set(config.name, hose);
  }
  const http = hoses.size > 0 ? await serveFirehoses(hoses, port) : undefined;
  return {
    url: http?.url,
    hoses,
    async close() {
      await http?.close();
      for (const hose of hoses.values()) await hose.close();
    },
  };
}
