/**
 * Hourly compaction: many small Parquet files under a source prefix become one file per hour
 * (more only past the target size) under a hive layout `<dest>/dt=YYYY-MM-DD/hour=HH/`.
 *
 * Protocol for one hour, with M its manifest (manifest.ts: generation g, files F_g, merged
 * sources S_g), which is the only truth about what the hour holds:
 *
 *   0. list:      sources of the hour; NEW = those (key, etag) not in S_g.
 *                 NEW empty → go to 4 (finish any unfinished clean-up). First compaction of the
 *                 hour and the completeness rule not met → stop, saying why.
 *   1. write:     read F_g + NEW in DuckDB, write F_{g+1} (`part-<g+1>-<i>.parquet`) next to F_g.
 *                 F_{g+1} is invisible: queries read the catalog's file list, taken from M.
 *   2. commit:    put M' = { g+1, F_{g+1}, S_g ∪ NEW } — one atomic put; the swap.
 *   3. register:  put the catalog partition (files, rows, bytes): queries now read F_{g+1}.
 *   4. clean up:  delete the sources in S (they are merged), and every data file of the hour
 *                 not in M's files (F_g, or an orphan of a run that died before its commit).
 *
 * A crash before 2 leaves the old state (plus an orphan file, overwritten or deleted by the
 * next run); after 2 the new state, and a re-run finds NEW empty and finishes 3 and 4. A late
 * file is in NEW exactly once: after its commit it is in S and only deleted. A re-run with
 * nothing new changes nothing. Not handled: two compactions of the same hour at once.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaults } from '../../core/defaults.ts';
import { ValidationError, show } from '../../core/errors.ts';
import type { ObjectHead, ObjectStore } from '../../ports/objects.ts';
import { one, sqlString, withDuck } from '../duck.ts';
import { fileSize, inputPath, putFile, scratch } from '../files.ts';
import { listAll } from '../list.ts';
import { hourFromKey, hourLabel, hourPartition, incompleteReason } from './hours.ts';
import { readManifest, writeManifest, type Manifest } from './manifest.ts';
import type { CompactOptions, CompactResult, HourResult } from './types.ts';

export type * from './types.ts';
export { hourFromKey } from './hours.ts';

function hourDir(o: CompactOptions, start: number): string {
  const p = hourPartition(start);
  return `${o.destination.prefix}dt=${p.dt}/hour=${p.hour}/`;
}

export async function compact(objects: ObjectStore, o: CompactOptions): Promise<CompactResult> {
  if (o.period !== 'hour') throw new ValidationError(`compact period ${show(o.period)} is not supported.`, { action: "Use period: 'hour'." });
  const suffix = o.suffix ?? '.parquet';
  const hourOf = o.hourOf ?? hourFromKey;
  const byHour = new Map<number, ObjectHead[]>();
  const skipped: string[] = [];
  for (const head of await listAll(objects, o.source.bucket, o.source.prefix)) {
    if (!head.key.endsWith(suffix)) continue;
    const start = hourOf(head.key);
    if (start === undefined) skipped.push(head.key);
    else byHour.set(start, [...(byHour.get(start) ?? []), head]);
  }
  const hours: HourResult[] = [];
  for (const start of [...byHour.keys()].sort((a, b) => a - b)) hours.push(await compactHour(objects, o, start, byHour.get(start) ?? []));
  return { hours, skipped };
}

async function compactHour(objects: ObjectStore, o: CompactOptions, start: number, sources: ObjectHead[]): Promise<HourResult> {
  const label = hourLabel(start);
  const dir = hourDir(o, start);
  const manifestKey = `${dir}_manifest.json`;
  const dest = o.destination.bucket;
  let m = await readManifest(objects, dest, manifestKey);
  const merged = new Set((m?.sources ?? []).map((s) => `${s.key}\n${s.etag}`));
  const fresh = sources.filter((s) => !merged.has(`${s.key}\n${s.etag}`)).sort((a, b) => a.key.localeCompare(b.key));
  if (fresh.length === 0) {
    if (m) await finish(objects, o, m, dir, sources, label);
    return { hour: label, status: 'up-to-date', merged: 0, files: m?.files ?? [], rows: m?.rows ?? 0 };
  }
  if (!m) {
    const rel = sources.map((s) => s.key.slice(o.source.prefix.length));
    const reason = incompleteReason(o.completeness, start, rel, (o.clock ?? { now: Date.now }).now());
    if (reason) return { hour: label, status: 'waiting', reason: `${label} is not complete: ${reason}.`, merged: 0, files: [], rows: 0 };
  }
  const generation = (m?.generation ?? 0) + 1;
  const written = await writeGeneration(objects, o, dir, generation, m, fresh);
  await o.onStep?.('written', label);
  const next: Manifest = {
    version: 1,
    hour: start,
    generation,
    files: written.files,
    sources: [...(m?.sources ?? []), ...fresh.map((s) => ({ key: s.key, etag: s.etag }))],
    rows: written.rows,
    bytes: written.bytes,
    committedAt: (o.clock ?? { now: Date.now }).now(),
  };
  await writeManifest(objects, dest, manifestKey, next);
  await o.onStep?.('committed', label);
  const wasLate = m !== undefined;
  m = next;
  await finish(objects, o, m, dir, sources, label, written.columns);
  return { hour: label, status: wasLate ? 'merged-late' : 'compacted', merged: fresh.length, files: m.files, rows: m.rows };
}

/** Steps 1: reads the current files and the new sources, writes the next generation's files. */
async function writeGeneration(objects: ObjectStore, o: CompactOptions, dir: string, generation: number, m: Manifest | undefined, fresh: ObjectHead[]) {
  const tmp = await scratch();
  try {
    const inputs: string[] = [];
    let n = 0;
    for (const key of m?.files ?? []) inputs.push(await inputPath(objects, { bucket: o.destination.bucket, key }, tmp.dir, n++));
    for (const s of fresh) inputs.push(await inputPath(objects, { bucket: o.source.bucket, key: s.key }, tmp.dir, n++));
    const out = join(tmp.dir, 'out');
    const target = o.targetFileSize ?? defaults.data.targetFileSize;
    const { rows, columns } = await withDuck(
      async (conn) => {
        const list = `[${inputs.map(sqlString).join(', ')}]`;
        await conn.run(`COPY (SELECT * FROM read_parquet(${list}, union_by_name=true, hive_partitioning=false)) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${Math.max(1, Math.floor(target))}, FILENAME_PATTERN ${sqlString(`part-${generation}-{i}`)})`);
        const rows = Number((await one(conn, `SELECT count(*) AS n FROM read_parquet(${sqlString(join(out, '*.parquet'))})`))['n']);
        const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(join(out, '*.parquet'))})`)).getRowObjectsJson();
        return { rows, columns: described.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) })) };
      },
      { tempDir: join(tmp.dir, 'spill') },
    );
    const files: string[] = [];
    let bytes = 0;
    for (const name of (await readdir(out)).filter((f) => f.endsWith('.parquet')).sort()) {
      const key = `${dir}${name}`;
      bytes += await fileSize(join(out, name));
      await putFile(objects, { bucket: o.destination.bucket, key }, join(out, name), 'application/vnd.apache.parquet');
      files.push(key);
    }
    return { files, rows, bytes, columns };
  } finally {
    await tmp.dispose();
  }
}

/** The columns of Parquet files (for a table registered by a run that found the hour already committed). */
async function describeFiles(objects: ObjectStore, bucket: string, files: string[]): Promise<Array<{ name: string; type: string }>> {
  const tmp = await scratch();
  try {
    const paths: string[] = [];
    for (const key of files) paths.push(await inputPath(objects, { bucket, key }, tmp.dir, paths.length));
    return await withDuck(async (conn) => {
      const rows = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}], union_by_name=true, hive_partitioning=false)`)).getRowObjectsJson();
      return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
    });
  } finally {
    await tmp.dispose();
  }
}

