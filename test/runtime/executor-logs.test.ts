import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { truncateUtf8 } from '../../src/core/truncate.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/handlers');
const live: string[] = [];
const executor = createFunctionExecutor({ root, maxLogRecords: 50, onLog: (fnName, requestId, record) => live.push(`${fnName} ${requestId} ${record.message}`) });
afterAll(() => executor.close());

const logsFn = fn('logs', './logs.ts', { timeout: 3000, concurrency: 2 }).config;

describe('function executor: logs', () => {
  it('captures console output per invocation with levels, and the cold start lines once', async () => {
    const first = await executor.invoke(logsFn, { tag: 'a' });
    expect(first.status).toBe('ok');
    expect(first.logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'cold start line'],
      ['info', 'start a'],
      ['info', 'info 1'],
      ['warn', 'careful'],
      ['error', 'bad logged error'],
      ['debug', 'details'],
      ['info', '{"level":"info","msg":"structured","tag":"a","rows":3}'],
    ]);
    for (const l of first.logs) expect(l.time).toBeGreaterThan(Date.now() - 60_000);
    expect(live.slice(0, 2)).toEqual([`logs ${first.requestId} cold start line`, `logs ${first.requestId} start a`]);
    const second = await executor.invoke(logsFn, { tag: 'b' });
    expect(second.logs[0]?.message).toBe('start b');
  });

  it('keeps the logs of concurrent invocations apart', async () => {
    const [a, b] = await Promise.all([executor.invoke(logsFn, { tag: 'x', many: 20 }), executor.invoke(logsFn, { tag: 'y', many: 20 })]);
    expect(a?.logs.filter((l) => l.message.startsWith('start')).map((l) => l.message)).toEqual(['start x']);
    expect(b?.logs.filter((l) => l.message.startsWith('start')).map((l) => l.message)).toEqual(['start y']);
    expect(a?.logs.filter((l) => l.message.startsWith('line ')).length).toBe(20);
  });

  it('cuts a long line to 1 KiB with a marker, so an event is never dumped whole', async () => {
    const inv = await executor.invoke(logsFn, { big: 50_000 });
    const line = inv.logs.find((l) => l.message.startsWith('event:'));
    expect(line).toBeDefined();
    const total = Buffer.byteLength(`event: ${'x'.repeat(50_000)}`);
    expect(line!.message).toBe(`event: ${'x'.repeat(1024 - 7)}…[truncated ${total - 1024} bytes]`);
  });

  it('keeps at most maxLogRecords lines per invocation and counts the rest', async () => {
    const inv = await executor.invoke(logsFn, { many: 500 });
    expect(inv.logs).toHaveLength(51);
    expect(inv.logs.at(-1)).toMatchObject({ level: 'warn' });
    expect(inv.logs.at(-1)?.message).toMatch(/^…\[456 more log lines dropped: at most 50 are kept per invocation\]$/);
  });
});

describe('truncateUtf8', () => {
  it('never splits a character and reports the bytes cut', () => {
    expect(truncateUtf8('short', 10)).toBe('short');
    const s = 'é'.repeat(10); // 20 bytes
    expect(truncateUtf8(s, 5)).toBe(`éé…[truncated 16 bytes]`);
  });
});
