import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvBatches, type CsvCounts } from '../../src/data/csv/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

// csvBatches streams a plain file (its rows handed out as DuckDB's pass gives them, the counts and
// rejected rows after the last batch) and keeps the rows of any other file in a table first (the
// counts before the first batch). Both hand out the same rows in file order.
const schema = z.object({ id: z.int(), name: z.string(), amount: z.number() });

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'uploads', notifications: [] });
});
afterEach(async () => t.close());

/** n rows; every 97th has a bad amount (rejected by value), row 500 has a field too many (refused by the reader). */
function lines(n: number): string[] {
  const out = ['id,name,amount'];
  for (let i = 1; i <= n; i++) out.push(i === 500 ? `${i},x,1,extra` : `${i}, name ${i} ,${i % 97 === 0 ? 'lots' : `${i}.5`}`);
  return out;
}

async function run(key: string, body: string) {
  await t.backend.objects.put('uploads', key, body);
  const events: string[] = [];
  const ids: number[] = [];
  let counts: CsvCounts | undefined;
  for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key }, schema, rejected: { bucket: 'uploads', key: `${key}.rej` }, batchSize: 1000, onCounts: (c) => ((counts = c), events.push('counts')) })) {
    events.push('batch');
    ids.push(...batch.map((r) => r['id'] as number));
  }
  const rejected = (await t.backend.objects.get('uploads', `${key}.rej`)).body.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reasons: string[] });
  return { events, ids, counts, rejected };
}

describe('csvBatches', () => {
  const n = 20_000;
  const expectedIds = Array.from({ length: n }, (_, i) => i + 1).filter((i) => i % 97 !== 0 && i !== 500);
  const expectedLines = [...Array.from({ length: Math.floor(n / 97) }, (_, k) => (k + 1) * 97 + 1), 501].sort((a, b) => a - b);

  it('streams a plain file: rows in file order, then the counts and the rejected rows with their lines and reasons', async () => {
    const r = await run('in/plain.csv', lines(n).join('\n') + '\n');
    expect(r.ids).toEqual(expectedIds);
    expect(r.events.at(-1)).toBe('counts');
    expect(r.events.filter((e) => e === 'batch')).toHaveLength(Math.ceil(expectedIds.length / 1000));
    expect(r.counts).toMatchObject({ read: n, valid: expectedIds.length, rejected: n - expectedIds.length });
    expect(r.rejected.map((x) => x.line)).toEqual(expectedLines);
    expect(r.rejected.find((x) => x.line === 98)!.reasons).toEqual(['amount: expected a number, got "lots"']);
    expect(r.rejected.find((x) => x.line === 501)!.reasons[0]).toBe('unreadable line: expected 3 columns, found 4');
  });

  it('keeps the rows of a file with CRLF line breaks in a table first: counts before the first batch, the same rows and lines', async () => {
    const r = await run('in/crlf.csv', lines(n).join('\r\n') + '\r\n');
    expect(r.events[0]).toBe('counts');
    expect(r.ids).toEqual(expectedIds);
    expect(r.rejected.map((x) => x.line)).toEqual(expectedLines);
  });

  it('stops reading when the caller breaks out after the first batch, and can read the file again', async () => {
    await t.backend.objects.put('uploads', 'in/b.csv', lines(n).join('\n') + '\n');
    let taken = 0;
    for await (const batch of csvBatches(t.backend.objects, { source: { bucket: 'uploads', key: 'in/b.csv' }, schema, rejected: { bucket: 'uploads', key: 'b.rej' }, batchSize: 100 })) {
      taken += batch.length;
      break;
    }
    expect(taken).toBe(100);
    const again = await run('in/b.csv', lines(n).join('\n') + '\n');
    expect(again.ids).toEqual(expectedIds);
  });
});
