// Entry of a container child process: registers tsx (ESM and CommonJS hooks) so handler modules
// written in TypeScript load without a build step, as the function executor's worker-entry.mjs
// does, then starts the child proper (child-main.ts).
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
// The composition root's handler side (src/root/handler-side.ts): how job() reaches the job store of
// whichever backend started the relay. An entry is where a process is assembled, like bin/baton.mjs,
// so it, and not the runtime, names the root.
await import('../../root/handler-side.ts');
await import('./child-main.ts');
