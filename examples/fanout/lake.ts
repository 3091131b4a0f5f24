// What the fan-out's pieces agree on: where CSVs land, the schema they are coerced to, the
// catalog table the Parquet files are registered in, and the routing threshold.
import { z } from 'zod';

/** Raw CSV files arrive under this prefix of the `raw` bucket. */
export const rawBucket = 'raw';
export const rawPrefix = 'incoming/';

/** Parquet files go to the `lake` bucket, one hive partition per source file: file=<name>/. */
export const lakeBucket = 'lake';
export const tableName = 'readings';
export const tablePrefix = `tables/${tableName}/`;

/**
 * The routing rule's threshold (seed 001's if/then/else): CSV objects larger than this run in the
 * container executor (no time limit), the rest in the function executor. The seed had to guess a
 * job's duration beforehand; an object's size is known from the listing before anything runs and
 * is what the duration grows with here, so the rule needs no guess.
 */
export const largeFileBytes = 256 * 1024;

/** One sensor reading per CSV row. */
export const readingSchema = z.object({
  id: z.int(),
  ts: z.iso.datetime(),
  sensor: z.string(),
  reading: z.number(),
  status: z.enum(['ok', 'warn', 'fail']),
});

/** The catalog columns (DuckDB types) of the schema above; the partition column `file` is added by the path. */
export const tableColumns = [
  { name: 'id', type: 'BIGINT' },
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'sensor', type: 'VARCHAR' },
  { name: 'reading', type: 'DOUBLE' },
  { name: 'status', type: 'VARCHAR' },
];

/** The partition value of a CSV key: its file name without folders and extension. */
export function fileOf(key: string): string {
  return (key.split('/').pop() ?? key).replace(/\.csv$/, '');
}

/** Where the Parquet file of a CSV goes: deterministic, so a retried unit overwrites, never duplicates. */
export function parquetKey(key: string): string {
  return `${tablePrefix}file=${fileOf(key)}/data.parquet`;
}
