/**
 * The engine's topic flush loop on the aws backend (SNS and SQS on fauxqs): the aws topic store
 * delivers to file and webhook subscribers only when topics.flush() runs, and the engine calls it
 * while it runs, so a publish reaches a file subscriber without anyone calling flush. After
 * stop() nothing is flushed; a flush stuck on a webhook that never answers holds stop() up only
 * until its deadline.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAws, type AwsBackend } from '../../src/backends/aws/index.ts';
import { app } from '../../src/core/app.ts';
import { systemClock } from '../../src/core/clock.ts';
import { topic } from '../../src/core/resources/topic.ts';
import type { Executor } from '../../src/ports/executor.ts';
import { startEngine, type Engine } from '../../src/runtime/engine/index.ts';
import { awsTestCredentials, awsTestEndpoints, awsTestRegion, freshPrefix } from '../helpers/aws.ts';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.ts';

// No function runs here: an executor that is never called.
const executor: Executor = { invoke: () => Promise.reject(new Error('no function in this app')), close: () => Promise.resolve() };

let dir: string;
let backend: AwsBackend;
let engine: Engine | undefined;
let hook: WebhookServer | undefined;

function open(): AwsBackend {
  dir = mkdtempSync(join(tmpdir(), 'baton-flush-aws-'));
  // The system clock: the loop's pauses and the webhook's timeout run in real time.
  return openAws({ region: awsTestRegion, credentials: awsTestCredentials, endpoints: awsTestEndpoints(), prefix: freshPrefix(), clock: systemClock, filesDir: dir }, {});
}

function fileLines(name: string): Array<{ Message: string }> {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Message: string }) : [];
}

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(async () => {
  await engine?.stop({ deadlineMs: 1000 });
  engine = undefined;
  await backend.close();
  await hook?.close();
  hook = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('the engine flushes topics on aws', () => {
  it('a publish reaches a file subscriber while the engine runs, without a flush by hand, once', async () => {
    backend = open();
    const spec = app('flush', [topic('news', { subscribers: [{ file: 'news.jsonl' }] })]);
    engine = await startEngine({ backend, spec, executor, settings: { topicFlushMs: 200 } });
    await backend.topics.publish('news', { message: 'first' });
    await backend.topics.publish('news', { message: 'second' });
    await until('two lines in news.jsonl', () => fileLines('news.jsonl').length >= 2);
    // A few more flushes deliver nothing twice.
    await new Promise((r) => setTimeout(r, 700));
    expect(fileLines('news.jsonl').map((l) => l.Message).sort()).toEqual(['first', 'second']);
    expect(engine.errors).toEqual([]);
  });

  it('without the engine, nothing reaches the file (the aws store delivers only on flush)', async () => {
    backend = open();
    const spec = app('flush', [topic('news', { subscribers: [{ file: 'news.jsonl' }] })]);
    engine = await startEngine({ backend, spec, executor, settings: { topicFlushMs: 200 } });
    await engine.stop();
    engine = undefined;
    await backend.topics.publish('news', { message: 'after stop' });
    await new Promise((r) => setTimeout(r, 700));
    expect(fileLines('news.jsonl')).toEqual([]);
    await backend.topics.flush();
    expect(fileLines('news.jsonl').map((l) => l.Message)).toEqual(['after stop']);
  });

  it("stop() returns at its deadline while a flush waits on a webhook that never answers (the flush is left to the backend's close)", async () => {
    backend = open();
    hook = await startWebhookServer(() => 'hang', () => Date.now());
    const spec = app('flush', [topic('news', { subscribers: [{ file: 'news.jsonl' }, { webhook: `${hook.url}/hook`, timeout: '5m', attempts: 1 }] })]);
    engine = await startEngine({ backend, spec, executor, settings: { topicFlushMs: 200 } });
    await backend.topics.publish('news', { message: 'hello' });
    await until('the file line and the webhook request', () => fileLines('news.jsonl').length === 1 && hook!.requests.length === 1);
    const t0 = Date.now();
    await engine.stop({ deadlineMs: 500 });
    engine = undefined;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});
