/**
 * The Lambda and container entries BatonApp deploys for a function with a container executor or a
 * routing rule, with the ECS and Step Functions clients mocked (aws-sdk-client-mock): there is no
 * ECS or Step Functions emulator. The rule picks per event; 'container' starts the task with the
 * event in its overrides; the container entry answers a map item's task token.
 */
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, TooLargeError, ValidationError } from '../../src/core/errors.ts';
import { runContainerInvocation } from '../../src/cdk/lambda/container-main.ts';
import { routedHandler } from '../../src/cdk/lambda/route.ts';

const ecs = mockClient(ECSClient);
const sfn = mockClient(SFNClient);
afterEach(() => {
  ecs.reset();
  sfn.reset();
});

const env = {
  BATON_ECS_CLUSTER: 'arn:aws:ecs:eu-west-1:1:cluster/c',
  BATON_ECS_TASK_DEFINITION: 'arn:aws:ecs:eu-west-1:1:task-definition/t:1',
  BATON_ECS_CONTAINER: 'handler',
  BATON_ECS_SUBNETS: 'subnet-a,subnet-b',
  BATON_ECS_SECURITY_GROUPS: 'sg-1',
};
const context = { functionName: 'f', getRemainingTimeInMillis: () => 1000 } as Context;
const bySize = (event: unknown) => (((event as { size?: number }).size ?? 0) > 100 ? 'container' : 'function');

describe('routedHandler (the Lambda entry of a routed function)', () => {
  it("runs the handler in the Lambda for 'function', and starts the task with the event for 'container'", async () => {
    const seen: unknown[] = [];
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/1' }], failures: [] });
    const h = routedHandler('convert', async (e) => (seen.push(e), { ran: 'here' }), bySize, { env, client: new ECSClient({ region: 'eu-west-1' }) });
    expect(await h({ key: 'small.csv', size: 10 }, context)).toEqual({ ran: 'here' });
    expect(await h({ key: 'big.csv', size: 1000 }, context)).toEqual({ executor: 'container', taskArn: 'arn:task/1' });
    expect(seen).toEqual([{ key: 'small.csv', size: 10 }]);
    const calls = ecs.commandCalls(RunTaskCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      cluster: env.BATON_ECS_CLUSTER,
      taskDefinition: env.BATON_ECS_TASK_DEFINITION,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } },
      overrides: { containerOverrides: [{ name: 'handler', environment: [{ name: 'BATON_EVENT', value: JSON.stringify({ key: 'big.csv', size: 1000 }) }] }] },
    });
  });

  it('answers a map\'s route query with the rule alone, running nothing', async () => {
    const h = routedHandler('convert', async () => ({ ran: 'here' }), bySize, { env, client: new ECSClient({ region: 'eu-west-1' }) });
    expect(await h({ batonRoute: { size: 1000 } }, context)).toEqual({ executor: 'container' });
    expect(await h({ batonRoute: { size: 1 } }, context)).toEqual({ executor: 'function' });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('a batch handed to the container counts as handled (empty batchItemFailures)', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:task/2' }] });
    const h = routedHandler('drain', async () => 'no', 'container', { env, client: new ECSClient({ region: 'eu-west-1' }) });
    expect(await h({ Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: '{}' }] }, context)).toEqual({ executor: 'container', taskArn: 'arn:task/2', batchItemFailures: [] });
  });

  it('fails with a typed error: an event too big for the overrides, ECS refusing, a rule answering nonsense, a missing setting', async () => {
    const client = new ECSClient({ region: 'eu-west-1' });
    const h = routedHandler('convert', async () => null, 'container', { env, client });
    await expect(h({ size: 1000, pad: 'x'.repeat(7000) }, context)).rejects.toThrow(TooLargeError);
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:MEMORY' }] });
    await expect(h({}, context)).rejects.toThrow(StoreError);
    await expect(h({}, context)).rejects.toThrow(/RESOURCE:MEMORY/);
    const odd = routedHandler('convert', async () => null, () => 'gpu' as never, { env, client });
    await expect(odd({}, context)).rejects.toThrow(/returned "gpu"/);
    const bare = routedHandler('convert', async () => null, 'container', { env: {}, client });
    await expect(bare({}, context)).rejects.toThrow(ValidationError);
  });
});

describe('runContainerInvocation (the container task entry)', () => {
  it("runs the handler once on BATON_EVENT with no practical time limit and answers the task token with its result", async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    let remaining = 0;
    const taskEnv: NodeJS.ProcessEnv = { BATON_EVENT: JSON.stringify({ key: 'big.csv' }), BATON_TASK_TOKEN: 'tok-1' };
    const code = await runContainerInvocation('convert', async (e, ctx) => ((remaining = ctx.getRemainingTimeInMillis()), { got: e, executor: process.env.BATON_EXECUTOR ?? taskEnv.BATON_EXECUTOR }), 512, { env: taskEnv, sfn: new SFNClient({ region: 'eu-west-1' }) });
    expect(code).toBe(0);
    expect(remaining).toBeGreaterThan(86_400_000);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ taskToken: 'tok-1', output: JSON.stringify({ got: { key: 'big.csv' }, executor: 'container' }) });
  });

  it('a throw fails the task token with the error and exits 1; without a token it only exits 1', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    const boom = async () => {
      throw new RangeError('bad row');
    };
    expect(await runContainerInvocation('convert', boom, 512, { env: { BATON_EVENT: '{}', BATON_TASK_TOKEN: 'tok-2' }, sfn: new SFNClient({ region: 'eu-west-1' }) })).toBe(1);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toEqual({ taskToken: 'tok-2', error: 'RangeError', cause: 'bad row' });
    expect(await runContainerInvocation('convert', boom, 512, { env: { BATON_EVENT: 'not json' }, sfn: new SFNClient({ region: 'eu-west-1' }) })).toBe(1);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
  });
});
