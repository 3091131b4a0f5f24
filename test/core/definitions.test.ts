import { describe, expect, it } from 'vitest';
import { app, bucket, params, queue, table, topic } from '../../src/index.ts';
import { DefinitionError } from '../../src/core/errors.ts';

describe('queue()', () => {
  it('resolves human durations and sizes and applies defaults', () => {
    const q = queue('orders', { visibilityTimeout: '2m', maxMessageSize: '512KiB', deadLetter: { maxReceiveCount: 3 } });
    expect(q.config).toEqual({
      name: 'orders',
      visibilityTimeoutMs: 120_000,
      retentionMs: 4 * 86_400_000,
      delayMs: 0,
      maxMessageSize: 524_288,
      deadLetter: { queue: 'orders-dlq', maxReceiveCount: 3 },
    });
  });

  it('names the resource, the field, the value and what is allowed', () => {
    expect(() => queue('orders', { visibilityTimeout: '30 parsecs' })).toThrow(
      /queue "orders" is invalid: field "visibilityTimeout" = "30 parsecs": expected a duration/,
    );
    expect(() => queue('orders', { maxMessageSize: '2MiB' })).toThrow(/field "maxMessageSize" = "2MiB": must be between 1 and 1048576 bytes/);
    expect(() => queue('orders', { deadLetter: { maxReceiveCount: 0 } })).toThrow(/field "deadLetter.maxReceiveCount" = 0/);
  });

  it('refuses unknown fields and wrong types', () => {
    expect(() => queue('orders', { visibility: '30s' } as never)).toThrow(/field "visibility" = "30s": unknown field; the fields allowed here are "visibilityTimeout", "retention"/);
    expect(() => queue('orders', { delay: true } as never)).toThrow(/field "delay" = true/);
  });

  it('refuses bad names', () => {
    expect(() => queue('no spaces please')).toThrow(DefinitionError);
    expect(() => queue('')).toThrow(/queue "": the name is invalid/);
  });
});

