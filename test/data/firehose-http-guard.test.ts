import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firehose } from '../../src/core/resources/firehose.ts';
import { serveFirehoses, type FirehoseEndpoint } from '../../src/data/firehose/http.ts';
import { Firehose } from '../../src/data/firehose/index.ts';
import { makeLocalBackend, type TestBackend } from '../helpers/local.ts';

let t: TestBackend;
let hose: Firehose;
let srv: FirehoseEndpoint | undefined;
beforeEach(async () => {
  t = makeLocalBackend();
  await t.backend.objects.declare({ name: 'lake', notifications: [] });
  hose = new Firehose(t.backend, firehose('clicks', { destination: { bucket: 'lake', prefix: 'raw/' }, compression: 'none' }).config);
});
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  await hose.close();
  await t.close();
});

/** A POST to 127.0.0.1:port with exactly these headers (fetch would set Host and may add others). */
function post(port: number, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: { __type?: string; message?: string } & Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) as never }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const batch = (...data: string[]) => JSON.stringify({ DeliveryStreamName: 'clicks', Records: data.map((Data) => ({ Data })) });
const target = { 'x-amz-target': 'Firehose_20150804.PutRecordBatch' };
const portOf = (url: string) => Number(new URL(url).port);

describe('who may post to the firehose endpoint', () => {
  it('refuses a browser (Origin or Sec-Fetch-Site) and a Host that is not its address (DNS rebinding)', async () => {
    srv = await serveFirehoses(new Map([['clicks', hose]]));
    const port = portOf(srv.url);
    const ok = batch(Buffer.from('{"a":1}\n').toString('base64'));
    const fromPage = await post(port, '/firehose/clicks', { origin: 'https://evil.example' }, '[{"a":1}]');
    expect(fromPage.status).toBe(403);
    expect(fromPage.json.message).toMatch(/web browser are refused \(Origin "https:\/\/evil\.example"\)/);
    expect((await post(port, '/', { ...target, 'sec-fetch-site': 'cross-site' }, ok)).status).toBe(403);
    const rebound = await post(port, '/', { ...target, host: `attacker.example:${port}` }, ok);
    expect(rebound.status).toBe(403);
    expect(rebound.json.message).toMatch(/Host "attacker\.example:\d+" is not this endpoint's address \(127\.0\.0\.1:\d+\).*DNS rebinding/);
    expect(t.backend.firehose.stats('clicks').records).toBe(0);
    expect((await post(port, '/', { ...target, host: `localhost:${port}` }, ok)).status).toBe(200);
    expect((await post(port, '/', target, ok)).status).toBe(200);
    expect(t.backend.firehose.stats('clicks').records).toBe(2);
  });

  it('bound beyond loopback, requires its token (generated and part of the url, or given)', async () => {
    srv = await serveFirehoses(new Map([['clicks', hose]]), 0, { host: '0.0.0.0' });
    expect(srv.token).toMatch(/^[\w-]{20,}$/);
    expect(srv.url).toContain(`/_token/${srv.token}`);
    const port = portOf(srv.url);
    const none = await post(port, '/firehose/clicks', {}, '[{"a":1}]');
    expect(none.status).toBe(401);
    expect(none.json.message).toMatch(/No token was given/);
    expect((await post(port, '/firehose/clicks', { authorization: 'Bearer wrong' }, '[{"a":1}]')).status).toBe(401);
    expect((await post(port, '/firehose/clicks', { authorization: `Bearer ${srv.token!}` }, '[{"a":1}]')).status).toBe(200);
    expect((await post(port, `/_token/${srv.token!}/firehose/clicks`, {}, '[{"a":2}]')).status).toBe(200);
    const viaSdkEndpoint = await post(port, `/_token/${srv.token!}/`, target, batch(Buffer.from('{"a":3}\n').toString('base64')));
    expect(viaSdkEndpoint.status).toBe(200);
    expect(t.backend.firehose.stats('clicks').records).toBe(3);
    await srv.close();
    srv = await serveFirehoses(new Map([['clicks', hose]]), 0, { host: '0.0.0.0', token: 'from-the-env-123' });
    expect(srv.token).toBe('from-the-env-123');
    expect((await post(portOf(srv.url), '/firehose/clicks', { 'x-baton-token': 'from-the-env-123' }, '[{"a":4}]')).status).toBe(200);
  });

  it('rejects the whole request when a record\'s Data is not valid base64, as Firehose does', async () => {
    srv = await serveFirehoses(new Map([['clicks', hose]]));
    const port = portOf(srv.url);
    for (const bad of ['foobar', 'ab$=', '{"a":1}', 'YQ']) {
      const r = await post(port, '/', target, batch(Buffer.from('fine').toString('base64'), bad));
      expect([bad, r.status, r.json.__type]).toEqual([bad, 400, 'SerializationException']);
      expect(r.json.message).toMatch(/^Records\[1\]\.Data can not be converted to a Blob/);
    }
    const one = await post(port, '/', { 'x-amz-target': 'Firehose_20150804.PutRecord' }, JSON.stringify({ DeliveryStreamName: 'clicks', Record: { Data: 'not base64!' } }));
    expect(one.status).toBe(400);
    expect(t.backend.firehose.stats('clicks').records).toBe(0);
    expect((await post(port, '/', target, batch('', 'YWI=', 'YWJj'))).status).toBe(200);
  });
});
