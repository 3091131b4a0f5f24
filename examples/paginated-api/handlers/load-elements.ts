// Loads a finished day into the `elements` table of the data catalog (the seed loaded its files
// into Snowflake). An SQS handler: each message is the S3 event of a day's `_manifest.json`.
// The day's JSON pages become one JSON-lines file, standardize checks every element against the
// schema and writes Parquet, and the catalog records the day's partition. Loading a day again
// replaces its partition, so a repeated event or a re-pulled day never duplicates rows.
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Catalog, compileSchema, standardize } from 'baton/data';
import { connect, type Backend } from 'baton/handler';
import { z } from 'zod';

export const elementSchema = z.object({
  id: z.int(),
  sku: z.string(),
  name: z.string(),
  category: z.enum(['bond', 'equity', 'fx', 'future', 'option']),
  price: z.number(),
  updated_at: z.iso.datetime(),
});

interface Manifest {
  day: string;
  total: number;
}

async function loadDay(backend: Backend, bucket: string, manifestKey: string): Promise<void> {
  const { objects } = backend;
  const manifest = JSON.parse((await objects.get(bucket, manifestKey)).body.toString('utf8')) as Manifest;
  const prefix = manifestKey.replace(/_manifest\.json$/, 'json/');
  const lines: string[] = [];
  let token: string | undefined;
  do {
    const page = await objects.list(bucket, { prefix, ...(token ? { continuationToken: token } : {}) });
    for (const o of page.objects) {
      const items = (JSON.parse((await objects.get(bucket, o.key)).body.toString('utf8')) as { items: unknown[] }).items;
      for (const item of items) lines.push(JSON.stringify(item));
    }
    token = page.nextContinuationToken;
  } while (token);
  if (lines.length !== manifest.total) throw new Error(`${manifest.day}: the pages under ${prefix} hold ${lines.length} elements, the manifest says ${manifest.total}`);

  const staging = `staging/dt=${manifest.day}/elements.jsonl`;
  const output = { bucket, key: `tables/elements/dt=${manifest.day}/elements.parquet` };
  await objects.put(bucket, staging, `${lines.join('\n')}\n`, { contentType: 'application/x-ndjson' });
  const result = await standardize(objects, { source: { bucket, key: staging }, schema: elementSchema, output, rejected: { bucket, key: `rejected/dt=${manifest.day}/elements.jsonl` } });
  await objects.delete(bucket, staging);
  if (result.rejected > 0) throw new Error(`${manifest.day}: ${result.rejected} of ${result.read} elements failed the schema (see rejected/dt=${manifest.day}/)`);

  const catalog = await Catalog.open(objects);
  if (!(await catalog.findTable('elements'))) {
    await catalog.putTable({ name: 'elements', location: { bucket, prefix: 'tables/elements/' }, partitionKeys: ['dt'], columns: compileSchema(elementSchema).map((c) => ({ name: c.name, type: c.sqlType })) });
  }
  await catalog.putPartition('elements', { values: { dt: manifest.day }, files: [output.key], rows: result.valid, bytes: result.output.size, updatedAt: Date.now() });
  console.log(`loaded ${result.valid} elements of ${manifest.day} into table elements`);
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const backend = connect();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const s3 = JSON.parse(record.body) as S3Event;
      for (const r of s3.Records ?? []) await loadDay(backend, r.s3.bucket.name, decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
    } catch (err) {
      console.error(`message ${record.messageId} failed: ${(err as Error).message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
