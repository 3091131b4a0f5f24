/**
 * The map coordinator (seed 001's "coordinator fan-out"): map(fn, items) runs a function over
 * thousands of items with bounded concurrency, durably.
 *
 * Map states (ports/jobs.ts MapLedger):
 *   loading    items are read from the source into the ledger, `readBatch` per transaction; a
 *              restart resumes reading after the items already loaded
 *   running    the dispatcher (dispatcher.ts) invokes the function over pending items
 *   succeeded  every item ended and at most the tolerated number failed
 *   failed     more items failed than tolerated (dispatching stopped at once), or the ledger broke
 *   cancelled  cancelled in the ledger; in-flight invocations finished, the rest never ran
 * An aborted map (options.signal) stays `running`: calling map() again with its id resumes it.
 * Starting a map whose id exists resumes it (a finished one returns its summary without running);
 * items a dead coordinator left `running` go back to pending first. Outputs (outputs.ts) are
 * written when the map ends: manifest.json, succeeded.jsonl and failed.jsonl.
 * redriveMap puts failed items back to pending and runs only those.
 *
 * The source is recorded when the map starts (sourceRef in the map record's options, see
 * source-ref.ts): an object source as itself, an array inline or, when large, as a JSON-lines
 * object it is written to; so resumeMap (and the engine's resume scan, engine/resume.ts) finishes
 * reading it without being handed it again. Only an async iterable cannot be recorded.
 *
 * One process drives a map at a time: map, resumeMap and redriveMap hold the map's driver lease
 * ('/baton/leases/maps/<id>', lease/lease.ts) while they load and dispatch; a second process is
 * refused with ConditionFailedError (resumeMapIfFree returns undefined). A lease lost mid-run (the
 * process stalled past the ttl and another took over) stops dispatching, as an abort does.
 */
import { randomUUID } from 'node:crypto';
import { defaults } from '../../core/defaults.ts';
import { BatonError, ConditionFailedError, NotFoundError, ValidationError, serializeError, show, type SerializedError } from '../../core/errors.ts';
import type { FnConfig } from '../../core/resources/fn.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Executor } from '../../ports/executor.ts';
import type { MapCounts, MapRecord, MapStatus } from '../../ports/jobs.ts';
import { findFn } from '../invoke/deps.ts';
import { Lease, leasePath } from '../lease/lease.ts';
import { Dispatcher } from './dispatcher.ts';
import { resolveOptions, toleratedCount, type MapOptions, type ResolvedMapOptions } from './options.ts';
import { writeOutputs, type MapOutputs } from './outputs.ts';
import { recordSource, sourceOf } from './source-ref.ts';
import { describeSource, readSource, type MapSource } from './sources.ts';

export interface MapDeps {
  backend: Backend;
  /** A RoutingExecutor when items may go to the container executor. */
  executor: Executor;
  fns: readonly FnConfig[];
}

export interface MapSummary {
  id: string;
  fn: string;
  status: MapStatus;
  counts: MapCounts;
  outputs?: MapOutputs;
  error?: SerializedError;
}

const finished = new Set<MapStatus>(['succeeded', 'failed', 'cancelled']);

export async function map(deps: MapDeps, fnName: string, source: MapSource, options: MapOptions = {}): Promise<MapSummary> {
  const fn = findFn(deps, fnName);
  const id = options.id ?? randomUUID();
  const o = resolveOptions(id, options);
  const ledger = deps.backend.jobs.maps;
  const found = await ledger.get(id);
  if (found && finished.has(found.status)) return checkFn(found, fn.name) && summaryOf(deps, found);
  // The lease first: an engine's resume scan must not take a map this call is still creating.
  const held = await leased(deps, id, options, async (opts) => {
    const sourceRef = found ? undefined : await recordSource(deps.backend.objects, source, o);
    let rec = await ledger.open({ id, fn: fn.name, options: { ...o, source: describeSource(source), ...(sourceRef ? { sourceRef } : {}) } });
    checkFn(rec, fn.name);
    if (finished.has(rec.status)) return summaryOf(deps, rec);
    await ledger.recover(id);
    if (!rec.sourceDone) rec = await load(deps, rec, source, opts.signal);
    return drive(deps, fn, rec, o, opts);
  });
  if (!held) throw drivenElsewhere(id);
  return held;
}

