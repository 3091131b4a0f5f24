/**
 * Where `baton params put` takes the value from: the command line, stdin (--value-stdin) or a file
 * (--value-file). A value on the command line is visible to other users in `ps` and stays in the
 * shell's history, so a SecureString belongs on stdin or in a file. One trailing newline (what
 * `echo` and editors add) is dropped from stdin and files; everything else is kept as it is.
 */
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../core/errors.ts';

export interface ValueSources {
  value?: string | undefined;
  valueStdin?: boolean | undefined;
  valueFile?: string | undefined;
}

export const commandLineWarning = 'A SecureString given on the command line is visible in `ps` and kept in your shell history: use --value-stdin or --value-file for secrets.';

function dropOneNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The value from exactly one source, or a ValidationError saying which to give. */
export async function readParamValue(name: string, from: ValueSources, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const given = [from.value !== undefined && '<value>', from.valueStdin && '--value-stdin', from.valueFile !== undefined && '--value-file'].filter((s): s is string => typeof s === 'string');
  if (given.length !== 1) {
    throw new ValidationError(
      given.length === 0 ? `baton params put ${name}: no value given.` : `baton params put ${name}: the value is given ${given.length} ways (${given.join(', ')}).`,
      { action: 'Give exactly one of: a <value> argument, --value-stdin (e.g. `printf %s "$TOKEN" | baton params put NAME --value-stdin`), or --value-file PATH.' },
    );
  }
  if (from.value !== undefined) return from.value;
  if (from.valueFile !== undefined) {
    try {
      return dropOneNewline(await readFile(from.valueFile, 'utf8'));
    } catch (cause) {
      throw new ValidationError(`baton params put ${name}: cannot read --value-file ${from.valueFile} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`, { action: 'Give the path of a readable file holding the value.', cause });
    }
  }
  if ((stdin as { isTTY?: boolean }).isTTY) {
    throw new ValidationError(`baton params put ${name}: --value-stdin reads the value from a pipe or a redirect, and stdin is a terminal.`, { action: 'Pipe the value in (`printf %s "$TOKEN" | baton params put NAME --value-stdin`) or use --value-file PATH.' });
  }
  return dropOneNewline(await readAll(stdin));
}
