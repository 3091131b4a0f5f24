import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlString, withDuck } from '../../src/data/duck.ts';
import type { ObjectStore } from '../../src/ports/objects.ts';

let n = 0;

/** Puts a Parquet object holding rows id in [from, to) with an amount of id * 2. */
export async function putParquet(objects: ObjectStore, bucket: string, key: string, from: number, to: number): Promise<void> {
  const path = join(tmpdir(), `baton-test-${process.pid}-${n++}.parquet`);
  await withDuck(async (conn) => {
    await conn.run(`COPY (SELECT range AS id, range * 2 AS amount, 'e' || range AS name FROM range(${from}, ${to})) TO ${sqlString(path)} (FORMAT parquet)`);
  });
  await objects.put(bucket, key, await readFile(path));
  await rm(path, { force: true });
}
