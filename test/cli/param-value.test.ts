import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerParams } from '../../src/cli/commands/params.ts';
import { readParamValue } from '../../src/cli/param-value.ts';
import { ValidationError } from '../../src/core/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'baton-param-value-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const piped = (text: string) => Readable.from([Buffer.from(text)]);

describe('baton params put: where the value comes from', () => {
  it('reads it from stdin or a file, dropping one trailing newline, or takes the argument as it is', async () => {
    expect(await readParamValue('/a', { valueStdin: true }, piped('s3cr3t\n'))).toBe('s3cr3t');
    expect(await readParamValue('/a', { valueStdin: true }, piped('two\nlines\n\n'))).toBe('two\nlines\n');
    const file = join(dir, 'token');
    writeFileSync(file, 'from-a-file\r\n', { mode: 0o600 });
    expect(await readParamValue('/a', { valueFile: file })).toBe('from-a-file');
    expect(await readParamValue('/a', { value: 'plain\n' })).toBe('plain\n');
  });

  it('refuses none, two sources, a missing file and a terminal on stdin, saying what to give', async () => {
    await expect(readParamValue('/a', {})).rejects.toThrow(/\/a: no value given\..*--value-stdin/);
    await expect(readParamValue('/a', { value: 'x', valueStdin: true })).rejects.toThrow(/given 2 ways \(<value>, --value-stdin\)/);
    await expect(readParamValue('/a', { valueFile: join(dir, 'nope') })).rejects.toThrow(/cannot read --value-file .*nope \(ENOENT\)/);
    const tty = Object.assign(piped('x'), { isTTY: true });
    await expect(readParamValue('/a', { valueStdin: true }, tty)).rejects.toBeInstanceOf(ValidationError);
  });

  it('says in --help that a SecureString on the command line is visible in ps and history', () => {
    const program = new Command();
    registerParams(program);
    const put = program.commands.find((c) => c.name() === 'params')!.commands.find((c) => c.name() === 'put')!;
    let help = '';
    put.configureOutput({ writeOut: (s) => (help += s) });
    put.outputHelp();
    expect(help).toMatch(/--value-stdin/);
    expect(help).toMatch(/--value-file <path>/);
    expect(help).toMatch(/visible in `ps` and kept in your shell history/);
  });
});