/** Resumes a map: from its ledger, reading the rest of its recorded source first if it had not finished reading it. */
export async function resumeMap(deps: MapDeps, id: string, options: MapOptions = {}): Promise<MapSummary> {
  const summary = await resumeMapIfFree(deps, id, options);
  if (!summary) throw drivenElsewhere(id);
  return summary;
}

/** resumeMap, or undefined at once when another process drives the map (what the engine's resume scan calls). */
export async function resumeMapIfFree(deps: MapDeps, id: string, options: MapOptions = {}): Promise<MapSummary | undefined> {
  let rec = await mustGet(deps, id);
  if (finished.has(rec.status)) return summaryOf(deps, rec);
  const source = sourceOf(rec.options);
  if (!rec.sourceDone && !source) throw new ValidationError(`map "${id}" had not finished reading its source, which was not recorded (an async iterable).`, { action: 'Start it again with map() and the same source and id.' });
  return leased(deps, id, options, async (opts) => {
    await deps.backend.jobs.maps.recover(id);
    if (!rec.sourceDone && source) rec = await load(deps, rec, source, opts.signal);
    return drive(deps, findFn(deps, rec.fn), rec, resolveOptions(id, { ...savedOptions(rec), ...options }), opts);
  });
}

/** Puts the failed items of a finished map back to pending and runs only those. */
export async function redriveMap(deps: MapDeps, id: string, options: MapOptions = {}): Promise<MapSummary & { redriven: number }> {
  const rec = await mustGet(deps, id);
  if (!finished.has(rec.status)) throw new ValidationError(`map "${id}" is ${rec.status}; only a finished map can be redriven.`, { action: 'Wait for it to finish, or resume it.' });
  const ledger = deps.backend.jobs.maps;
  const summary = await leased(deps, id, options, async (opts) => {
    const redriven = await ledger.redrive(id);
    return { ...(await drive(deps, findFn(deps, rec.fn), rec, resolveOptions(id, { ...savedOptions(rec), ...options }), opts)), redriven };
  });
  if (!summary) throw drivenElsewhere(id);
  return summary;
}

/** Runs `body` holding the map's driver lease (renewed meanwhile; its loss aborts like the signal); undefined when another process holds it. */
async function leased<T extends MapSummary>(deps: MapDeps, id: string, options: MapOptions, body: (options: MapOptions) => Promise<T>): Promise<T | undefined> {
  const lease = new Lease(deps.backend.tables, deps.backend.clock, leasePath('maps', id), defaults.jobs.leaseMs, `the coordinator of map "${id}"`);
  if (!(await lease.acquire())) return undefined;
  const keep = new AbortController();
  const alive = lease.keepAlive(keep.signal, () => undefined);
  let summary: T | undefined;
  try {
    summary = await body({ ...options, signal: options.signal ? AbortSignal.any([options.signal, lease.lost]) : lease.lost });
    return summary;
  } finally {
    keep.abort();
    await alive;
    await lease.release({ finished: summary !== undefined && finished.has(summary.status) }).catch(() => undefined);
  }
}

function checkFn(rec: MapRecord, fn: string): true {
  if (rec.fn !== fn) throw new ValidationError(`map "${rec.id}" exists for fn "${rec.fn}", not "${fn}".`, { action: 'Use another map id, or the same function to resume it.' });
  return true;
}

function drivenElsewhere(id: string): ConditionFailedError {
  return new ConditionFailedError(`map "${id}" is being run by another process (an engine or \`baton map\`) on this state.`, { action: 'Follow it with `baton jobs progress <id>`; if that process died, its lease expires and the next engine resumes the map.' });
}

export async function mapProgress(backend: Backend, id: string): Promise<{ map: MapRecord; counts: MapCounts }> {
  const map = await backend.jobs.maps.get(id);
  if (!map) throw new NotFoundError(`map "${id}" does not exist.`, { action: 'List maps with `baton jobs`.' });
  return { map, counts: await backend.jobs.maps.counts(id) };
}

async function load(deps: MapDeps, rec: MapRecord, source: MapSource, signal?: AbortSignal): Promise<MapRecord> {
  const ledger = deps.backend.jobs.maps;
  const batch = defaults.map.readBatch;
  let from = rec.loaded;
  let chunk: string[] = [];
  for await (const item of readSource(source, deps.backend.objects, from)) {
    chunk.push(JSON.stringify(item ?? null));
    if (chunk.length >= batch) {
      await ledger.addItems(rec.id, from, chunk, false);
      from += chunk.length;
      chunk = [];
      if (signal?.aborted) break;
    }
  }
  if (!signal?.aborted) await ledger.addItems(rec.id, from, chunk, true);
  return mustGet(deps, rec.id);
}

