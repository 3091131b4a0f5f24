// Entry of a container child process: registers tsx (ESM and CommonJS hooks) so handler modules
// written in TypeScript load without a build step, as the function executor's worker-entry.mjs
// does, then starts the child proper (child-main.ts).
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
await import('./child-main.ts');
