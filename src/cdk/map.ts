/**
 * map -> Step Functions Distributed Map, so the fan-out runs on AWS's own engine. One state
 * machine per deployed map (BatonAppProps.maps), whose Distributed Map state:
 *   ItemReader     every object under the prefix (S3 ListObjectsV2), reshaped by the ItemSelector
 *                  to Baton's item { bucket, key, size, etag } with the app's bucket name (the
 *                  handler's connect() adds the prefix, as for any bucket); or the rows of a CSV
 *                  object (first row the header, values as strings, as Baton's reader gives them)
 *                  or of a JSON-lines object
 *   MaxConcurrency the map's concurrency; ToleratedFailureCount or ToleratedFailurePercentage its
 *                  toleratedFailures
 *   ResultWriter   the output bucket and prefix
 *   ItemProcessor  the same unit-of-work function: its Lambda for the function executor; for the
 *                  container executor an ECS RunTask that waits for the task token the container
 *                  entry answers with the handler's result; for a routing rule, the function's
 *                  Lambda answers { batonRoute: item } with the rule alone, then a Choice runs the
 *                  item on Lambda or on Fargate. Each item is retried `retries` times.
 * Child executions are STANDARD (a Lambda item may run 15 minutes, a container item longer).
 */
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { defaults } from '../core/defaults.ts';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';
import { entryEnv } from './lambda/env.ts';
import type { MapDeployment } from './props.ts';

/** A container item that never answers its task token (the task died) fails after this long. */
export const containerItemTimeout = Duration.hours(24);

function reader(built: Built, m: MapDeployment): sfn.IItemReader {
  const bucket = built.bucket(m.source.bucket);
  if ('prefix' in m.source) return new sfn.S3ObjectsItemReader({ bucket, prefix: m.source.prefix });
  if (m.source.format === 'csv') return new sfn.S3CsvItemReader({ bucket, key: m.source.key, csvHeaders: sfn.CsvHeaders.useFirstRow() });
  return new sfn.S3JsonLItemReader({ bucket, key: m.source.key });
}

function tolerance(t: number | `${number}%`): Pick<sfn.DistributedMapProps, 'toleratedFailureCount' | 'toleratedFailurePercentage'> {
  return typeof t === 'number' ? { toleratedFailureCount: t } : { toleratedFailurePercentage: Number(t.slice(0, -1)) };
}

function retry<T extends sfn.TaskStateBase>(state: T, retries: number): T {
  if (retries > 0) state.addRetry({ errors: [sfn.Errors.ALL], maxAttempts: retries, interval: Duration.seconds(1), backoffRate: 2 });
  return state;
}

/** Runs `itemPath` of the state's input on the function's Lambda; the result is the handler's. */
function onLambda(scope: Construct, built: Built, m: MapDeployment, retries: number, itemPath?: string): sfn.TaskStateBase {
  return retry(new tasks.LambdaInvoke(scope, `${m.fn} on Lambda`, { lambdaFunction: built.fn(m.fn), payloadResponseOnly: true, ...(itemPath ? { inputPath: itemPath } : {}) }), retries);
}

/** Runs `itemPath` of the state's input in a container task, waiting for its task token; the result is the handler's. */
function onFargate(scope: Construct, built: Built, m: MapDeployment, retries: number, itemPath: string): sfn.TaskStateBase {
  const c = built.containers.get(m.fn)!;
  return retry(
    new tasks.EcsRunTask(scope, `${m.fn} on Fargate`, {
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      cluster: c.cluster,
      taskDefinition: c.task,
      launchTarget: new tasks.EcsFargateLaunchTarget({ platformVersion: ecs.FargatePlatformVersion.LATEST }),
      assignPublicIp: true,
      subnets: { subnets: c.subnets },
      securityGroups: [c.securityGroup],
      containerOverrides: [
        {
          containerDefinition: c.container,
          environment: [
            { name: entryEnv.event, value: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(itemPath)) },
            { name: entryEnv.taskToken, value: sfn.JsonPath.taskToken },
          ],
        },
      ],
      taskTimeout: sfn.Timeout.duration(containerItemTimeout),
    }),
    retries,
  );
}

function processor(scope: Construct, built: Built, m: MapDeployment, retries: number): sfn.IChainable {
  const f = built.props.spec.fns.find((x) => x.name === m.fn)!;
  if (!f.route && f.executor === 'function') return onLambda(scope, built, m, retries);
  if (!f.route) return onFargate(scope, built, m, retries, '$');
  const wrap = new sfn.Pass(scope, 'Item', { parameters: { 'item.$': '$' } });
  const route = new tasks.LambdaInvoke(scope, 'Route', {
    lambdaFunction: built.fn(m.fn),
    payload: sfn.TaskInput.fromObject({ batonRoute: sfn.JsonPath.objectAt('$.item') }),
    resultSelector: { 'executor.$': '$.Payload.executor' },
    resultPath: '$.route',
  });
  const choice = new sfn.Choice(scope, 'Executor?')
    .when(sfn.Condition.stringEquals('$.route.executor', 'container'), onFargate(scope, built, m, retries, '$.item'))
    .otherwise(onLambda(scope, built, m, retries, '$.item'));
  return wrap.next(route).next(choice);
}

export function makeMaps(scope: Construct, built: Built): void {
  const maps = built.props.maps;
  if (!maps.length) return;
  const group = new Construct(scope, 'Maps');
  const d = defaults.map;
  for (const m of maps) {
    const s = new Construct(group, constructId(m.name));
    const outBucket = m.output?.bucket ?? m.source.bucket;
    const prefix = m.output?.prefix ?? `maps/${m.name}/`;
    const physical = built.names.bucket(m.source.bucket);
    const map = new sfn.DistributedMap(s, 'Map', {
      itemReader: reader(built, m),
      ...('prefix' in m.source
        ? { itemSelector: { bucket: m.source.bucket, key: sfn.JsonPath.stringAt('$$.Map.Item.Value.Key'), size: sfn.JsonPath.numberAt('$$.Map.Item.Value.Size'), etag: sfn.JsonPath.stringAt('$$.Map.Item.Value.Etag') } }
        : {}),
      maxConcurrency: m.concurrency ?? d.concurrency,
      ...tolerance(m.toleratedFailures ?? d.toleratedFailures),
      resultWriter: new sfn.ResultWriter({ bucket: built.bucket(outBucket), prefix }),
      mapExecutionType: sfn.StateMachineType.STANDARD,
    });
    map.itemProcessor(processor(s, built, m, m.retries ?? d.retries));
    new sfn.StateMachine(s, 'StateMachine', { stateMachineName: `${built.names.prefix}${m.name}`, definitionBody: sfn.DefinitionBody.fromChainable(map) });
    built.note(
      `map "${m.name}": a Step Functions Distributed Map over ${'prefix' in m.source ? `${physical}/${m.source.prefix}*` : `the ${m.source.format} rows of ${physical}/${m.source.key}`}; start it with \`aws stepfunctions start-execution --state-machine-arn <${built.names.prefix}${m.name}>\`. Step Functions keeps the ledger: results go to ${built.names.bucket(outBucket)}/${prefix} as its manifest.json and SUCCEEDED/FAILED files (not Baton's succeeded.jsonl/failed.jsonl), and S3's etag keeps its quotes.`,
    );
  }
}
