import { gunzipSync } from 'node:zlib';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { standardize } from 'baton/data';
import { connect } from 'baton/handler';
import { acceptLegacySwitch, clickEvent, fromLegacy, keysFor, legacyMarker, type LegacyEvent } from '../schema.ts';

// An SQS handler as AWS documents it: each message is an S3 event for one firehose object. The
// file's events are checked against the schema and written as Parquet to staging/; invalid events
// go to rejected/ with their reasons (the file still succeeds). A file holding events this function
// cannot read yet (tracker v1 while the switch is off) fails as a whole, so it comes back, then
// lands in the DLQ; a quarantine marker tells the compaction it is known and will arrive late.
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const errors: string[] = [];
  for (const record of event.Records) {
    try {
      const s3 = JSON.parse(record.body) as S3Event;
      for (const r of s3.Records ?? []) await standardizeFile(r.s3.bucket.name, decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
    } catch (err) {
      console.error(`message ${record.messageId} failed: ${(err as Error).message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      errors.push((err as Error).message);
    }
  }
  // When every message failed, throwing has the same effect and keeps the reason with the message
  // (the DLQ shows it as the last error).
  if (errors.length > 0 && errors.length === event.Records.length) throw new Error(errors.join('; '));
  return { batchItemFailures };
};

async function standardizeFile(bucket: string, key: string): Promise<void> {
  const { objects, params } = connect();
  const keys = keysFor(key);
  let source = key;
  const { body } = await objects.get(bucket, key);
  const text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString('utf8');
  const legacy = text.split('\n').filter((l) => l.includes(legacyMarker)).length;
  if (legacy > 0) {
    const accept = (await params.get(acceptLegacySwitch)).value === 'on';
    if (!accept) {
      const reason = `${key} holds ${legacy} events of tracker schema clickstream/v1, which this function does not read while ${acceptLegacySwitch} is off`;
      await objects.put(bucket, keys.quarantine, JSON.stringify({ key, reason }), { contentType: 'application/json' });
      throw new Error(`${reason}; turn it on once the v1 mapping is right, then redrive the DLQ.`);
    }
    const lines = text.split('\n').map((l) => (l.includes(legacyMarker) ? convert(l) : l));
    await objects.put(bucket, keys.converted, lines.join('\n'), { contentType: 'application/x-ndjson' });
    source = keys.converted;
  }
  const r = await standardize(objects, { source: { bucket, key: source }, schema: clickEvent, output: { bucket, key: keys.staging }, rejected: { bucket, key: keys.rejected } });
  if (source !== key) await objects.delete(bucket, source);
  await objects.delete(bucket, keys.quarantine);
  console.log(`${key}: ${r.valid} events to ${keys.staging}, ${r.rejected} rejected${legacy ? ` (${legacy} read as tracker v1)` : ''}`);
}

/** A v1 line in today's shape; a line that does not parse is left for standardize to reject with its reason. */
function convert(line: string): string {
  try {
    return JSON.stringify(fromLegacy(JSON.parse(line) as LegacyEvent));
  } catch {
    return line;
  }
}
