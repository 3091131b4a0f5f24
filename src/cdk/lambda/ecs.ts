/**
 * Starts one invocation on the container executor deployed as ECS Fargate: a RunTask of the
 * function's task definition, in the subnets and security groups BatonApp made, with the event
 * (and, for a Step Functions map item, the task token to answer) as environment overrides, which
 * the container entry reads. Everything but the event comes from the environment BatonApp sets.
 */
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { StoreError, TooLargeError, ValidationError } from '../../core/errors.ts';
import { entryEnv, maxContainerEventBytes } from './env.ts';

export interface ContainerTarget {
  cluster: string;
  taskDefinition: string;
  container: string;
  subnets: string[];
  securityGroups: string[];
}

/** The ECS target BatonApp put in the environment; a typed error naming what is missing. */
export function containerTarget(env: NodeJS.ProcessEnv, fn: string): ContainerTarget {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new ValidationError(`fn "${fn}" routes to the container executor, but ${name} is not set in its environment.`, { action: 'Deploy the function with BatonApp (baton synth), which sets it, or set it to the ECS value.' });
    return v;
  };
  const list = (name: string) => need(name).split(',').map((s) => s.trim()).filter(Boolean);
  return { cluster: need(entryEnv.cluster), taskDefinition: need(entryEnv.taskDefinition), container: need(entryEnv.container), subnets: list(entryEnv.subnets), securityGroups: list(entryEnv.securityGroups) };
}

let shared: ECSClient | undefined;

/** Runs the task; resolves to its ARN once ECS has accepted it (not when it ends). */
export async function runContainerTask(fn: string, event: unknown, target: ContainerTarget, options: { taskToken?: string; client?: ECSClient } = {}): Promise<string> {
  const json = JSON.stringify(event ?? null);
  const bytes = Buffer.byteLength(json);
  if (bytes > maxContainerEventBytes) {
    throw new TooLargeError(`fn "${fn}": an event of ${bytes} bytes cannot start a container task (ECS takes at most 8 KB of overrides; Baton passes up to ${maxContainerEventBytes} bytes of event).`, { action: 'Put the data in a bucket and pass its key in the event.' });
  }
  const client = options.client ?? (shared ??= new ECSClient({}));
  const environment = [{ name: entryEnv.event, value: json }, ...(options.taskToken ? [{ name: entryEnv.taskToken, value: options.taskToken }] : [])];
  const out = await client.send(
    new RunTaskCommand({
      cluster: target.cluster,
      taskDefinition: target.taskDefinition,
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: { awsvpcConfiguration: { subnets: target.subnets, securityGroups: target.securityGroups, assignPublicIp: 'ENABLED' } },
      overrides: { containerOverrides: [{ name: target.container, environment }] },
      startedBy: `baton-${fn}`.slice(0, 36),
    }),
  );
  const arn = out.tasks?.[0]?.taskArn;
  if (!arn) {
    const why = (out.failures ?? []).map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; ') || 'no task and no failure reported';
    throw new StoreError(`fn "${fn}": ECS did not start its container task: ${why}.`, { action: 'Check the cluster capacity, the subnets and the task definition in the ECS console; the invocation is retried as any failed invocation is.' });
  }
  return arn;
}
