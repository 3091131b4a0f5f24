/**
 * `baton synth [--out DIR]`: the app as a CloudFormation stack (BatonApp, src/cdk), written as
 * `cdk synth` writes it: DIR/<stack>.template.json, manifest.json and one asset folder per bundled
 * function. Needs no AWS account, credentials or network. The config's named export `maps` (if
 * any) deploys as Step Functions Distributed Maps. Prints the template's path and the
 * synth notes (what deploys differently from local, and what to set after deploy).
 */
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import type { Command } from 'commander';
import { DefinitionError } from '../../core/errors.ts';
import type { MapDeployment, SynthOptions, SynthResult } from '../../cdk/index.ts';
import { configFileName, loadConfig } from '../load-config.ts';
import { printValue } from '../output.ts';

export interface SynthFlags {
  out: string;
  prefix?: string;
  stack?: string;
  runtime?: string;
  omitFileSubscribers?: boolean;
  raiseVisibility?: boolean;
}

/** Loads aws-cdk-lib only when synthesizing, with the install command when it is missing. */
async function loadCdk(): Promise<typeof import('../../cdk/index.ts')> {
  try {
    return await import('../../cdk/index.ts');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /aws-cdk-lib|constructs|esbuild/.test(String((err as Error).message))) {
      throw new DefinitionError('baton synth needs aws-cdk-lib, constructs and esbuild.', { action: 'Install them: npm i -D aws-cdk-lib constructs esbuild', cause: err });
    }
    throw err;
  }
}

/**
 * The maps to deploy as Step Functions Distributed Maps: the config's named export `maps`, read
 * only when the file has one (tsx loads a .mts copy, as the config loader does, so a CommonJS
 * project's config loads too).
 */
async function loadMaps(file: string): Promise<MapDeployment[]> {
  if (!existsSync(file) || !/export\s+(const|let|var)\s+maps\b|export\s*\{[^}]*\bmaps\b/.test(readFileSync(file, 'utf8'))) return [];
  const copy = join(dirname(file), `.${basename(file).replace(/\.[cm]?ts$/, '')}.maps.${process.pid}.${Date.now()}.mts`);
  let mod: { maps?: unknown };
  try {
    copyFileSync(file, copy);
    mod = (await tsImport(pathToFileURL(copy).href, import.meta.url)) as { maps?: unknown };
  } finally {
    rmSync(copy, { force: true });
  }
  if (mod.maps === undefined) return [];
  if (!Array.isArray(mod.maps)) throw new DefinitionError(`${file}: its export "maps" is not an array.`, { action: 'Export the maps to deploy as `export const maps: MapDeployment[] = [{ name, fn, source, ... }]`.' });
  return mod.maps as MapDeployment[];
}

export async function runSynth(configPath: string | undefined, flags: SynthFlags): Promise<SynthResult> {
  const spec = await loadConfig(configPath);
  const configFile = resolve(configPath ?? configFileName);
  const maps = await loadMaps(configFile);
  const { synthesize } = await loadCdk();
  if (flags.runtime !== undefined && flags.runtime !== 'nodejs20.x' && flags.runtime !== 'nodejs22.x') {
    throw new DefinitionError(`--runtime ${JSON.stringify(flags.runtime)} is not a Lambda Node runtime Baton bundles for.`, { action: 'Use nodejs20.x or nodejs22.x.' });
  }
  const prefix = flags.prefix ?? process.env.BATON_AWS_PREFIX;
  const options: SynthOptions = {
    out: flags.out,
    // A routing rule is a function of the config file: the routed function's Lambda imports it from there.
    configFile,
    ...(maps.length ? { maps } : {}),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(flags.stack !== undefined ? { stackName: flags.stack } : {}),
    ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
    ...(flags.omitFileSubscribers ? { fileSubscribers: 'omit' as const } : {}),
    ...(flags.raiseVisibility ? { raiseVisibility: true } : {}),
  };
  return synthesize(spec, options);
}

export function synthOptions(cmd: Command): Command {
  return cmd
    .option('-o, --out <dir>', 'where the cloud assembly goes', 'cdk.out')
    .option('--prefix <prefix>', "physical-name prefix (default $BATON_AWS_PREFIX, else '<app>-')")
    .option('--stack <name>', "the stack's name (default: the app's name)")
    .option('--runtime <runtime>', 'nodejs20.x or nodejs22.x (default nodejs22.x)')
    .option('--omit-file-subscribers', "deploy topics without their file subscribers (which AWS cannot have) instead of failing")
    .option('--raise-visibility', "raise a queue's visibility timeout to the timeout of the function it triggers instead of failing");
}

export function printSynth(result: SynthResult, json: boolean): void {
  if (json) return printValue(result, true);
  console.log(`synthesized stack "${result.stackName}" in ${result.ms} ms: ${result.template}`);
  if (result.notes.length) {
    console.log('notes:');
    for (const n of result.notes) console.log(`  - ${n}`);
  }
}

export function registerSynth(program: Command): void {
  synthOptions(program.command('synth').description('write the app as a CloudFormation stack (CDK cloud assembly), no AWS account needed')).action(async (flags: SynthFlags, cmd: Command) => {
    const globals = cmd.optsWithGlobals<{ config?: string; json?: boolean }>();
    printSynth(await runSynth(globals.config, flags), globals.json ?? false);
  });
}