async function drive(deps: MapDeps, fn: FnConfig, rec: MapRecord, o: ResolvedMapOptions, options: MapOptions): Promise<MapSummary> {
  const ledger = deps.backend.jobs.maps;
  const id = rec.id;
  if (options.signal?.aborted) return { id, fn: fn.name, status: rec.status, counts: await ledger.counts(id) };
  await ledger.setStatus(id, 'running');
  const counts = await ledger.counts(id);
  const tolerated = toleratedCount(o.toleratedFailures, counts.total);
  const target: FnConfig = { ...fn, concurrency: o.concurrency, ...(options.route ? { route: options.route } : {}) };
  const progress = (c: MapCounts) => options.onProgress?.({ id, status: 'running', ...c });
  const dispatcher = new Dispatcher({ backend: deps.backend, executor: deps.executor, ledger, fn: target, mapId: id, readBatch: defaults.map.readBatch }, o, counts, tolerated, progress);
  if (counts.failed > tolerated) dispatcher.stopped = 'budget';
  else await dispatcher.run(options.signal);
  // Items taken into the buffer but never dispatched (stopped early) go back to pending.
  await ledger.recover(id);
  if (dispatcher.stopped === 'aborted') return { id, fn: fn.name, status: 'running', counts: await ledger.counts(id) };
  if (dispatcher.stopped === 'error') throw new BatonError(`map "${id}": the ledger could not be written (${String(dispatcher.writeError)}); dispatching stopped.`, { action: 'Fix the state directory, then start the map again with the same id: it resumes.', cause: dispatcher.writeError });
  const final = await ledger.counts(id);
  let status: MapStatus = dispatcher.stopped === 'cancelled' ? 'cancelled' : 'succeeded';
  let error: SerializedError | undefined;
  if (dispatcher.stopped === 'budget' || final.failed > tolerated) {
    status = 'failed';
    error = serializeError(
      new BatonError(`map "${id}": ${final.failed} items failed for good, more than the ${tolerated} tolerated (toleratedFailures ${show(o.toleratedFailures)}); dispatching stopped with ${final.pending + final.running} items not run.`, {
        action: `See ${o.bucket}/${o.prefix}failed.jsonl; fix the cause, then redrive the failed items (redriveMap, or \`baton map --redrive ${id}\`).`,
      }),
    );
  }
  const outputs = await writeOutputs(deps.backend.objects, ledger, { id, fn: fn.name, status, counts: final, ...(error ? { error } : {}) }, { bucket: o.bucket, prefix: o.prefix }, deps.backend.clock.now());
  await ledger.setStatus(id, status, { ...(error ? { error } : {}), manifest: outputs.manifest });
  options.onProgress?.({ id, status, ...final });
  return { id, fn: fn.name, status, counts: final, outputs, ...(error ? { error } : {}) };
}

async function summaryOf(deps: MapDeps, rec: MapRecord): Promise<MapSummary> {
  const o = savedOptions(rec);
  const bucket = o.bucket ?? defaults.map.bucket;
  const prefix = o.prefix ?? `maps/${rec.id}/`;
  const at = (name: string) => ({ bucket, key: `${prefix}${name}` });
  return { id: rec.id, fn: rec.fn, status: rec.status, counts: await deps.backend.jobs.maps.counts(rec.id), ...(rec.manifest ? { outputs: { manifest: rec.manifest, succeeded: at('succeeded.jsonl'), failed: at('failed.jsonl') } } : {}), ...(rec.error ? { error: rec.error } : {}) };
}

function savedOptions(rec: MapRecord): MapOptions & Partial<ResolvedMapOptions> {
  const o = (rec.options ?? {}) as Partial<ResolvedMapOptions>;
  return { ...o, ...(o.bucket || o.prefix ? { output: { ...(o.bucket ? { bucket: o.bucket } : {}), ...(o.prefix ? { prefix: o.prefix } : {}) } } : {}) };
}

async function mustGet(deps: MapDeps, id: string): Promise<MapRecord> {
  const rec = await deps.backend.jobs.maps.get(id);
  if (!rec) throw new NotFoundError(`map "${id}" does not exist.`, { action: 'List maps with `baton jobs`.' });
  return rec;
}
