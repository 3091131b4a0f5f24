// The chaos suite's short version, in the normal test run: two engines on one state and the
// csv-pipeline (queues, bucket events, a table stream, the DLQ and the split of poison rows), side
// by side (their waits are leases and visibility timeouts running out, not work), 2 kills each
// with short lives (none outlasts a lease). `npm run chaos` runs every example with more kills;
// CHAOS_ONLY, CHAOS_KILLS and CHAOS_SEED apply here too (suite.ts).
import { chaosSuite } from './suite.ts';

chaosSuite('chaos, short', { kills: 2, scale: 'short', life: [800, 3000], long: false, examples: ['two-engines', 'csv-pipeline'], parallel: true, command: 'npx vitest run test/chaos/short.test.ts', timeoutMs: 240_000 });
