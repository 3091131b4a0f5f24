import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../fixtures/container/close-idle.ts', import.meta.url));

describe('container executor close()', { timeout: 60_000 }, () => {
  it('finishes promptly while its children sit idle, so a process awaiting it exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, out, err }).toMatchObject({ code: 0, out: expect.stringMatching(/invoked ok\nclosed in \d+ ms/) });
    expect(Number(/closed in (\d+) ms/.exec(out)![1])).toBeLessThan(5_000);
  });
});
