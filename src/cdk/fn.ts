/**
 * fn -> Lambda function: the handler module bundled with esbuild (bundle.ts), the chosen Node
 * runtime, timeout, memory, reserved concurrency (Baton's `concurrency`), the definition's env plus
 * what connect() needs to open the aws backend (BATON_BACKEND=aws, BATON_AWS_PREFIX; Lambda sets
 * AWS_REGION itself), and the async invoke settings: retries and the on-failure destination.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { awsEnv } from '../backends/aws/options.ts';
import { defaults } from '../core/defaults.ts';
import type { Destination, FnConfig } from '../core/resources/fn.ts';
import type { Built } from './built.ts';
import { bundleHandler } from './bundle.ts';
import { routeWrap, usesContainer } from './container.ts';
import { duckdbPackages, makeDuckdbLayer } from './duckdb-layer.ts';
import { constructId } from './ids.ts';
import { entryEnv } from './lambda/env.ts';
import { seconds } from './units.ts';

const runtimes = { 'nodejs20.x': lambda.Runtime.NODEJS_20_X, 'nodejs22.x': lambda.Runtime.NODEJS_22_X } as const;

/** What every function's connect() reads (besides AWS_REGION, which Lambda sets). */
export function connectEnv(prefix: string): Record<string, string> {
  // BATON_DIR: a file subscriber's relative path would resolve here; /tmp is Lambda's one writable folder.
  return { [defaults.store.backendEnv]: 'aws', [awsEnv.prefix]: prefix, [defaults.store.dirEnv]: '/tmp/baton' };
}

export function destinationOf(built: Built, d: Destination): lambda.IDestination {
  return 'queue' in d ? new destinations.SqsDestination(built.queue(d.queue)) : new destinations.SnsDestination(built.topic(d.topic));
}

function lambdaName(built: Built, f: FnConfig): string | undefined {
  const name = `${built.names.prefix}${f.name}`;
  if (/^[A-Za-z0-9_-]{1,64}$/.test(name)) return name;
  built.note(`fn "${f.name}": "${name}" is not a valid Lambda name (64 letters, digits, '-', '_'), so CloudFormation names the function.`);
  return undefined;
}

function makeFn(scope: Construct, built: Built, f: FnConfig, duckdb: (() => lambda.LayerVersion) | undefined): lambda.Function {
  const { props } = built;
  const bundle = bundleHandler(f.name, f.module, f.handler, props.root, props.runtime, duckdb !== undefined, usesContainer(f) ? routeWrap(f, props.configFile) : { kind: 'plain' });
  const name = lambdaName(built, f);
  const layer = bundle.duckdb && duckdb ? duckdb() : undefined;
  const fn = new lambda.Function(scope, constructId(f.name), {
    ...(name ? { functionName: name } : {}),
    runtime: runtimes[props.runtime],
    code: lambda.Code.fromAsset(bundle.dir),
    handler: bundle.handler,
    timeout: Duration.seconds(seconds(f.timeoutMs)),
    memorySize: f.memoryMb,
    reservedConcurrentExecutions: f.concurrency,
    environment: { ...f.env, ...connectEnv(props.prefix), [entryEnv.fn]: f.name },
    retryAttempts: f.retries,
    ...(layer ? { layers: [layer] } : {}),
    ...(f.onFailure ? { onFailure: destinationOf(built, f.onFailure) } : {}),
  });
  if (bundle.catalog) built.catalogFns.push(f.name);
  if (bundle.job) {
    // A job handler queues its next relay by invoking itself asynchronously; by name, as the
    // function's own ARN in its own role's policy would be a circular dependency.
    if (name) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [Stack.of(fn).formatArn({ service: 'lambda', resource: 'function', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME })] }));
    built.note(`fn "${f.name}" is a job handler: each { "batonRelay": { "job": "<id>" } } event runs one relay and invokes the function again asynchronously for the next; a retry or sleep longer than the function's time left waits queued until \`baton jobs resume <id>\`. Start a job with startLambdaJob (src/backends/aws/jobs/lambda-invoke.ts): it records the job and sends that event.`);
  }
  return fn;
}

export function makeFns(scope: Construct, built: Built): void {
  const group = new Construct(scope, 'Fns');
  // One DuckDB layer per app, made when the first function reaching DuckDB needs it.
  const duck = duckdbPackages(built.props.root);
  let layer: lambda.LayerVersion | undefined;
  const given: string[] = [];
  for (const f of built.props.spec.fns) {
    const layerFor = 'found' in duck ? () => (given.push(f.name), (layer ??= makeDuckdbLayer(scope, duck.found))) : undefined;
    built.fns.set(f.name, makeFn(group, built, f, layerFor));
  }
  if (given.length) built.note(`${given.length === 1 ? 'fn' : 'fns'} ${given.map((n) => `"${n}"`).join(', ')} ${given.length === 1 ? 'reaches' : 'reach'} DuckDB and load${given.length === 1 ? 's' : ''} it from the DuckDB layer (its linux-x64 binding, ~70 MB unzipped), so ${given.length === 1 ? 'it runs' : 'they run'} on x86_64.`);
  if ('missing' in duck) built.note(`DuckDB: ${duck.missing}; functions that reach DuckDB fail when they use it.`);
  const reserved = built.props.spec.fns.reduce((n, f) => n + f.concurrency, 0);
  if (reserved) built.note(`functions reserve ${reserved} concurrent executions in all (each fn's concurrency); Lambda keeps 100 unreserved per account, so an account with a low concurrency quota (new accounts may have 10) refuses the stack until the quota is raised.`);
}
