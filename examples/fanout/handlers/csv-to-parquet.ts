import type { Context } from 'aws-lambda';
import { Catalog, csvToParquet } from 'baton/data';
import { connect } from 'baton/handler';
import { fileOf, lakeBucket, parquetKey, readingSchema, tableName } from '../lake.ts';

/** A map item: one object of the listing the coordinator reads. */
interface CsvObject {
  bucket: string;
  key: string;
  size: number;
}

export interface ConvertResult {
  key: string;
  parquet: string;
  rows: number;
  rejected: number;
  bytes: number;
  /** Where it ran: 'function' or 'container' (the executor sets BATON_EXECUTOR in a container). */
  executor: string;
  pid: number;
  ms: number;
}

// The unit of work, one plain Lambda handler for both executors: one CSV object in, one Parquet
// object out, registered in the catalog as its own partition.
export const handler = async (event: CsvObject, context: Context): Promise<ConvertResult> => {
  const started = Date.now();
  const { objects } = connect();
  const file = fileOf(event.key);
  const output = { bucket: lakeBucket, key: parquetKey(event.key) };
  const counts = await csvToParquet(objects, {
    source: { bucket: event.bucket, key: event.key },
    output,
    rejected: { bucket: lakeBucket, key: `rejected/${file}.jsonl` },
    schema: readingSchema,
  });
  // Catalog writes: the table record is registered once, before the map starts (a table record is
  // last-writer-wins, so hundreds of units rewriting it would race). Each unit writes only its own
  // partition record (file=<name>), a separate object no other unit touches, so nothing is lost to
  // concurrent writers; a retry rewrites the same record with the same file.
  await new Catalog(objects).putPartition(tableName, { values: { file }, files: [output.key], rows: counts.valid, bytes: counts.output.size, updatedAt: Date.now() });
  console.log(`${event.key}: ${counts.valid} rows -> ${output.key} (${counts.rejected} rejected, ${context.getRemainingTimeInMillis() > 86_400_000 ? 'no time limit' : 'time-limited'})`);
  return { key: event.key, parquet: output.key, rows: counts.valid, rejected: counts.rejected, bytes: counts.output.size, executor: process.env.BATON_EXECUTOR ?? 'function', pid: process.pid, ms: Date.now() - started };
};