/** Steps 3 and 4, safe to repeat: register the partition, delete merged sources and stale data files. */
async function finish(objects: ObjectStore, o: CompactOptions, m: Manifest, dir: string, sources: ObjectHead[], label: string, columns?: Array<{ name: string; type: string }>): Promise<void> {
  if (o.catalog) {
    const { catalog, table } = o.catalog;
    if (!(await catalog.findTable(table))) {
      const cols = columns ?? (await describeFiles(objects, o.destination.bucket, m.files));
      await catalog.putTable({ name: table, location: o.destination, partitionKeys: ['dt', 'hour'], columns: cols, updatedAt: m.committedAt });
    }
    await catalog.putPartition(table, { values: hourPartition(m.hour), files: m.files, rows: m.rows, bytes: m.bytes, updatedAt: m.committedAt });
    await o.onStep?.('registered', label);
  }
  const merged = new Set(m.sources.map((s) => `${s.key}\n${s.etag}`));
  for (const s of sources) if (merged.has(`${s.key}\n${s.etag}`)) await objects.delete(o.source.bucket, s.key);
  const keep = new Set(m.files);
  for (const h of await listAll(objects, o.destination.bucket, dir)) {
    if (h.key.endsWith('.parquet') && !keep.has(h.key)) await objects.delete(o.destination.bucket, h.key);
  }
  await o.onStep?.('deleted', label);
}
