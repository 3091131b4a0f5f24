/**
 * A job() handler deployed by BatonApp: bundled behind the job entry (each { batonRelay } event
 * drives one relay; job-relay.client-mock.test.ts runs it), allowed to invoke itself (by name) for
 * the next relay and to use Baton's job tables; a plain handler keeps its plain bundle.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, fn } from '../../src/index.ts';
import { BatonApp, releaseStaging } from '../../src/cdk/index.ts';
import { policyOf, resourceOf, statementsOf } from './template-helpers.ts';

afterAll(releaseStaging);

describe('a job handler on Lambda', () => {
  let t: Template;
  let notes: readonly string[];
  let bundles: string[];
  beforeAll(() => {
    const cdkApp = new App();
    const stack = new Stack(cdkApp, 'jobs');
    const config = app('jobs', [fn('count', './job.ts', { timeout: '1m' }), fn('plain', './handler.ts')]);
    notes = new BatonApp(stack, 'App', { config, root: fileURLToPath(new URL('./fixtures/', import.meta.url)) }).notes;
    t = Template.fromStack(stack);
    const out = cdkApp.synth().directory;
    bundles = readdirSync(out).filter((d) => existsSync(join(out, d, 'index.mjs'))).map((d) => readFileSync(join(out, d, 'index.mjs'), 'utf8'));
  }, 120_000);

  it('is bundled behind the job entry; the plain handler is not', () => {
    expect(bundles).toHaveLength(2);
    expect(bundles.filter((b) => b.includes('batonRelay'))).toHaveLength(1);
    expect(notes.join('\n')).toMatch(/fn "count" is a job handler: each \{ "batonRelay"/);
  });

  it('may invoke itself (its own name only) and read and write the jobs table', () => {
    const statements = JSON.parse(statementsOf(t, policyOf(t, 'jobs-count'))) as Array<{ Action: string | string[]; Resource: unknown }>;
    const invoke = statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]!.Resource)).toContain(':function:jobs-count"');
    expect(JSON.stringify(statements)).toContain(resourceOf(t, 'AWS::DynamoDB::Table', { TableName: 'jobs-baton-jobs' }));
    expect(statementsOf(t, policyOf(t, 'jobs-plain'))).not.toContain('lambda:InvokeFunction');
  });
});
