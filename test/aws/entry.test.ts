import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Imports `entry` (a subpath of the package, by its own name, as a user imports it) in a fresh
 * process, runs `use`, and reports whether better-sqlite3 was loaded (it is CommonJS, so once
 * loaded it is in the require cache, however it was imported).
 */
async function loadsSqlite(entry: string, use: string): Promise<boolean> {
  const probe = `import { createRequire } from 'node:module';
    const mod = await import(${JSON.stringify(entry)});
    ${use}
    console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('better-sqlite3'))));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', probe], { cwd: repo });
  return JSON.parse(stdout.trim().split('\n').pop()!) as boolean;
}

// The aws backend shares its rules with local through src/backends/shared, never by importing
// local, so a Lambda bundle of 'baton/aws' carries no SQLite (eslint forbids the import too).
describe("'baton/aws'", { timeout: 60_000 }, () => {
  it('loads no better-sqlite3, imported or opened', async () => {
    expect(await loadsSqlite('baton/aws', "const b = mod.openAws({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' }); await b.close();")).toBe(false);
  });

  it("while 'baton/local' does (so the probe sees it when it is there)", async () => {
    expect(await loadsSqlite('baton/local', '')).toBe(true);
  });
});
