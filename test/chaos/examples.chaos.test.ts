// `npm run chaos`: every example (csv-pipeline, fanout, relay-poller, clickstream) and two engines
// on one state, each with its engine SIGKILLed at random moments (seeded, printed), restarted,
// settled and checked; a table and one JSON line per example at the end. Not part of `vitest run`
// (vitest.config.ts leaves *.chaos.test.ts out); short.test.ts is its short version there.
import { chaosSuite } from './suite.ts';

chaosSuite('chaos', { kills: 6, scale: 'full', command: 'npm run chaos', timeoutMs: 900_000 });