describe('bucket(), table(), topic(), params()', () => {
  it('validates bucket names like S3', () => {
    expect(() => bucket('Uploads')).toThrow(/bucket "Uploads": the name is invalid: bucket names are 3-63 characters/);
    expect(bucket('uploads', { notifications: [{ prefix: 'in/', suffix: '.csv', target: { queue: 'jobs' } }] }).config.notifications).toEqual([
      { events: ['created'], prefix: 'in/', suffix: '.csv', queue: 'jobs' },
    ]);
  });

  it('needs exactly one notification target', () => {
    expect(() => bucket('uploads', { notifications: [{ prefix: 'in/' }] } as never)).toThrow(/field "notifications.0.target" is missing: expected a target: a queue \{ queue: '<name>' \}, a function \{ fn: '<name>' \} or the queue\(\)\/fn\(\) declaration itself/);
  });

  it('resolves table keys and stream view types', () => {
    expect(table('orders', { partitionKey: 'id', sortKey: { name: 'ts', type: 'number' }, stream: true }).config).toEqual({
      name: 'orders',
      partitionKey: { name: 'id', type: 'string' },
      sortKey: { name: 'ts', type: 'number' },
      stream: { viewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(() => table('orders', { partitionKey: { name: 'id', type: 'date' } } as never)).toThrow(/table "orders" is invalid: field "partitionKey/);
  });

  it('resolves topic subscribers', () => {
    expect(topic('alerts', { subscribers: [{ queue: 'ops' }, { file: 'alerts.jsonl' }, { webhook: 'http://127.0.0.1:9/hook', attempts: 3, backoff: '2s' }] }).config.subscribers).toEqual([
      { kind: 'queue', queue: 'ops' },
      { kind: 'file', path: 'alerts.jsonl' },
      { kind: 'webhook', url: 'http://127.0.0.1:9/hook', attempts: 3, backoffMs: 2000 },
    ]);
    expect(() => topic('alerts', { subscribers: [{ webhook: 'ftp://x' }] })).toThrow(/topic "alerts" is invalid: field "subscribers.0/);
  });

  it('resolves parameter paths', () => {
    expect(params('/ingest', { initial: { cursor: '0', token: { value: 's3cr3t', type: 'SecureString' } } }).config.initial).toEqual([
      { name: '/ingest/cursor', value: '0', type: 'String' },
      { name: '/ingest/token', value: 's3cr3t', type: 'SecureString' },
    ]);
    expect(() => params('ingest')).toThrow(/params "ingest": the name is invalid/);
  });
});

describe('app()', () => {
  it('declares implied dead-letter queues', () => {
    const spec = app('shop', [queue('orders', { deadLetter: { maxReceiveCount: 2 } })]);
    expect(spec.queues.map((q) => q.name).sort()).toEqual(['orders', 'orders-dlq']);
    expect(spec.queues.find((q) => q.name === 'orders-dlq')!.retentionMs).toBe(14 * 86_400_000);
  });

  it('refuses references to undeclared resources, naming the field', () => {
    expect(() => app('shop', [bucket('uploads', { notifications: [{ target: { queue: 'nope' } }] })])).toThrow(
      /bucket "uploads": field "notifications.0.target.queue" names queue "nope", which is not declared/,
    );
    expect(() => app('shop', [topic('alerts', { subscribers: [{ queue: 'ops' }] })])).toThrow(/topic "alerts": field "subscribers.0.queue"/);
  });

  it('refuses duplicates and non-resources', () => {
    expect(() => app('shop', [queue('a'), queue('a')])).toThrow(/queue "a" is declared twice \(resources\[0\] and resources\[1\]\)/);
    expect(() => app('shop', [{ kind: 'lambda' } as never])).toThrow(/resources\[0\] is .* not a resource/);
    expect(() => app('shop', [queue('a', { deadLetter: { queue: 'a' } })])).toThrow(/names the queue itself/);
  });
});

describe('schedule()', () => {
  it('parses the expression and keeps the source', async () => {
    const { schedule } = await import('../../src/index.ts');
    const s = schedule('morning', { expression: 'cron(0/20 6-8 * * ? *)', timezone: 'Europe/Paris', target: { queue: 'q' } });
    expect(s.config).toMatchObject({ name: 'morning', source: 'cron(0/20 6-8 * * ? *)', timezone: 'Europe/Paris', catchUp: 'once', enabled: true });
    expect(s.config.expression.kind).toBe('cron');
  });

  it('names the schedule, the field and what is wrong', async () => {
    const { schedule } = await import('../../src/index.ts');
    expect(() => schedule('morning', { expression: 'cron(0 6 * * * *)' })).toThrow(/schedule "morning" is invalid: field "expression" = "cron\(0 6 \* \* \* \*\)": .*\?/);
    expect(() => schedule('morning', { expression: 'rate(5 minute)' })).toThrow(/schedule "morning" is invalid: field "expression"/);
    expect(() => schedule('morning', { expression: 'rate(5 minutes)', timezone: 'Mars/Olympus' })).toThrow(/field "timezone" = "Mars\/Olympus": expected an IANA time zone/);
  });

  it('checks that a target exists', async () => {
    const { schedule } = await import('../../src/index.ts');
    expect(() => app('shop', [schedule('tick', { expression: 'rate(1 hour)', target: { queue: 'nope' } })])).toThrow(/schedule "tick": field "target.queue" names queue "nope"/);
    expect(() => app('shop', [schedule('tick', { expression: 'rate(1 hour)', target: { fn: 'nope' } })])).toThrow(/schedule "tick": field "target.fn" names function "nope"/);
  });
});

describe('fn()', () => {
  it('applies Lambda defaults and resolves triggers', async () => {
    const { fn } = await import('../../src/index.ts');
    const f = fn('work', './handlers/work.ts', { timeout: '30s', triggers: [{ queue: 'jobs', batchSize: 5 }] });
    expect(f.config).toMatchObject({ name: 'work', module: './handlers/work.ts', handler: 'handler', timeoutMs: 30_000, retries: 2, executor: 'function' });
    expect(f.config.triggers).toEqual([{ kind: 'queue', queue: 'jobs', batchSize: 5, batchingWindowMs: 0, maxConcurrency: 4, reportBatchItemFailures: true }]);
    expect(() => fn('work', './w.ts', { timeout: '16m' })).toThrow(/fn "work" is invalid: field "timeout" = "16m": must be between 1 ms and 900000 ms/);
  });

  it('checks trigger sources exist and tables have streams', async () => {
    const { fn } = await import('../../src/index.ts');
    expect(() => app('shop', [fn('work', './w.ts', { triggers: [{ queue: 'jobs' }] })])).toThrow(/fn "work": field "triggers.0.queue" names queue "jobs"/);
    expect(() => app('shop', [table('t', { partitionKey: 'id' }), fn('work', './w.ts', { triggers: [{ table: 't' }] })])).toThrow(/names table "t", which has no stream/);
  });
});
