import type { ScheduledEvent } from 'aws-lambda';
import { Catalog, compact, hourFromKey, type CompactResult } from 'baton/data';
import { connect, type ObjectStore } from 'baton/handler';
import { keysFor, lake } from '../schema.ts';

const HOUR = 3_600_000;
/** The schedule fires at :20: the previous hour is due once 20 minutes have passed since it ended. */
const GRACE = 20 * 60_000;

// An EventBridge scheduled-event handler, fired at 20 past every hour. It merges each finished
// hour's staged Parquet files into one file under events/dt=YYYY-MM-DD/hour=HH/, registers the
// partition in the catalog, deletes the merged sources, and appends files that arrive late (a file
// redriven after a fix) to the hour they belong to.
//
// The seed's design has two flaws this keeps the behaviour of but does right:
// - It "appends" a late file to the hourly Parquet file. Parquet cannot be appended to in place, and
//   rewriting blindly would duplicate rows if the run died half-way or ran twice. compact() writes a
//   new generation of the hour from the old files plus the new sources and commits it with a manifest
//   of the sources it holds (one atomic put), so a late file is merged exactly once and a re-run
//   changes nothing.
// - It judges an hour complete from file names alone, so a file still being standardized at :20 is
//   compacted later as if it were late, and one in the DLQ is not told apart from one lost. Here a
//   first compaction waits until every raw firehose object of the hour has its staged file, or a
//   quarantine marker saying it failed and will be redriven (it is then appended when it comes).
//   The time rule uses the event's own time (the tick), not the wall clock, so a late or repeated
//   tick judges the hour as the tick did.
export const handler = async (event: ScheduledEvent): Promise<CompactResult> => {
  const { objects } = connect();
  const tick = Date.parse(event.time);
  const catalog = await Catalog.open(objects);
  const compacted = new Set(((await catalog.findTable(lake.table)) ? await catalog.partitions(lake.table) : []).map((p) => `${p.values['dt']}/${p.values['hour']}`));
  const inFlight = await hoursWithFilesInFlight(objects, tick, compacted);
  const result = await compact(objects, {
    source: { bucket: lake.bucket, prefix: lake.staging },
    destination: { bucket: lake.bucket, prefix: lake.events },
    period: 'hour',
    completeness: { graceMs: GRACE, watermark: tick },
    // An hour with a raw file still being standardized is held back for the next tick.
    hourOf: (key) => {
      const h = hourFromKey(key);
      return h === undefined || inFlight.has(h) ? undefined : h;
    },
    catalog: { catalog, table: lake.table },
  });
  for (const h of result.hours) console.log(`${h.hour}: ${h.status}${h.merged ? `, ${h.merged} file(s) merged` : ''}, ${h.rows} rows${h.reason ? ` (${h.reason})` : ''}`);
  for (const h of inFlight) console.log(`${new Date(h).toISOString().slice(0, 13)}h: waits, a raw file of the hour is still being standardized`);
  return result;
};

/** Hours not compacted yet, past their grace, with a raw object that has neither a staged file nor a quarantine marker. */
async function hoursWithFilesInFlight(objects: ObjectStore, tick: number, compacted: Set<string>): Promise<Set<number>> {
  const staged = await keys(objects, lake.staging);
  const quarantined = await keys(objects, lake.quarantine);
  const hours = new Set<number>();
  for (const key of staged) {
    const h = hourFromKey(key);
    if (h !== undefined && h + HOUR + GRACE <= tick && !compacted.has(new Date(h).toISOString().slice(0, 13).replace('T', '/'))) hours.add(h);
  }
  const out = new Set<number>();
  for (const h of hours) {
    const folder = new Date(h).toISOString().slice(0, 13).replace(/-/g, '/').replace('T', '/');
    for (const raw of await keys(objects, `${lake.raw}${folder}/`)) {
      const k = keysFor(raw);
      if (!staged.has(k.staging) && !quarantined.has(k.quarantine)) out.add(h);
    }
  }
  return out;
}

async function keys(objects: ObjectStore, prefix: string): Promise<Set<string>> {
  const out = new Set<string>();
  let token: string | undefined;
  do {
    const page = await objects.list(lake.bucket, { prefix, ...(token ? { continuationToken: token } : {}) });
    for (const o of page.objects) out.add(o.key);
    token = page.nextContinuationToken;
  } while (token);
  return out;
}
