// Entry of a function worker thread: registers tsx (ESM and CommonJS hooks) so handler modules
// written in TypeScript load without a build step, as bin/baton.mjs does for the CLI, then starts
// the worker proper (worker/main.ts).
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
await import('./worker/main.ts');
