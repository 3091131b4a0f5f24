/** A map's options, resolved against defaults.map. */
import { defaults } from '../../core/defaults.ts';
import { ValidationError, show } from '../../core/errors.ts';
import type { FnRoute } from '../../core/resources/fn.ts';
import type { MapCounts, MapStatus } from '../../ports/jobs.ts';

export interface MapProgress extends MapCounts {
  id: string;
  status: MapStatus;
}

export interface MapOptions {
  /** Names the map: starting a map with an id that exists resumes it. @defaultValue a fresh UUID */
  id?: string;
  /** Invocations at once. @defaultValue defaults.map.concurrency */
  concurrency?: number;
  /** Items per invocation: 1 passes the item as the event; more pass { mapId, items: [{ index, item }] }. @defaultValue 1 */
  batchSize?: number;
  /** Picks the executor per invocation (e.g. large items to the container); default the fn's own rule. */
  route?: FnRoute;
  /** Retries of a failing item after its first attempt. @defaultValue defaults.map.retries */
  retries?: number;
  /** Items allowed to fail for good before the map stops: a count, or a percentage such as '5%'. @defaultValue 0 */
  toleratedFailures?: number | `${number}%`;
  /** Where the manifest, succeeded.jsonl and failed.jsonl go. @defaultValue { bucket: 'baton-maps', prefix: 'maps/<id>/' } */
  output?: { bucket?: string; prefix?: string };
  /**
   * Record each invocation as a run (trigger 'map:<id>'). Off by default: the ledger already keeps
   * each item's status, attempts and error, and two run writes per invocation would cost more than
   * the dispatch itself. @defaultValue false
   */
  recordRuns?: boolean;
  /** Called with live counts after each ledger write. */
  onProgress?: (progress: MapProgress) => void;
  /** Stops dispatching; running invocations finish; the map stays resumable. */
  signal?: AbortSignal;
}

export interface ResolvedMapOptions {
  concurrency: number;
  batchSize: number;
  retries: number;
  toleratedFailures: number | `${number}%`;
  bucket: string;
  prefix: string;
  recordRuns: boolean;
}

function whole(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ValidationError(`map: option "${name}" is ${show(v)}; expected a whole number of at least ${min}.`);
  return v;
}

export function resolveOptions(id: string, o: MapOptions): ResolvedMapOptions {
  const d = defaults.map;
  const tolerated = o.toleratedFailures ?? d.toleratedFailures;
  if (typeof tolerated === 'string' ? !/^\d+(\.\d+)?%$/.test(tolerated) : !(Number.isInteger(tolerated) && tolerated >= 0)) {
    throw new ValidationError(`map: option "toleratedFailures" is ${show(tolerated)}; expected a count such as 10 or a percentage such as '5%'.`);
  }
  return {
    concurrency: whole('concurrency', o.concurrency ?? d.concurrency, 1),
    batchSize: whole('batchSize', o.batchSize ?? d.batchSize, 1),
    retries: whole('retries', o.retries ?? d.retries, 0),
    toleratedFailures: tolerated,
    bucket: o.output?.bucket ?? d.bucket,
    prefix: o.output?.prefix ?? `maps/${id}/`,
    recordRuns: o.recordRuns ?? false,
  };
}

/** The number of final failures a map of `total` items tolerates. */
export function toleratedCount(t: number | `${number}%`, total: number): number {
  return typeof t === 'number' ? t : Math.floor((total * Number(t.slice(0, -1))) / 100);
}
