// A clickstream generator: a website's tracker posting events to the firehose with the Firehose
// JSON protocol (PutRecordBatch, records in base64), as an AWS SDK client would. It can mix in
// events that fail the schema (each a known way real trackers go wrong) and events from an older
// tracker (schema "clickstream/v1") that the standardize function cannot read until its switch is on.
import { legacyMarker, type ClickEvent, type LegacyEvent } from './schema.ts';

const types: ClickEvent['event_type'][] = ['page_view', 'click', 'add_to_cart', 'purchase'];
const pages = ['/', '/search', '/product/42', '/product/7', '/cart', '/checkout'];

/** Ways an event fails the schema; each one is rejected by standardize with its reason. */
const broken: Array<(e: ClickEvent) => string> = [
  (e) => JSON.stringify(e).slice(0, 30), // cut off mid-record: not JSON
  (e) => JSON.stringify({ ...e, event_type: 'hover' }), // not one of the enum's values
  (e) => JSON.stringify({ ...e, user_id: undefined }), // a required field missing
  (e) => JSON.stringify({ ...e, ts: 'yesterday' }), // not a timestamp
];

export interface SlotCounts {
  posted: number;
  valid: number;
  invalid: number;
  legacy: number;
}

export class ClickGenerator {
  private n = 0;

  constructor(
    private readonly url: string,
    private readonly stream = 'clicks',
  ) {}

  /** Posts `events` events stamped from `at` on, of which `invalid` fail the schema and `legacy` come from tracker v1. */
  async post(at: number, events: number, opts: { invalid?: number; legacy?: number } = {}): Promise<SlotCounts> {
    const invalid = opts.invalid ?? 0;
    const legacy = opts.legacy ?? 0;
    const lines: string[] = [];
    for (let i = 0; i < events; i++) {
      const n = this.n++;
      const e: ClickEvent = { event_id: `ev-${n}`, user_id: `u${n % 97}`, session_id: `s${Math.floor(n / 8)}`, event_type: types[n % types.length]!, page: pages[n % pages.length]!, ts: new Date(at + i * 100).toISOString(), ...(n % 4 === 3 ? { value: (n % 50) + 0.99 } : {}) };
      if (i < invalid) lines.push(broken[n % broken.length]!(e));
      else if (i < invalid + legacy) lines.push(JSON.stringify(toLegacy(e)));
      else lines.push(JSON.stringify(e));
    }
    for (let i = 0; i < lines.length; i += 500) await this.putBatch(lines.slice(i, i + 500));
    return { posted: events, valid: events - invalid, invalid, legacy };
  }

  private async putBatch(lines: string[]): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Firehose_20150804.PutRecordBatch' },
      body: JSON.stringify({ DeliveryStreamName: this.stream, Records: lines.map((l) => ({ Data: Buffer.from(l).toString('base64') })) }),
    });
    const body = (await res.json()) as { FailedPutCount?: number; message?: string };
    if (!res.ok || body.FailedPutCount !== 0) throw new Error(`PutRecordBatch failed: ${res.status} ${body.message ?? JSON.stringify(body)}`);
  }
}

function toLegacy(e: ClickEvent): LegacyEvent {
  const v: LegacyEvent = { schema: 'clickstream/v1', id: e.event_id, uid: e.user_id, sid: e.session_id, action: e.event_type, url: e.page, epoch_ms: Date.parse(e.ts) };
  if (e.value !== undefined) v.cents = Math.round(e.value * 100);
  if (!JSON.stringify(v).includes(legacyMarker)) throw new Error('the v1 marker must match what the function looks for');
  return v;
}
