// Entry of a function worker thread. A TypeScript handler is compiled once (compile-cache.mjs,
// cached by content) together with the worker's runtime, and the thread imports plain JavaScript:
// no module loader, so no loader thread per worker. Any other handler (.js, .mjs, .cjs), or a
// machine where the compiler cannot run, goes the way it always went: tsx is registered (ESM and
// CommonJS hooks), as bin/baton.mjs does for the CLI, then the worker proper starts (worker/main.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import { compileWorker, isTypeScriptModule } from './compile-cache.mjs';

// Baton's own sources (a checkout) or its compiled files (the installed package).
const ext = existsSync(fileURLToPath(new URL('./worker/main.ts', import.meta.url))) ? '.ts' : '.js';
// The composition root's handler side (src/root/handler-side.ts): how job() reaches the job store of
// whichever backend started the relay. An entry is where a process is assembled, like bin/baton.mjs,
// so it, and not the runtime, names the root. It loads before the handler.
const runtimeFiles = [fileURLToPath(new URL(`../../root/handler-side${ext}`, import.meta.url)), fileURLToPath(new URL(`./worker/main${ext}`, import.meta.url))];

/** The compiled runtime and how it gets the handler, or undefined to load through tsx. */
async function compiled() {
  const { moduleUrl } = workerData;
  if (!isTypeScriptModule(moduleUrl)) return undefined;
  try {
    const out = await compileWorker(moduleUrl, runtimeFiles);
    return { runtimeUrl: out.runtimeUrl, importHandler: () => import(out.handlerUrl) };
  } catch (err) {
    if (err?.compilerUnavailable) return undefined;
    // The handler does not compile (or is missing): the runtime alone reports that as the init error.
    const runtime = await compileWorker(undefined, runtimeFiles).catch(() => undefined);
    return runtime && { runtimeUrl: runtime.runtimeUrl, importHandler: () => Promise.reject(err) };
  }
}

const plan = await compiled();
if (plan) {
  // Stack traces name the TypeScript files and lines (the bundle has linked source maps), as under tsx.
  process.setSourceMapsEnabled(true);
  const { main } = await import(plan.runtimeUrl);
  await main(plan.importHandler);
} else {
  const { register } = await import('tsx/esm/api');
  const { register: registerCjs } = await import('tsx/cjs/api');
  register();
  registerCjs();
  await import('../../root/handler-side.ts');
  const { main } = await import('./worker/main.ts');
  await main();
}
