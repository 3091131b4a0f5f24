/**
 * How the aws backend finds AWS: region, credentials and endpoints come from the usual AWS
 * environment (AWS_REGION, AWS_PROFILE / AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>) unless given here. Physical resource names are the app's names with
 * a prefix (BATON_AWS_PREFIX), so two apps or stages share one account without clashing.
 */
import { resolve } from 'node:path';
import { defaults } from '../../core/defaults.ts';
import type { Clock } from '../../ports/clock.ts';

export type AwsService = 's3' | 'sqs' | 'sns' | 'dynamodb' | 'dynamodbstreams' | 'ssm';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsBackendOptions {
  /** Default: $AWS_REGION, then $AWS_DEFAULT_REGION. Required: there is no silent default. */
  region?: string;
  /** One endpoint for every service (an emulator such as fauxqs). Default: $AWS_ENDPOINT_URL. */
  endpoint?: string;
  /** Per-service endpoints, over `endpoint`. Default: $AWS_ENDPOINT_URL_<SERVICE>. */
  endpoints?: Partial<Record<AwsService, string>>;
  /** Default: the SDK's credential chain (environment, profile, SSO, instance role). */
  credentials?: AwsCredentials;
  /** Put before every physical resource name. Default: $BATON_AWS_PREFIX or ''. */
  prefix?: string;
  /** Baton's own clock (run and job timestamps); the services keep their own time. */
  clock?: Clock;
  /** Called once per request sent, with the service and the command's name (cost figures). */
  onRequest?: (service: AwsService, command: string) => void;
  /** The KMS key SSM encrypts SecureString params with. Default: $BATON_AWS_PARAMS_KEY_ID, else the account's aws/ssm key. */
  paramsKeyId?: string;
  /**
   * Where a topic's file subscriber with a relative path writes (resolved against the working
   * directory), as the local backend resolves it against its state directory. Default: $BATON_DIR,
   * else .baton.
   */
  filesDir?: string;
}

export interface ResolvedAwsOptions {
  region: string;
  endpoints: Partial<Record<AwsService, string>>;
  credentials?: AwsCredentials;
  prefix: string;
  clock: Clock;
  onRequest?: (service: AwsService, command: string) => void;
  paramsKeyId?: string;
  /** Absolute. */
  filesDir: string;
}

/** Environment variables the aws backend reads (besides the SDK's own). */
export const awsEnv = {
  prefix: 'BATON_AWS_PREFIX',
  paramsKeyId: 'BATON_AWS_PARAMS_KEY_ID',
} as const;

const serviceEnv: Record<AwsService, string> = {
  s3: 'AWS_ENDPOINT_URL_S3',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sns: 'AWS_ENDPOINT_URL_SNS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  dynamodbstreams: 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
  ssm: 'AWS_ENDPOINT_URL_SSM',
};

export const awsServices = Object.keys(serviceEnv) as AwsService[];

/** Options as given, with the environment's values filled in. Throws nothing: see checkOptions. */
export function resolveOptions(options: AwsBackendOptions, env: NodeJS.ProcessEnv, clock: Clock): Omit<ResolvedAwsOptions, 'region'> & { region: string | undefined } {
  const endpoints: Partial<Record<AwsService, string>> = {};
  const all = options.endpoint ?? env.AWS_ENDPOINT_URL;
  for (const service of awsServices) {
    const one = options.endpoints?.[service] ?? env[serviceEnv[service]] ?? (service === 'dynamodbstreams' ? (options.endpoints?.dynamodb ?? env[serviceEnv.dynamodb]) : undefined) ?? all;
    if (one) endpoints[service] = one;
  }
  return {
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoints,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    prefix: options.prefix ?? env[awsEnv.prefix] ?? '',
    clock: options.clock ?? clock,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...paramsKeyOf(options, env),
    filesDir: resolve(options.filesDir ?? env[defaults.store.dirEnv] ?? defaults.store.dir),
  };
}

function paramsKeyOf(options: AwsBackendOptions, env: NodeJS.ProcessEnv): { paramsKeyId?: string } {
  const keyId = options.paramsKeyId ?? env[awsEnv.paramsKeyId];
  return keyId ? { paramsKeyId: keyId } : {};
}

/** The environment a handler's process needs to open the same aws backend (Backend.handlerEnv). */
export function handlerEnvOf(resolved: ResolvedAwsOptions): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: resolved.region, [awsEnv.prefix]: resolved.prefix, [defaults.store.dirEnv]: resolved.filesDir };
  if (resolved.paramsKeyId) env[awsEnv.paramsKeyId] = resolved.paramsKeyId;
  for (const service of awsServices) {
    const endpoint = resolved.endpoints[service];
    if (endpoint) env[serviceEnv[service]] = endpoint;
  }
  if (resolved.credentials) {
    env.AWS_ACCESS_KEY_ID = resolved.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = resolved.credentials.secretAccessKey;
    if (resolved.credentials.sessionToken) env.AWS_SESSION_TOKEN = resolved.credentials.sessionToken;
  }
  return env;
}
