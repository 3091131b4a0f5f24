/**
 * `baton synth` (the command, as a user runs it) of every example app: exit 0 and a template with
 * the resources that example needs, so CI synthesizes each one. The fanout's map comes from its
 * config's `maps` export, which only the command reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const examples = readdirSync('examples').filter((d) => existsSync(join('examples', d, 'baton.config.ts')));
const out = mkdtempSync(join(tmpdir(), 'baton-synth-examples-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Resource types each example's stack must have. */
const needs: Record<string, string[]> = {
  quickstart: ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::Lambda::EventSourceMapping', 'AWS::Scheduler::Schedule', 'AWS::CloudWatch::Alarm'],
  'csv-pipeline': ['AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::Lambda::EventSourceMapping'],
  clickstream: ['AWS::KinesisFirehose::DeliveryStream', 'AWS::Scheduler::Schedule', 'AWS::Glue::Database'],
  fanout: ['AWS::ECS::TaskDefinition', 'AWS::StepFunctions::StateMachine', 'AWS::Glue::Database'],
  'paginated-api': ['AWS::Scheduler::Schedule', 'AWS::SSM::Parameter'],
  'relay-poller': ['AWS::SNS::Topic', 'AWS::Lambda::Function'],
};

describe('baton synth of every example', () => {
  it('finds the six examples', () => expect(examples.sort()).toEqual(Object.keys(needs).sort()));

  for (const name of examples) {
    it(name, () => {
      const dir = join(out, name);
      const run = spawnSync(process.execPath, ['bin/baton.mjs', 'synth', '--config', `examples/${name}/baton.config.ts`, '--out', dir, '--omit-file-subscribers', '--raise-visibility', '--json'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout) as { stackName: string; template: string; images: number; ms: number };
      // Only the fanout has a container executor: its image is the one Docker asset cdk deploy must build.
      expect(result.images).toBe(name === 'fanout' ? 1 : 0);
      console.log(`baton synth ${name}: ${result.ms} ms`);
      const template = JSON.parse(readFileSync(result.template, 'utf8')) as { Resources: Record<string, { Type: string }> };
      const types = new Set(Object.values(template.Resources).map((r) => r.Type));
      for (const type of needs[name] ?? []) expect(types.has(type), `${name}: ${type}`).toBe(true);
    }, 180_000);
  }
});
