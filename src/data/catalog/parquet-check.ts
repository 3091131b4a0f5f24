/**
 * Is an object a Parquet file? A Parquet file starts and ends with the magic bytes `PAR1` (its
 * footer length sits just before the final four). Checked when a partition is registered, so a
 * CSV or JSON file (or a truncated upload) never enters the catalog, and when a query's view over
 * a table cannot be made, to name the file that broke it.
 */
import { open } from 'node:fs/promises';
import { ValidationError } from '../../core/errors.ts';
import type { ObjectStore } from '../../ports/objects.ts';
import { inputPath, scratch } from '../files.ts';

const magic = Buffer.from('PAR1');

/** Why the file at `path` is not Parquet, or undefined when it looks like Parquet. */
export async function notParquet(path: string): Promise<string | undefined> {
  const f = await open(path, 'r');
  try {
    const { size } = await f.stat();
    if (size < 12) return `it is ${size} bytes, too small to be a Parquet file`;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await f.read(head, 0, 4, 0);
    await f.read(tail, 0, 4, size - 4);
    if (!head.equals(magic)) return `it does not start with the Parquet magic bytes PAR1 (it starts with ${JSON.stringify(head.toString('latin1'))})`;
    if (!tail.equals(magic)) return 'it does not end with the Parquet magic bytes PAR1 (truncated, or still being written)';
    return undefined;
  } finally {
    await f.close();
  }
}

/** Throws a ValidationError naming every file of the partition that is not Parquet. */
export async function checkPartitionFiles(objects: ObjectStore, table: string, bucket: string, files: readonly string[]): Promise<void> {
  const tmp = await scratch();
  try {
    const bad: string[] = [];
    let n = 0;
    for (const key of files) {
      const why = await notParquet(await inputPath(objects, { bucket, key }, tmp.dir, n++));
      if (why) bad.push(`"${key}" (${why})`);
    }
    if (bad.length > 0) {
      throw new ValidationError(`Catalog table "${table}": a partition can only list Parquet files, and ${bad.length === 1 ? 'this one is not' : 'these are not'}: ${bad.join('; ')} in bucket "${bucket}".`, {
        action: 'Convert the data to Parquet first (standardize or compaction write Parquet), then register the partition.',
      });
    }
  } finally {
    await tmp.dispose();
  }
}
