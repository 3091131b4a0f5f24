import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fn, app, queue, table } from '../../src/index.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';
import { provision } from '../../src/runtime/provision.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

const fixtures = fileURLToPath(new URL('../fixtures/handlers/', import.meta.url));
let t: TestBackend | undefined;
afterEach(async () => t?.close());

describe('connect() inside a handler', () => {
  it('reaches the same backend the runtime runs on, SecureString key included', async () => {
    t = makeLocalBackend();
    const spec = app('connect', [queue('in'), table('seen', { partitionKey: 'id' }), fn('put', './connect-put.ts', { timeout: '20s' })]);
    await provision(t.backend, spec);
    await t.backend.params.put('/app/token', { value: 's3cr3t', type: 'SecureString' });
    const executor = createFunctionExecutor({ root: fixtures, baseEnv: { ...process.env, ...t.backend.handlerEnv } });
    try {
      const event = { Records: [{ messageId: 'm1', body: 'hello' }, { messageId: 'm2', body: 'world' }] };
      const inv = await executor.invoke(spec.fns[0]!, event);
      expect(inv.error).toBeUndefined();
      expect(inv.result).toEqual({ written: 2 });
      expect(await t.backend.tables.get('seen', { id: 'm2' })).toEqual({ id: 'm2', body: 'world' });
    } finally {
      await executor.close();
    }
  });

  it('is described to handlers by the backend', () => {
    t = makeLocalBackend();
    expect(t.backend.handlerEnv).toMatchObject({ BATON_BACKEND: 'local', BATON_DIR: t.dir });
  });
});
