import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firehose } from '../../src/core/resources/firehose.ts';
import { serveFirehoses } from '../../src/data/firehose/http.ts';
import { Firehose } from '../../src/data/firehose/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
});
afterEach(async () => t.close());

describe('firehose over HTTP', () => {
  it('takes the Firehose JSON protocol and a plain JSON array, acknowledging once durable', async () => {
    const hose = new Firehose(t.backend, firehose('clicks', { destination: { bucket: 'lake', prefix: 'raw/' }, compression: 'none' }).config);
    const srv = await serveFirehoses(new Map([['clicks', hose]]));
    try {
      const aws = await fetch(srv.url, {
        method: 'POST',
        headers: { 'x-amz-target': 'Firehose_20150804.PutRecordBatch', 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ DeliveryStreamName: 'clicks', Records: [{ Data: Buffer.from('{"a":1}\n').toString('base64') }, { Data: Buffer.from('{"a":2}\n').toString('base64') }] }),
      });
      expect(aws.status).toBe(200);
      expect(await aws.json()).toMatchObject({ FailedPutCount: 0, RequestResponses: [{ RecordId: expect.any(String) }, { RecordId: expect.any(String) }] });
      expect(t.backend.firehose.stats('clicks').records).toBe(2);

      const plain = await fetch(`${srv.url}/firehose/clicks`, { method: 'POST', body: JSON.stringify([{ a: 3 }]) });
      expect(plain.status).toBe(200);
      const missing = await fetch(srv.url, { method: 'POST', headers: { 'x-amz-target': 'Firehose_20150804.PutRecord' }, body: JSON.stringify({ DeliveryStreamName: 'nope', Record: { Data: 'e30=' } }) });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ __type: 'ResourceNotFoundException', message: expect.stringMatching(/Firehose "nope" is not declared\. Declared: clicks\./) });
      const tooMany = await fetch(`${srv.url}/firehose/clicks`, { method: 'POST', body: JSON.stringify(Array.from({ length: 501 }, () => 'x')) });
      expect(tooMany.status).toBe(400);
      expect(await tooMany.json()).toMatchObject({ __type: 'InvalidArgumentException', message: expect.stringMatching(/limit is 500/) });
    } finally {
      await srv.close();
    }
    await hose.close();
    const [obj] = (await t.backend.objects.list('lake', { prefix: 'raw/' })).objects;
    expect((await t.backend.objects.get('lake', obj!.key)).body.toString()).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
  });
});
