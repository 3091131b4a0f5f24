// Seed 001, coordinator fan-out: many CSV files of mixed sizes in a bucket; one unit of work
// (csv-to-parquet) converts one file to Parquet and registers it in the catalog. The same handler
// runs in the function executor (time-limited) or the container executor (no limit), chosen per
// file by a routing rule on its size. The coordinator is Baton's map (see demo.ts), which runs the
// unit over every object under raw/incoming/ with bounded concurrency and a durable ledger.
import { app, bucket, fn } from 'baton';
import { largeFileBytes, lakeBucket, rawBucket } from './lake.ts';

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
