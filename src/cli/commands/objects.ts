import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { formatSize } from '../../core/size.ts';
import { printRows } from '../output.ts';
import { withSession } from '../session.ts';

export function registerObjects(program: Command): void {
  const objects = program.command('objects').description('list, put, get and remove objects in buckets');
  objects
    .command('ls')
    .argument('<bucket>')
    .argument('[prefix]', 'only keys starting with this', '')
    .option('--delimiter <d>', "group keys by this, e.g. '/'")
    .action(async (bucket: string, prefix: string, o: { delimiter?: string }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const rows: Array<Record<string, unknown>> = [];
        let token: string | undefined;
        do {
          const page = await backend.objects.list(bucket, { prefix, ...(o.delimiter ? { delimiter: o.delimiter } : {}), ...(token ? { continuationToken: token } : {}) });
          for (const p of page.commonPrefixes) rows.push({ key: p, size: 'PRE', lastModified: '' });
          for (const h of page.objects) rows.push({ key: h.key, size: json ? h.size : formatSize(h.size), lastModified: new Date(h.lastModified).toISOString() });
          token = page.nextContinuationToken;
        } while (token);
        printRows(rows, json, 'no objects');
      });
    });
  objects
    .command('put')
    .argument('<bucket>')
    .argument('<key>')
    .argument('<file>', 'the file to upload')
    .option('--content-type <type>')
    .action(async (bucket: string, key: string, file: string, o: { contentType?: string }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const head = await backend.objects.put(bucket, key, await readFile(file), o.contentType ? { contentType: o.contentType } : {});
        console.log(json ? JSON.stringify(head) : `put ${bucket}/${key} (${formatSize(head.size)}, etag ${head.etag})`);
      });
    });
  objects
    .command('get')
    .argument('<bucket>')
    .argument('<key>')
    .option('--out <file>', 'write to a file instead of standard output')
    .action(async (bucket: string, key: string, o: { out?: string }, cmd: Command) => {
      await withSession(cmd, async ({ backend }) => {
        const { body } = await backend.objects.get(bucket, key);
        if (o.out) await writeFile(o.out, body);
        else process.stdout.write(body);
      });
    });
  objects
    .command('rm')
    .argument('<bucket>')
    .argument('<key>')
    .action(async (bucket: string, key: string, _o: unknown, cmd: Command) => {
      await withSession(cmd, async ({ backend }) => {
        await backend.objects.delete(bucket, key);
        console.log(`removed ${bucket}/${key}`);
      });
    });
}
