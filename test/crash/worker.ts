// A child process for the crash test: performs a random mix of writes against the local backend and
// prints one JSON line per step *after* the step returned (an acknowledgement), and a "begin" line
// before each object write. The parent kills it with SIGKILL at a random moment.
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { openLocal } from '../../src/backends/local/index.ts';

const dir = process.argv[2]!;
const seed = Number(process.argv[3] ?? 1);
let state = seed >>> 0 || 1;
const rand = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 0x1_0000_0000;
};
const say = (o: object) => writeSync(1, `${JSON.stringify(o)}\n`);

const backend = openLocal({ dir, paramsKey: Buffer.alloc(32, 1) });
await backend.queues.declare({ name: 'q', visibilityTimeoutMs: 60_000, retentionMs: 86_400_000, delayMs: 0, maxMessageSize: 262_144 });
await backend.objects.declare({ name: 'crash-bucket', notifications: [] });
await backend.tables.declare({ name: 't', partitionKey: { name: 'id', type: 'string' }, stream: { viewType: 'NEW_AND_OLD_IMAGES' } });
say({ op: 'ready' });

let n = 0;
for (;;) {
  const id = `${seed}-${n++}`;
  const r = rand();
  if (r < 0.3) {
    const batch = Array.from({ length: 1 + Math.floor(rand() * 10) }, (_, i) => ({ body: `${id}.${i}` }));
    const res = await backend.queues.sendBatch('q', batch);
    say({ op: 'sent', bodies: res.filter((x) => x.ok).map((x) => batch[x.index]!.body) });
  } else if (r < 0.55) {
    const got = await backend.queues.receive('q', { maxMessages: 10 });
    const done = got.filter(() => rand() < 0.7);
    if (done.length) {
      say({ op: 'delete-begin', bodies: done.map((m) => m.body) });
      await backend.queues.deleteBatch('q', done.map((m) => m.receiptHandle));
      say({ op: 'deleted', bodies: done.map((m) => m.body) });
    }
  } else if (r < 0.8) {
    const size = rand() < 0.2 ? 200_000 + Math.floor(rand() * 2_000_000) : Math.floor(rand() * 4096);
    const body = Buffer.alloc(size, id);
    const md5 = createHash('md5').update(body).digest('hex');
    say({ op: 'put-begin', key: `k/${id}`, md5 });
    await backend.objects.put('crash-bucket', `k/${id}`, body);
    say({ op: 'put', key: `k/${id}`, md5 });
  } else if (r < 0.85 && n > 10) {
    const page = await backend.objects.list('crash-bucket', { prefix: 'k/', maxKeys: 5 });
    const victim = page.objects[Math.floor(rand() * page.objects.length)];
    if (victim) {
      say({ op: 'del-begin', key: victim.key });
      await backend.objects.delete('crash-bucket', victim.key);
      say({ op: 'del', key: victim.key });
    }
  } else {
    await backend.tables.put('t', { id, v: n, pad: 'x'.repeat(Math.floor(rand() * 2000)) });
    say({ op: 'tput', id, v: n });
  }
}
