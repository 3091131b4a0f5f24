/**
 * fauxqs (S3, SQS and SNS over their AWS protocols), in this process, listening on 127.0.0.1 only
 * (its own startFauxqs binds every interface, so the app is built and bound here).
 */
import { buildApp } from 'fauxqs';

export interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startFauxqs(): Promise<RunningServer> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { endpoint: address, stop: () => app.close() };
}
