import { configDefaults, defineConfig } from 'vitest/config';

// 'baton-source': inside this repo, `import ... from 'baton'` (examples, fixtures) resolves to
// src/*.ts rather than the built dist/ that the package's exports give its users. Tests resolve
// through Vite, handler workers and child processes through Node (NODE_OPTIONS, as bin/baton.mjs).
const sourceCondition = '--conditions=baton-source';
const nodeOptions = process.env.NODE_OPTIONS ?? '';
/** Vite's default server conditions after ours, less 'module': with it Vite loads @aws-sdk/core's dist-es build, whose extensionless imports Node cannot resolve. */
const conditions = ['baton-source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    // The full chaos suite runs alone (npm run chaos, vitest.chaos.config.ts); test/chaos/short.test.ts stays here.
    exclude: [...configDefaults.exclude, 'test/chaos/**/*.chaos.test.ts'],
    globalSetup: ['test/servers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // The AWS SDK warns once per process and worker on Node 20 that its 2027 releases need Node 22:
    // true, and said in the README; in test output it only buries what failed.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: nodeOptions.includes(sourceCondition) ? nodeOptions : `${nodeOptions} ${sourceCondition}`.trim() },
  },
});
