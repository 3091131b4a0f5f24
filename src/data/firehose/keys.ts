import type { FirehoseConfig } from '../../core/resources/firehose.ts';
import type { FirehoseEntry } from '../../ports/firehose.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * The object key of a flush, from its first entry: `prefix/YYYY/MM/DD/HH/<name>-<YYYY-MM-DD-HH-mm-ss>-<id>.jsonl[.gz]`
 * (UTC arrival time, as Firehose). The entry id makes it unique and the same when a flush is redone.
 */
export function objectKey(c: FirehoseConfig, first: FirehoseEntry, error: boolean): string {
  const h = new Date(first.hour);
  const a = new Date(first.arrivedAt);
  const folder = `${h.getUTCFullYear()}/${pad(h.getUTCMonth() + 1)}/${pad(h.getUTCDate())}/${pad(h.getUTCHours())}/`;
  const stamp = `${a.getUTCFullYear()}-${pad(a.getUTCMonth() + 1)}-${pad(a.getUTCDate())}-${pad(a.getUTCHours())}-${pad(a.getUTCMinutes())}-${pad(a.getUTCSeconds())}`;
  const ext = c.compression === 'gzip' ? '.jsonl.gz' : '.jsonl';
  return `${error ? c.errorPrefix : c.prefix}${folder}${c.name}-${stamp}-${first.id}${error ? '-failed' : ''}${ext}`;
}
