/**
 * `baton init [dir]`: starts a project, in an existing one (say, made by `npm init -y`) or a new
 * directory. Writes the files of templates/index.ts that are not there yet (never overwriting one),
 * adds the scripts package.json lacks, and says what to install. Works whatever the project's
 * module type: the config loads as ESM either way (load-config.ts).
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError } from '../../core/errors.ts';
import { devPackages, scripts, templates } from '../templates/index.ts';

export interface InitReport {
  dir: string;
  written: string[];
  kept: string[];
  scriptsAdded: string[];
  missingPackages: string[];
  /** package.json's "type" was set to "module". */
  madeEsm: boolean;
}

/** An app name from a package or directory name: lower-case letters, digits and dashes. */
function appName(raw: string): string {
  const name = raw.replace(/^@[^/]+\//, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(name) ? name : `app-${name || 'baton'}`;
}

export function init(target: string): InitReport {
  const dir = resolve(target);
  mkdirSync(dir, { recursive: true });
  const pkgPath = join(dir, 'package.json');
  let pkg: Record<string, unknown> = {};
  if (existsSync(pkgPath)) {
    try {
      pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ValidationError(`${pkgPath} is not valid JSON: ${(err as Error).message}.`, { action: 'Fix it, then run baton init again.' });
    }
  } else {
    pkg = { name: appName(basename(dir)), version: '0.1.0', private: true };
  }
  const name = appName(typeof pkg.name === 'string' ? pkg.name : basename(dir));

  const written: string[] = [];
  const kept: string[] = [];
  for (const t of templates(name)) {
    const file = join(dir, t.path);
    if (existsSync(file)) {
      kept.push(t.path);
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, t.text);
    written.push(t.path);
  }
  const gitignore = join(dir, '.gitignore');
  const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  const lines = ['node_modules/', '.baton/'].filter((l) => !ignored.split(/\r?\n/).includes(l));
  if (lines.length) writeFileSync(gitignore, `${ignored}${ignored && !ignored.endsWith('\n') ? '\n' : ''}${lines.join('\n')}\n`);

  const current = (typeof pkg.scripts === 'object' && pkg.scripts !== null ? pkg.scripts : {}) as Record<string, string>;
  const scriptsAdded: string[] = [];
  for (const [k, v] of Object.entries(scripts)) {
    // npm init -y writes a placeholder test script that only fails: that one is replaced.
    if (current[k] === undefined || (k === 'test' && /no test specified/.test(current[k]))) {
      current[k] = v;
      scriptsAdded.push(k);
    }
  }
  pkg.scripts = current;
  // Handlers import Baton, an ES module with top-level await, which require() cannot load; .ts
  // files follow the package's type (as .js files on Lambda do), so the project becomes ESM.
  const madeEsm = pkg.type !== 'module';
  if (madeEsm) pkg.type = 'module';
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);

  const declared = { ...(pkg.dependencies as object | undefined), ...(pkg.devDependencies as object | undefined) };
  const missingPackages = devPackages.filter((p) => !(p in declared) && !existsSync(join(dir, 'node_modules', p, 'package.json')));
  return { dir, written, kept, scriptsAdded, missingPackages, madeEsm };
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .argument('[dir]', 'the project directory (created if missing)', '.')
    .description('start a project: baton.config.ts (bucket -> queue -> fn -> table -> stream -> fn), its handlers, a test, tsconfig.json and npm scripts; never overwrites a file')
    .action((dir: string, _o: unknown, cmd: Command) => {
      const report = init(dir);
      if (cmd.optsWithGlobals<{ json?: boolean }>().json) return console.log(JSON.stringify(report));
      console.log(`baton init: ${report.dir}`);
      for (const f of report.written) console.log(`  wrote  ${f}`);
      for (const f of report.kept) console.log(`  kept   ${f} (already there)`);
      if (report.madeEsm) console.log('  package.json "type": "module" (handlers import Baton, an ES module)');
      if (report.scriptsAdded.length) console.log(`  package.json scripts: ${report.scriptsAdded.join(', ')}`);
      console.log('next:');
      if (report.missingPackages.length) console.log(`  npm install -D ${report.missingPackages.join(' ')}`);
      console.log('  npx baton dev                                # run it; Ctrl-C to stop');
      console.log('  npx baton objects put uploads incoming/orders.json orders.sample.json');
      console.log(`  npx baton tables get totals '{"customer":"ada"}'   # or: npm test`);
    });
}
