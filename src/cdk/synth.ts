/**
 * Synthesizes one app alone, as `baton synth` does: a CDK App with one stack holding a BatonApp,
 * written to `out` as `cdk synth` would (<stack>.template.json, manifest.json, asset folders).
 * Needs no AWS account or network: the stack is environment-agnostic.
 */
import { App, Stack } from 'aws-cdk-lib';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatonApp } from './app.ts';
import type { BatonAppProps } from './props.ts';

export interface SynthOptions extends Omit<BatonAppProps, 'config'> {
  /** @defaultValue 'cdk.out' */
  out?: string;
  /** @defaultValue the app's name, in the characters stack names take */
  stackName?: string;
}

export interface SynthResult {
  stackName: string;
  template: string;
  out: string;
  notes: readonly string[];
  /** Docker image assets in the stack (container executors): `cdk deploy` builds them with Docker. */
  images: number;
  ms: number;
}

export function stackNameOf(app: string): string {
  const name = app.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^[^A-Za-z]+/, '');
  return name === '' ? 'baton-app' : name.slice(0, 128);
}

export function synthesize(config: BatonAppProps['config'], options: SynthOptions = {}): SynthResult {
  const started = Date.now();
  const { out = 'cdk.out', stackName = stackNameOf(config.name), ...props } = options;
  const app = new App({ outdir: out });
  const stack = new Stack(app, stackName, { description: `Baton app "${config.name}" (baton synth)` });
  const baton = new BatonApp(stack, 'App', { config, ...props });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  // The default synthesizer lists assets in <stack>.assets.json, Docker images under dockerImages.
  const manifest = join(assembly.directory, `${artifact.stackName}.assets.json`);
  const images = existsSync(manifest) ? Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { dockerImages?: object }).dockerImages ?? {}).length : 0;
  return { stackName: stack.stackName, template: join(assembly.directory, artifact.templateFile), out: assembly.directory, notes: baton.notes, images, ms: Date.now() - started };
}
