import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fn } from '../../src/core/resources/fn.ts';
import { createFunctionExecutor } from '../../src/runtime/executor/index.ts';

// Root two levels up, so the handler's module is test/fixtures/handlers/env.ts from the task root,
// as a Lambda package whose handlers sit in a folder.
const root = fileURLToPath(new URL('../fixtures', import.meta.url));
const executor = createFunctionExecutor({ root });
afterAll(() => executor.close());

describe("a handler's environment is Lambda's", () => {
  it('sets AWS_REGION and AWS_DEFAULT_REGION to a real region, and _HANDLER as Lambda writes it', async () => {
    const f = fn('env-fn', './handlers/env.ts', { timeout: 2000 }).config;
    const inv = await executor.invoke(f, { names: ['AWS_REGION', 'AWS_DEFAULT_REGION', '_HANDLER', 'LAMBDA_TASK_ROOT'] });
    expect(inv.result).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', _HANDLER: 'handlers/env.handler', LAMBDA_TASK_ROOT: join(root) });
  });

  it("names the context's function ARN in that region", async () => {
    const f = fn('ctx-fn', './handlers/context.ts', { timeout: 2000 }).config;
    const inv = await executor.invoke(f, {});
    expect(JSON.stringify(inv.result)).toContain('arn:aws:lambda:us-east-1:000000000000:function:ctx-fn');
  });
});
