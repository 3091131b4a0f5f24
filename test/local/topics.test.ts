import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalContext } from '../../src/backends/local/context.ts';
import { LocalTopicStore } from '../../src/backends/local/topics/store.ts';
import { defaults } from '../../src/core/defaults.ts';
import { FakeClock } from '../../src/testing/fake-clock.ts';
import { runTopicConformance } from '../conformance/topics.ts';
import { drive } from '../helpers/drive.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';
import { startWebhookServer, type WebhookServer } from '../helpers/webhook-server.ts';

runTopicConformance('local', () => makeLocalBackend());

describe('local topic store: crashes and restarts', () => {
  let t: TestBackend;
  let dir: string;
  let hook: WebhookServer | undefined;

  beforeEach(() => {
    t = makeLocalBackend();
    dir = mkdtempSync(join(tmpdir(), 'baton-topics-local-'));
  });
  afterEach(async () => {
    await drive(t.clock, t.backend.topics.flush());
    await t.close();
    await hook?.close();
    hook = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A second store on the same database whose clock never moves: it stands for a process that
   * published, made one failed attempt, and died while waiting to retry.
   */
  function doomedProcess(): { store: LocalTopicStore; clock: FakeClock } {
    const clock = new FakeClock(t.clock.now());
    const ctx: LocalContext = { ...t.backend.context, clock };
    return { store: new LocalTopicStore(ctx), clock };
  }

  it('a pending delivery left by a dead process survives the restart and is delivered by flush once its lease passes', async () => {
    hook = await startWebhookServer((n) => (n === 1 ? 500 : 200), () => t.clock.now());
    await t.backend.topics.declare({ name: 'hooks', subscribers: [{ kind: 'webhook', url: hook.url, attempts: 5, backoffMs: 60_000, timeoutMs: 1000 }] });
    const dead = doomedProcess();
    const { messageId } = await dead.store.publish('hooks', { message: 'survivor' });
    // Wait (real time, briefly) for the dead process's first attempt to fail and its backoff to start.
    for (let i = 0; i < 500 && dead.clock.pending === 0; i++) await new Promise<void>((r) => setTimeout(r, 2));
    expect(dead.clock.pending).toBe(1);
    expect(await t.backend.topics.deliveries('hooks')).toMatchObject([{ status: 'pending', attempts: 1, lastError: expect.stringContaining('HTTP 500') }]);

    const backend = await t.reopen();
    // Still leased to the dead process (backoff + timeout + margin): a flush now leaves it alone.
    await backend.topics.flush();
    expect(hook.requests).toHaveLength(1);
    expect(await backend.topics.deliveries('hooks')).toMatchObject([{ status: 'pending', attempts: 1 }]);

    await t.clock.advance(60_000 + 1000 + defaults.topics.leaseMarginMs);
    await drive(t.clock, backend.topics.flush());
    expect(hook.requests).toHaveLength(2);
    expect(JSON.parse(hook.requests[1]!.body)).toMatchObject({ MessageId: messageId, Message: 'survivor' });
    expect(await backend.topics.deliveries('hooks')).toMatchObject([{ status: 'delivered', attempts: 2 }]);
  });

  it('a delivery whose lease has passed is resumed when the state is opened', async () => {
    const path = join(dir, 'out.jsonl');
    await t.backend.topics.declare({ name: 'events', subscribers: [{ kind: 'file', path }] });
    // Simulate a crash between the publish commit and the append: a pending row nobody holds.
    const { messageId } = await t.backend.topics.publish('events', { message: 'before the crash' });
    await drive(t.clock, t.backend.topics.flush());
    t.backend.context.db.prepare("UPDATE topic_deliveries SET status = 'pending', attempts = 0, lease_until = 0").run();
    rmSync(path);

    const backend = await t.reopen();
    // reopen closed the old store (flushing nothing: the row was rewritten after) and the new one
    // started the delivery on open; flush waits for it.
    await drive(t.clock, backend.topics.flush());
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { MessageId: string }).MessageId)).toEqual([messageId]);
    expect(await backend.topics.deliveries('events')).toMatchObject([{ status: 'delivered', attempts: 1 }]);
  });

  it('stop() ends deliveries under way without counting them; they stay pending and the next open resumes them at once', async () => {
    let stopped = false;
    hook = await startWebhookServer((_n, url) => (stopped ? 200 : url.endsWith('?retrying') ? 500 : 'hang'), () => t.clock.now());
    await t.backend.topics.declare({
      name: 'hooks',
      subscribers: [
        { kind: 'webhook', url: `${hook.url}?retrying`, attempts: 5, backoffMs: 60_000 },
        { kind: 'webhook', url: `${hook.url}?hanging`, attempts: 5, timeoutMs: 60_000 },
      ],
    });
    await t.backend.topics.publish('hooks', { message: 'interrupted' });
    // One delivery fails its first attempt and waits 60 s to retry; the other waits on a request.
    for (let i = 0; i < 500 && (t.clock.pending === 0 || hook.requests.length < 2); i++) await new Promise<void>((r) => setTimeout(r, 2));
    expect(hook.requests).toHaveLength(2);

    const store = t.backend.topics as LocalTopicStore;
    await store.stop();
    expect((await store.deliveries('hooks')).map((d) => [d.status, d.attempts])).toEqual([['pending', 1], ['pending', 0]]);

    stopped = true;
    const backend = await t.reopen();
    await drive(t.clock, backend.topics.flush());
    expect((await backend.topics.deliveries('hooks')).map((d) => [d.status, d.attempts])).toEqual([['delivered', 2], ['delivered', 1]]);
    expect(t.clock.now()).toBeLessThan(Date.UTC(2026, 0, 1) + 60_000);
  });

  it('a file outbox that cannot be written is retried, then failed with the error', async () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    await t.backend.topics.declare({ name: 'events', subscribers: [{ kind: 'file', path }] });
    await t.backend.topics.publish('events', { message: 'nowhere to go' });
    await drive(t.clock, t.backend.topics.flush());
    const [status] = await t.backend.topics.deliveries('events');
    expect(status).toMatchObject({ status: 'failed', attempts: defaults.topics.fileAttempts });
    expect(status!.lastError).toContain('EISDIR');
  });

  it('finished deliveries older than the retention are pruned on open; pending ones are kept', async () => {
    const path = join(dir, 'out.jsonl');
    await t.backend.topics.declare({ name: 'events', subscribers: [{ kind: 'file', path }] });
    await t.backend.topics.publish('events', { message: 'old' });
    await drive(t.clock, t.backend.topics.flush());
    await t.clock.advance(defaults.topics.deliveryRetentionMs + 1);
    await t.backend.topics.publish('events', { message: 'new' });
    await drive(t.clock, t.backend.topics.flush());
    const backend = await t.reopen();
    expect(await backend.topics.deliveries('events')).toHaveLength(1);
    const messages = backend.context.db.prepare('SELECT count(*) AS n FROM topic_messages').get() as { n: number };
    expect(messages.n).toBe(1);
  });
});
