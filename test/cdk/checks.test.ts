/**
 * What cannot be deployed as written fails before anything is made, naming the resource, the
 * field and the fix. Pure checks (no synth), plus one BatonApp construction to see them thrown.
 */
import { App, Stack } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { app, fn, queue, schedule, topic, bucket, type AppSpec } from '../../src/index.ts';
import { BatonApp, deployProblems } from '../../src/cdk/index.ts';
import { resolveProps, type BatonAppProps } from '../../src/cdk/props.ts';

const problems = (config: AppSpec, props: Omit<BatonAppProps, 'config'> = {}) => deployProblems(resolveProps({ config, ...props }));

describe('deployability checks', () => {
  it('a timeout over 15 minutes on the function executor names the function, the field and the limit', () => {
    const spec = app('a', [fn('long', './long.ts', { timeout: '10m' })]);
    // fn() itself caps at 15m; a spec built otherwise (or a later container-only limit) is still caught.
    const tooLong: AppSpec = { ...spec, fns: [{ ...spec.fns[0]!, timeoutMs: 20 * 60_000 }] };
    expect(problems(spec)).toEqual([]);
    expect(problems(tooLong)).toEqual([expect.stringMatching(/^fn "long": field "timeout" = 20m is over Lambda's 15-minute limit \(the function executor is Lambda\); set timeout to '15m' or less/)]);
  });

  it('a routing rule needs the config file its Lambda imports it from', () => {
    const spec = app('a', [fn('unit', './u.ts', { route: () => 'container' })]);
    const found = problems(spec, { root: tmpdir() });
    expect(found).toEqual([expect.stringMatching(/^fn "unit": field "route" is a function of baton.config.ts, which its Lambda imports to route each event, but synth was not told where that file is; synth with --config <file> \(BatonApp configFile\)\.$/)]);
    expect(problems(spec, { root: tmpdir(), configFile: '/app/baton.config.ts' })).toEqual([]);
    expect(problems(app('a', [fn('unit', './u.ts', { executor: 'container' })]), { root: tmpdir() })).toEqual([]);
  });

  it("a queue visibility shorter than its function's timeout fails unless raiseVisibility", () => {
    const spec = app('a', [queue('jobs', { visibilityTimeout: '5s' }), fn('work', './w.ts', { timeout: '30s', triggers: [{ queue: 'jobs' }] })]);
    const found = problems(spec);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^queue "jobs": field "visibilityTimeout" = 5s is shorter than the timeout 30s of fn "work" it triggers, and AWS refuses that event source mapping; set visibilityTimeout to '30s' or more/);
    expect(found[0]).toContain('--raise-visibility');
    expect(problems(spec, { raiseVisibility: true })).toEqual([]);
    expect(problems(app('a', [queue('jobs', { visibilityTimeout: '30s' }), fn('work', './w.ts', { timeout: '30s', triggers: [{ queue: 'jobs' }] })]))).toEqual([]);
  });

  it('an SQS batch over 10 without a batching window is refused with the fix', () => {
    const spec = app('a', [queue('q', { visibilityTimeout: '1m' }), fn('f', './f.ts', { triggers: [{ queue: 'q', batchSize: 50 }] })]);
    expect(problems(spec)).toEqual([expect.stringMatching(/^fn "f": field "triggers.0.batchSize" = 50 needs a batching window on AWS.*add batchingWindow: '1s'/)]);
    const windowed = app('a', [queue('q', { visibilityTimeout: '1m' }), fn('f', './f.ts', { triggers: [{ queue: 'q', batchSize: 50, batchingWindow: '2s' }] })]);
    expect(problems(windowed)).toEqual([]);
  });

  it('schedules the Scheduler would not accept: a name over 64 characters, a time zone not in its spelling, no target', () => {
    const long = 'n'.repeat(70);
    const spec = app('a', [
      fn('f', './f.ts'),
      schedule(long, { expression: 'rate(5 minutes)', target: { fn: 'f' } }),
      schedule('tz', { expression: 'cron(0 6 * * ? *)', timezone: 'europe/paris', target: { fn: 'f' } }),
      schedule('none', { expression: 'rate(1 hour)' }),
      schedule('fine', { expression: 'cron(0 6 * * ? *)', timezone: 'Europe/Paris', target: { fn: 'f' } }),
    ]);
    const found = problems(spec);
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(new RegExp(`^schedule "${long}": its Scheduler name "a-${long}" \\(prefix \\+ name\\) is over the Scheduler's 64 characters`));
    expect(found[1]).toBe('schedule "tz": field "timezone" = "europe/paris" is not how the Scheduler spells it; write "Europe/Paris".');
    expect(found[2]).toMatch(/^schedule "none": field "target" is missing.*add target: \{ fn \}, \{ queue \} or \{ topic \}/);
  });

  it("a topic's file subscriber fails naming the topic and both fixes, unless fileSubscribers is 'omit'", () => {
    const spec = app('a', [topic('alerts', { subscribers: [{ webhook: 'https://example.com/hook' }, { file: 'alerts.jsonl' }] })]);
    expect(problems(spec)).toEqual([expect.stringMatching(/^topic "alerts": field "subscribers.1" is a file subscriber \("alerts.jsonl"\), which cannot exist on AWS.*replace it with a queue, fn or webhook subscriber, or synth with --omit-file-subscribers/)]);
    expect(problems(spec, { fileSubscribers: 'omit' })).toEqual([]);
  });

  it('physical names: a bucket the prefix makes invalid, a queue name with a dot', () => {
    const spec = app('a', [bucket('b'.repeat(60)), queue('with.dot')]);
    const found = problems(spec, { prefix: 'team-prod-' });
    expect(found[0]).toMatch(/^bucket "b{60}": its S3 name "team-prod-b{60}" \(prefix \+ name\) is not a valid bucket name/);
    expect(found[1]).toMatch(/^queue "with.dot": its SQS name "team-prod-with.dot" is not valid/);
  });

  it('BatonApp throws every problem at once, before making anything', () => {
    const spec = app('bad', [queue('jobs', { visibilityTimeout: '1s' }), fn('work', './missing-module.ts', { timeout: '30s', triggers: [{ queue: 'jobs' }] }), topic('t', { subscribers: [{ file: 'x.jsonl' }] })]);
    const stack = new Stack(new App(), 'bad');
    let error: Error | undefined;
    try {
      new BatonApp(stack, 'App', { config: spec });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.name).toBe('DefinitionError');
    expect(error?.message).toMatch(/^app "bad" cannot be deployed to AWS as written:\n {2}- queue "jobs": field "visibilityTimeout"[^\n]*\n {2}- topic "t": field "subscribers.0"/);
    // Nothing was bundled or made: the missing handler module was never reached.
    expect(stack.node.findAll().filter((c) => c.node.path.startsWith('bad/App/'))).toEqual([]);
  });
});

describe('baton synth (the command)', () => {
  it('exits 1 with every problem and the options that would fix them, writing nothing', () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-synth-bad-'));
    try {
      const run = spawnSync(process.execPath, ['bin/baton.mjs', 'synth', '--config', 'examples/quickstart/baton.config.ts', '--out', out], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/error: app "quickstart" cannot be deployed to AWS as written:/);
      expect(run.stderr).toMatch(/queue "ingest": field "visibilityTimeout" = 1s is shorter than the timeout 10s of fn "ingest-orders"/);
      expect(run.stderr).toMatch(/topic "alerts": field "subscribers.0" is a file subscriber/);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('baton deploy without AWS credentials stops before synth, saying how to provide them', () => {
    const home = mkdtempSync(join(tmpdir(), 'baton-deploy-home-'));
    try {
      const run = spawnSync(process.execPath, ['bin/baton.mjs', 'deploy', '--config', 'examples/quickstart/baton.config.ts'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home } });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/error: baton deploy found no AWS credentials\. Set AWS_PROFILE/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('baton deploy of an app with a container executor stops after synth when there is no docker to build its image', () => {
    const home = mkdtempSync(join(tmpdir(), 'baton-deploy-home-'));
    try {
      // PATH holds node alone: no docker (and no npx, which is never reached).
      const run = spawnSync(process.execPath, ['bin/baton.mjs', 'deploy', '--config', 'examples/fanout/baton.config.ts', '--out', join(home, 'out')], { encoding: 'utf8', env: { PATH: dirname(process.execPath), HOME: home, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).toMatch(/synthesized stack "fanout"/);
      expect(run.stderr).toMatch(/error: baton deploy: the stack has 1 container image \(the container executor\) for cdk deploy to build, and no working docker command was found\. Install and start Docker/);
      expect(run.stdout).not.toMatch(/running: npx/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});
