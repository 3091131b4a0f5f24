/**
 * The aws backend: every storage port over the AWS service users would pick for it (S3, SQS,
 * DynamoDB + Streams, SSM Parameter Store, SNS), and Baton's own state (runs, jobs, map ledger,
 * stream positions) in DynamoDB tables of its own. The SDK clients are optional peer dependencies:
 * only this module imports them, and only the composition root imports this module, on demand.
 *
 *   import { openAws } from 'baton/aws';
 *   const backend = openAws({ region: 'eu-west-1', prefix: 'shop-dev-' });
 */
import { ValidationError } from '../../core/errors.ts';
import type { Backend } from '../../ports/backend.ts';
import { systemClock } from '../../core/clock.ts';
import { makeClients } from './clients.ts';
import type { AwsContext } from './context.ts';
import { awsFirehoseStore } from './firehose.ts';
import { AwsJobStore } from './jobs/store.ts';
import { Names } from './names.ts';
import { AwsObjectStore } from './objects/store.ts';
import { handlerEnvOf, resolveOptions, type AwsBackendOptions, type ResolvedAwsOptions } from './options.ts';
import { AwsParamStore } from './params/store.ts';
import { AwsQueueStore } from './queues/store.ts';
import { AwsRunStore } from './runs/store.ts';
import { AwsTableStore } from './tables/store.ts';
import { AwsTopicStore } from './topics/store.ts';

export interface AwsBackend extends Backend {
  readonly context: AwsContext;
  readonly options: ResolvedAwsOptions;
}

/** Opens the aws backend. Nothing is sent until a store is used; a missing region fails here. */
export function openAws(options: AwsBackendOptions = {}, env: NodeJS.ProcessEnv = process.env): AwsBackend {
  const partial = resolveOptions(options, env, systemClock);
  if (!partial.region) {
    throw new ValidationError('the aws backend needs a region, and none is set.', { action: 'Set AWS_REGION (for example AWS_REGION=eu-west-1), or pass --region / { region } to openAws.' });
  }
  const resolved: ResolvedAwsOptions = { ...partial, region: partial.region };
  const clients = makeClients(resolved);
  const context: AwsContext = {
    clients,
    names: new Names(resolved.prefix),
    clock: resolved.clock,
    region: resolved.region,
    filesDir: resolved.filesDir,
    at: (service, op, resource) => ({ service, op, ...(resource ? { resource } : {}), ...(clients.endpoint(service) ? { endpoint: clients.endpoint(service) } : {}) }),
  };
  const topics = new AwsTopicStore(context);
  const stores = { objects: new AwsObjectStore(context), queues: new AwsQueueStore(context), params: new AwsParamStore(context, resolved.paramsKeyId ? { keyId: resolved.paramsKeyId } : {}), tables: new AwsTableStore(context), topics, runs: new AwsRunStore(context), jobs: new AwsJobStore(context) };
  let closed = false;
  return {
    name: 'aws',
    context,
    options: resolved,
    clock: resolved.clock,
    ...stores,
    firehose: awsFirehoseStore,
    handlerEnv: { BATON_BACKEND: 'aws', ...handlerEnvOf(resolved) },
    async close() {
      if (closed) return;
      closed = true;
      for (const store of Object.values(stores)) await (store as { close?(): Promise<void> }).close?.();
      clients.destroy();
    },
  };
}

export type { AwsBackendOptions } from './options.ts';
export { startLambdaJob, invokeRelay, isLambdaRelayEvent, type LambdaRelayEvent } from './jobs/lambda-invoke.ts';
