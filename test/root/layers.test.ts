import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

function importing(dirs: string[], pattern: RegExp): string[] {
  return dirs.flatMap((d) => files(join(src, d))).filter((f) => pattern.test(readFileSync(f, 'utf8')));
}

// The same checks as eslint's no-restricted-imports in eslint.config.js (and `npm run lint:layers`).
describe('layers', () => {
  it('runtime, data, cli and the dashboard import no backend', () => {
    expect(importing(['runtime', 'data', 'cli', 'dashboard'], /from '(\.\.\/)+backends\//)).toEqual([]);
  });

  it('backends import each other never: aws not local, local not aws, shared neither', () => {
    expect(importing(['backends/aws'], /from '(\.\.\/)+(backends\/)?local\//)).toEqual([]);
    expect(importing(['backends/local'], /from '(\.\.\/)+(backends\/)?aws\//)).toEqual([]);
    expect(importing(['backends/shared'], /from '(\.\.\/)+(backends\/)?(local|aws)\//)).toEqual([]);
  });

  it('core imports nothing outside core', () => {
    expect(importing(['core'], /from '(\.\.\/)+(ports|runtime|data|cli|backends|root)\//)).toEqual([]);
  });
});
