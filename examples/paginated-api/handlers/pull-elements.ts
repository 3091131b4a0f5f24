// The seed's Lambda: pull the paginated API into the bucket, a page at a time, past the time
// limit. Fired by an EventBridge schedule (every 20 minutes, 06:00-08:40).
//
// Where the seed's design is flawed, this keeps what it wanted and does it right:
// - The seed saved the element count when the run ended; a run killed by the time limit saved
//   nothing. Here the cursor is saved after every page, and the run stops on its own while
//   getRemainingTimeInMillis() still leaves STOP_MARGIN_MS plus its slowest page.
// - The seed reset the cursor to 0 and relied on the time of day to stop repeat calls, so a tick
//   later in the window would have pulled everything again. Here `done-on` holds the day that
//   finished: later ticks that day (and any tick outside the window) make no API call.
// - Two runs at once (a retry, a manual invoke) could both advance the cursor: every cursor
//   write is compare-and-set on the version read, and the run that loses stops.
// - A cursor left by a day that did not finish would have resumed mid-way the next day:
//   `cursor-day` says which day the cursor belongs to, and a new day starts again at 0.
// - Re-pulled pages must not duplicate rows: object keys are the day and the offset, so a page
//   written twice is the same object, and the loader replaces the day's partition.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { connect, ConditionFailedError } from 'baton/handler';
import { pageToXml } from './xml.ts';

interface ElementsPage {
  total: number;
  offset: number;
  limit: number;
  items: Array<Record<string, string | number>>;
  next: number | null;
}

export interface PullResult {
  day: string;
  outcome: 'done-today' | 'outside-window' | 'stopped-for-time' | 'finished' | 'lost-cursor-race';
  from: number;
  to: number;
  pages: number;
}

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set; declare it in the fn's env in baton.config.ts`);
  return v;
};

/** The day (YYYY-MM-DD) and minutes since midnight of an instant in a time zone. */
function localTime(iso: string, timeZone: string): { day: string; minutes: number } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function inWindow(minutes: number, window: string): boolean {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(window);
  if (!m) throw new Error(`WINDOW "${window}" is not of the form HH:MM-HH:MM`);
  const [start, end] = [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
  return minutes >= start && minutes < end;
}

export const handler = async (event: ScheduledEvent, context: Context): Promise<PullResult> => {
  const { objects, params } = connect();
  const bucket = env('BUCKET');
  const path = env('PARAMS');
  // The tick's own time (EventBridge's `time`), not the wall clock: a late or retried delivery
  // still belongs to the tick that fired it.
  const { day, minutes } = localTime(event.time, env('TIME_ZONE'));
  const report = (r: Omit<PullResult, 'day'>): PullResult => {
    console.log(`pull-result ${JSON.stringify({ day, ...r })}`);
    return { day, ...r };
  };

  // The time-window guard: no API call once today's pull is done, nor outside the window.
  if ((await params.get(`${path}/done-on`)).value === day) return report({ outcome: 'done-today', from: 0, to: 0, pages: 0 });
  if (!inWindow(minutes, env('WINDOW'))) return report({ outcome: 'outside-window', from: 0, to: 0, pages: 0 });

  let cursor = await params.get(`${path}/cursor`);
  if ((await params.get(`${path}/cursor-day`)).value !== day) {
    if (cursor.value !== '0') console.warn(`cursor ${cursor.value} belongs to an unfinished earlier day; ${day} starts at 0`);
    // Reset first, then claim the day: a crash between the two only resets again next time.
    cursor = { ...cursor, value: '0', version: (await params.put(`${path}/cursor`, { value: '0', overwrite: true, expectedVersion: cursor.version })).version };
    await params.put(`${path}/cursor-day`, { value: day, overwrite: true });
  }
  const apiUrl = (await params.get(`${path}/api-url`)).value;
  const margin = Number(env('STOP_MARGIN_MS'));
  const from = Number(cursor.value);
  let offset = from;
  let pages = 0;
  let slowestPageMs = 0;

  for (;;) {
    if (context.getRemainingTimeInMillis() < margin + slowestPageMs) return report({ outcome: 'stopped-for-time', from, to: offset, pages });
    const started = Date.now();
    const res = await fetch(`${apiUrl}/v1/elements?offset=${offset}`, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`GET ${apiUrl}/v1/elements?offset=${offset}: HTTP ${res.status} ${await res.text()}`);
    const page = (await res.json()) as ElementsPage;
    const name = `raw/dt=${day}/%s/offset-${String(offset).padStart(6, '0')}`;
    await objects.put(bucket, `${name.replace('%s', 'json')}.json`, JSON.stringify(page), { contentType: 'application/json' });
    await objects.put(bucket, `${name.replace('%s', 'xml')}.xml`, pageToXml(page), { contentType: 'application/xml' });
    pages++;
    const next = page.next ?? 0;
    if (page.next === null) {
      // The manifest's object-created event starts the load; then the day is done and the cursor back to 0.
      await objects.put(bucket, `raw/dt=${day}/_manifest.json`, JSON.stringify({ day, total: page.total, pageSize: page.limit }), { contentType: 'application/json' });
      await params.put(`${path}/done-on`, { value: day, overwrite: true });
    }
    try {
      cursor = { ...cursor, value: String(next), version: (await params.put(`${path}/cursor`, { value: String(next), overwrite: true, expectedVersion: cursor.version })).version };
    } catch (err) {
      if (err instanceof ConditionFailedError) return report({ outcome: 'lost-cursor-race', from, to: offset, pages });
      throw err;
    }
    if (page.next === null) return report({ outcome: 'finished', from, to: offset + page.items.length, pages });
    offset = next;
    slowestPageMs = Math.max(slowestPageMs, Date.now() - started);
  }
};
