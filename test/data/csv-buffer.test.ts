/** The record measure that sizes the CSV reader's buffer (src/data/csv/buffer.ts), against the record scan DuckDB's reader follows. */
import { mkdtempSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { longestRecord } from '../../src/data/csv/buffer.ts';
import { scanRecords } from '../../src/data/csv/records.ts';

const dir = mkdtempSync(join(tmpdir(), 'csv-buffer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dialect = { delimiter: ',', quote: '"' };

/** The longest record by the reader's own scan (records.ts), line break not counted. */
async function scanned(path: string, size: number): Promise<number> {
  let longest = 0;
  let prev: { start: number } | undefined;
  await scanRecords(createReadStream(path), dialect, (r) => {
    if (prev) longest = Math.max(longest, r.start - prev.start - 1);
    prev = r;
  });
  return Math.max(longest, size - prev!.start - 1);
}

describe('longestRecord', () => {
  it('measures records whose quoted values span lines, doubled quotes and 1 MB chunk edges, as the reader splits them', async () => {
    // Seeded, so a failure repeats: values with quoted line breaks, doubled quotes, CRLF and quotes inside unquoted text.
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const fields = [() => `plain ${rand(1000)}`, () => `"two\nlines ${'z'.repeat(rand(300))}"`, () => `"say ""hi""\r\nthere"`, () => `5'10" ${rand(9)}`, () => ` "spaced\n${'y'.repeat(rand(2000))}"`];
    const lines = ['a,b,c'];
    for (let i = 0; i < 20_000; i++) lines.push([0, 1, 2].map(() => fields[rand(fields.length)]!()).join(','));
    const body = lines.join('\n') + '\n';
    const path = join(dir, 'r.csv');
    writeFileSync(path, body);
    const m = await longestRecord(path, dialect);
    expect(Buffer.byteLength(body)).toBeGreaterThan(3 << 20);
    expect(m.record).toBe(await scanned(path, Buffer.byteLength(body)));
    expect(m.record).toBeGreaterThan(m.line);
    expect(m.line).toBe(Math.max(...body.split('\n').map((l) => Buffer.byteLength(l))));
    expect(m).toMatchObject({ spans: true, cr: true });
  });

  it('says whether a quoted value spans lines, a quote never closes, or a \\r is in the file (csvBatches streams only files with none)', async () => {
    const measure = async (body: string) => {
      const path = join(dir, 'f.csv');
      writeFileSync(path, body);
      const { spans, cr } = await longestRecord(path, dialect);
      return { spans, cr };
    };
    expect(await measure('a,b\n1,"x, ""y"""\n2,5\'10"\n')).toEqual({ spans: false, cr: false });
    expect(await measure('a,b\n1,"x\ny"\n')).toEqual({ spans: true, cr: false });
    expect(await measure('a,b\n1,"never closed\n')).toEqual({ spans: true, cr: false });
    expect(await measure('a,b\r\n1,2\r\n')).toEqual({ spans: false, cr: true });
  });
});
