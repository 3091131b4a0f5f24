// The clickstream record, declared once: the standardize handler validates every event against it
// and it becomes the Parquet columns of the lake. Also the lake's layout and the one divergence the
// demo injects: events from an older tracker (schema "clickstream/v1") that the function cannot read
// until its switch is on.
import { z } from 'zod';

export const clickEvent = z.object({
  event_id: z.string(),
  user_id: z.string(),
  session_id: z.string(),
  event_type: z.enum(['page_view', 'click', 'add_to_cart', 'purchase']),
  page: z.string(),
  ts: z.iso.datetime(),
  value: z.number().optional(),
});

export type ClickEvent = z.infer<typeof clickEvent>;

/** An event as tracker v1 sent it: other names, epoch milliseconds, the value in cents. */
export interface LegacyEvent {
  schema: 'clickstream/v1';
  id: string;
  uid: string;
  sid: string;
  action: ClickEvent['event_type'];
  url: string;
  epoch_ms: number;
  cents?: number;
}

export const legacyMarker = '"schema":"clickstream/v1"';

/** The switch the standardize function reads: 'on' once the v1 mapping below is trusted. */
export const acceptLegacySwitch = '/clickstream/accept-legacy-v1';

export function fromLegacy(e: LegacyEvent): ClickEvent {
  return {
    event_id: e.id,
    user_id: e.uid,
    session_id: e.sid,
    event_type: e.action,
    page: e.url,
    ts: new Date(e.epoch_ms).toISOString(),
    ...(e.cents === undefined ? {} : { value: e.cents / 100 }),
  };
}

export const lake = {
  bucket: 'lake',
  /** Firehose objects: raw/YYYY/MM/DD/HH/clicks-<time>-<id>.jsonl.gz (arrival hour, UTC). */
  raw: 'raw/',
  /** The "Parquet queue": standardized files waiting for their hour's compaction. */
  staging: 'staging/',
  /** Rejected events with their line numbers and reasons. */
  rejected: 'rejected/',
  /** A marker per raw file the function could not process (it is in the DLQ until redriven). */
  quarantine: 'quarantine/',
  /** Raw files rewritten from tracker v1 before standardize (deleted after). */
  converted: 'converted/',
  /** Hourly files: events/dt=YYYY-MM-DD/hour=HH/part-<generation>-<i>.parquet */
  events: 'events/',
  table: 'events',
} as const;

/** The keys derived from a raw object's key: same folders and name under each prefix. */
export function keysFor(rawKey: string): { staging: string; rejected: string; quarantine: string; converted: string } {
  if (!rawKey.startsWith(lake.raw)) throw new Error(`${rawKey} is not under ${lake.raw}`);
  const rel = rawKey.slice(lake.raw.length).replace(/\.jsonl(\.gz)?$/, '');
  return { staging: `${lake.staging}${rel}.parquet`, rejected: `${lake.rejected}${rel}.jsonl`, quarantine: `${lake.quarantine}${rel}.json`, converted: `${lake.converted}${rel}.jsonl` };
}
