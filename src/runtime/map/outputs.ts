/**
 * Writes a finished (or stopped) map's outputs to objects, streamed from the ledger a page at a
 * time so no result is held in memory:
 *   <prefix>succeeded.jsonl   {"index","item","result"} per succeeded item, by index
 *   <prefix>failed.jsonl      {"index","item","attempts","error"} per failed item, by index
 *   <prefix>manifest.json     id, fn, status, counts, the two files, error, finishedAt
 */
import { Readable } from 'node:stream';
import type { SerializedError } from '../../core/errors.ts';
import type { MapCounts, MapItemStatus, MapLedger, MapStatus } from '../../ports/jobs.ts';
import type { ObjectStore } from '../../ports/objects.ts';

export interface MapOutputs {
  manifest: { bucket: string; key: string };
  succeeded: { bucket: string; key: string };
  failed: { bucket: string; key: string };
}

function lines(ledger: MapLedger, id: string, status: MapItemStatus): Readable {
  return Readable.from(
    (async function* () {
      let after = -1;
      for (;;) {
        const page = await ledger.items(id, status, after, 1000);
        if (!page.length) return;
        let chunk = '';
        for (const r of page) {
          chunk += `${JSON.stringify(status === 'succeeded' ? { index: r.index, item: r.item, result: r.result ?? null } : { index: r.index, item: r.item, attempts: r.attempts, error: r.error ?? null })}\n`;
        }
        yield chunk;
        after = page[page.length - 1]!.index;
      }
    })(),
  );
}

export async function writeOutputs(
  objects: ObjectStore,
  ledger: MapLedger,
  map: { id: string; fn: string; status: MapStatus; counts: MapCounts; error?: SerializedError },
  out: { bucket: string; prefix: string },
  finishedAt: number,
): Promise<MapOutputs> {
  await objects.declare({ name: out.bucket, notifications: [] });
  const at = (name: string) => ({ bucket: out.bucket, key: `${out.prefix}${name}` });
  const outputs: MapOutputs = { manifest: at('manifest.json'), succeeded: at('succeeded.jsonl'), failed: at('failed.jsonl') };
  await objects.put(out.bucket, outputs.succeeded.key, lines(ledger, map.id, 'succeeded'), { contentType: 'application/x-ndjson' });
  await objects.put(out.bucket, outputs.failed.key, lines(ledger, map.id, 'failed'), { contentType: 'application/x-ndjson' });
  const manifest = { ...map, files: { succeeded: outputs.succeeded.key, failed: outputs.failed.key }, finishedAt: new Date(finishedAt).toISOString() };
  await objects.put(out.bucket, outputs.manifest.key, JSON.stringify(manifest, null, 2), { contentType: 'application/json' });
  return outputs;
}
