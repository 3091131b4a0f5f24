/**
 * Parquet rows as a map source, read with DuckDB in batches of `batch` rows (LIMIT/OFFSET over
 * read_parquet, which keeps the file's row order), so a file of millions of rows is never in
 * memory at once. Values come as DuckDB's JSON forms (BIGINT and DECIMAL as strings). Needs a
 * backend whose objects have a local path (the local backend).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { ValidationError } from '../../core/errors.ts';
import type { ObjectStore } from '../../ports/objects.ts';

export async function* readParquetRows(objects: ObjectStore, bucket: string, key: string, skip: number, batch: number): AsyncGenerator<unknown> {
  await objects.head(bucket, key);
  const path = objects.localPath?.(bucket, key);
  if (!path) throw new ValidationError(`map source ${bucket}/${key}: this backend gives no local path to read Parquet from.`, { action: 'Convert the file to JSON lines, or run the map on the local backend.' });
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    try {
      const file = `'${path.replaceAll("'", "''")}'`;
      for (let offset = skip; ; offset += batch) {
        const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${file}) LIMIT ${batch} OFFSET ${offset}`);
        const rows = reader.getRowObjectsJson();
        yield* rows;
        if (rows.length < batch) return;
      }
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
