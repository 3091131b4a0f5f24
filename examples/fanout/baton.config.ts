// Seed 001, coordinator fan-out: many CSV files of mixed sizes in a bucket; one unit of work
// (csv-to-parquet) converts one file to Parquet and registers it in the catalog. The same handler
// runs in the function executor (time-limited) or the container executor (no limit), chosen per
// file by a routing rule on its size. The coordinator is Baton's map (see demo.ts), which runs the
// unit over every object under raw/incoming/ with bounded concurrency and a durable ledger.
import { app, bucket, fn } from 'baton';
import type { MapDeployment } from 'baton/cdk';
import { largeFileBytes, lakeBucket, rawBucket, rawPrefix } from './lake.ts';

export default app('fanout', [
  bucket(rawBucket),
  bucket(lakeBucket),
  fn('csv-to-parquet', './handlers/csv-to-parquet.ts', {
    timeout: '10s',
    memory: 512,
    uses: [`bucket:${rawBucket}`, `bucket:${lakeBucket}`],
    // The map's items are object listings ({ bucket, key, size, etag }): big files go to the container.
    route: (event) => (((event as { size?: number }).size ?? 0) > largeFileBytes ? 'container' : 'function'),
  }),
]);

// On AWS (baton synth), the coordinator is a Step Functions Distributed Map over the same listing:
// each item runs csv-to-parquet on Lambda or on Fargate as the routing rule says. Locally, demo.ts
// runs Baton's map with the same settings.
export const maps: MapDeployment[] = [{ name: 'convert-all', fn: 'csv-to-parquet', source: { bucket: rawBucket, prefix: rawPrefix }, concurrency: 8, retries: 2, output: { bucket: lakeBucket } }];
