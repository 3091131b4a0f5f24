import { defineConfig } from 'vitest/config';

// `npm run chaos`: the chaos suite (test/chaos/*.chaos.test.ts) alone, one worker: it starts and
// SIGKILLs engine processes itself (through bin/baton.mjs, which sets the 'baton-source'
// condition for them), and its timings are part of what it reports. No AWS test servers.
const sourceCondition = '--conditions=baton-source';
const nodeOptions = process.env.NODE_OPTIONS ?? '';
const conditions = ['baton-source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/chaos/**/*.chaos.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: nodeOptions.includes(sourceCondition) ? nodeOptions : `${nodeOptions} ${sourceCondition}`.trim() },
  },
});
