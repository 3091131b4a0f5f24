/**
 * Opens an example's app for its demo on the backend the DemoContext chooses (local by default,
 * in the demo's state directory; aws with the context's options, topic files written to that same
 * directory), and the backend the demo's own calls go through (ctx.wrapBackend's, else the app's).
 */
import type { AppSpec } from '../core/app.ts';
import type { Backend } from '../ports/backend.ts';
import type { DemoContext } from '../runtime/demo.ts';
import { openApp, type App, type OpenAppOptions } from './open-app.ts';

export function demoAppOptions(ctx: DemoContext): OpenAppOptions {
  if ((ctx.backend ?? 'local') === 'local') return { backend: 'local', local: { dir: ctx.dir } };
  return { backend: 'aws', aws: { filesDir: ctx.dir, ...ctx.aws } };
}

export async function openDemoApp(spec: AppSpec, ctx: DemoContext): Promise<{ app: App; backend: Backend }> {
  const app = await openApp(spec, demoAppOptions(ctx));
  return { app, backend: ctx.wrapBackend ? ctx.wrapBackend(app.backend) : app.backend };
}
