import type { Command } from 'commander';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatDuration } from '../../core/duration.ts';
import type { DemoContext, DemoResult } from '../../runtime/demo.ts';

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples');

function available(): string[] {
  if (!existsSync(examplesDir)) return [];
  return readdirSync(examplesDir).filter((d) => existsSync(join(examplesDir, d, 'demo.ts'))).sort();
}

/** Runs one example's demo in a fresh state directory; returns whether its checks held. */
async function runOne(name: string, small: boolean): Promise<boolean> {
  const dir = resolve('.baton', 'demo', name);
  rmSync(dir, { recursive: true, force: true });
  const ctx: DemoContext = { dir, small, log: (line) => console.log(`  ${line}`) };
  console.log(`${name}:`);
  const started = performance.now();
  let result: DemoResult;
  try {
    const mod = (await import(pathToFileURL(join(examplesDir, name, 'demo.ts')).href)) as { default: (c: DemoContext) => Promise<DemoResult> };
    result = await mod.default(ctx);
  } catch (err) {
    result = { summary: '', failures: [`it threw: ${(err as Error).stack ?? String(err)}`] };
  }
  const took = formatDuration(performance.now() - started);
  if (result.failures.length === 0) {
    console.log(`${name}: ok ${result.summary} in ${took}`);
    return true;
  }
  console.log(`${name}: FAILED ${result.failures.join('; ')}`);
  return false;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the example pipelines on the embedded backend and check their outcome')
    .argument('[names...]', `examples to run (default: all): ${available().join(', ')}`)
    .option('--small', 'the small sizes the tests use')
    .action(async (names: string[], o: { small?: boolean }) => {
      const all = available();
      const chosen = names.length ? names : all;
      const unknown = chosen.filter((n) => !all.includes(n));
      if (unknown.length) {
        console.error(`unknown example(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      let ok = true;
      for (const name of chosen) ok = (await runOne(name, o.small ?? false)) && ok;
      if (!ok) process.exitCode = 1;
    });
}
