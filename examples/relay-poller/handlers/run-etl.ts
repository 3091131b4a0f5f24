// Seed 002's recursive relay, as a Lambda handler. A report object lands in the bucket; its
// object-created event invokes this function, which uploads the report to the external ETL service
// (starting a job that takes many times this function's time limit) and polls the job. When its
// remaining time is nearly up it re-invokes itself asynchronously with its state in the event
// (job id, retries left), as the seed's invoke_async did; when the job completes it publishes a
// notification. Each report carries its own state in its own chain of invocations, so two reports
// at once never see each other's job (the seed's reason for relaying instead of a shared poller).
//
// How the relay re-invokes: a Baton handler reaches Lambda's async invoke through a topic with
// this function as its subscriber ('relay' in baton.config.ts). Publishing the state there is an
// asynchronous invoke of this function with an SNS event: Lambda's async semantics (two retries,
// then the on-failure destination) and the event is durable before this invocation returns.
//
// The seed's flaws, and what is done here instead:
//  - AWS keys in the code: none. The relay publishes to a topic of its own app; the ETL service's
//    address comes from the function's environment.
//  - `while remaining > TIMEOUT: continue` spins the CPU and hammers the API: it polls every
//    POLL_INTERVAL_MS, and each status request is cut off before the margin, so a slow answer can
//    never push the invocation past its limit.
//  - `if not event.get("NUM_RETRIES")` treats 0 as "not set" and resets the budget, and the
//    budget running out ended silently (`return False`): the budget is set once, when the job
//    starts, and only counts down; an exhausted budget cancels the job and notifies the failure.
//  - A crash of one link killed the whole chain unnoticed: the async invoke retries it with the
//    same state (starting and polling are idempotent), and the function's on-failure destination
//    is the notifications topic, so a chain that cannot go on still ends with a notification.
//  - S3 may deliver an event twice, and a link that times out just after relaying is retried and
//    relays again: the job is started with an idempotency key (bucket, key, the put's sequencer), and each link
//    claims its place in the chain in a table (claim below), so a chain never forks.
import type { Context, S3Event, SNSEvent } from 'aws-lambda';
import { ConditionFailedError, connect } from 'baton/handler';

/** What travels in the relay event: everything the next invocation needs, nothing else. */
interface RelayState {
  bucket: string;
  report: string;
  /** The object-created event's sequencer (one per put): with bucket and key, the job's idempotency key. */
  put: string;
  /** Absent until the ETL service has answered the start. */
  jobId?: string;
  /** Relays this chain may still make; the seed's NUM_RETRIES. */
  retriesLeft: number;
  /** Invocations of this chain so far, this one included. */
  invocation: number;
}

interface JobStatus {
  jobId: string;
  status: 'running' | 'complete' | 'cancelled' | 'failed';
  rows: number;
  rowsLoaded: number;
}

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};
const MAX_RETRIES = env('MAX_RETRIES', 20);
const TIMEOUT_MARGIN_MS = env('TIMEOUT_MARGIN_MS', 300);
const POLL_INTERVAL_MS = env('POLL_INTERVAL_MS', 100);
const RELAY_TOPIC = process.env.RELAY_TOPIC ?? 'relay';
const NOTIFY_TOPIC = process.env.NOTIFY_TOPIC ?? 'notifications';
const LINKS_TABLE = process.env.LINKS_TABLE ?? 'relay-links';

function etlUrl(path: string): string {
  const base = process.env.ETL_URL;
  if (!base) throw new Error('ETL_URL is not set: give the ETL service address in the function env (baton.config.ts).');
  return new URL(path, base).href;
}

// Init work, done once per worker outside the handler (as SDK clients are on Lambda), so it does not
// count against the time limit: open the store, and open the HTTP connection to the ETL service
// (fetch's first call compiles its client, long enough on a busy machine to eat the margin).
const { objects, tables, topics } = connect();
await fetch(etlUrl('/health'), { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
await tables.get(LINKS_TABLE, { link: 'warm-up' }).catch(() => undefined);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const timeLeft = (context: Context) => context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS;

/**
 * Uploads the report and starts its job; undefined when the service did not answer in the time
 * left (the next link asks again with the same idempotency key, so it gets the same job).
 */
async function startJob(state: RelayState, context: Context): Promise<string | undefined> {
  const { body } = await objects.get(state.bucket, state.report);
  try {
    const res = await fetch(etlUrl(`/jobs?report=${encodeURIComponent(state.report)}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${state.bucket}/${state.report}@${state.put}` },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(Math.max(1, timeLeft(context))),
    });
    if (!res.ok) throw new Error(`ETL refused ${state.report}: HTTP ${res.status} ${await res.text()}`);
    const job = (await res.json()) as JobStatus;
    console.log(`started ETL ${job.jobId} for ${state.report} (${job.rows} rows)`);
    return job.jobId;
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return undefined;
    throw err;
  }
}

/** One status request, cut off before the margin; undefined when it had no time to answer. */
async function pollJob(jobId: string, context: Context): Promise<JobStatus | undefined> {
  try {
    const res = await fetch(etlUrl(`/jobs/${jobId}`), { signal: AbortSignal.timeout(Math.max(1, timeLeft(context))) });
    if (!res.ok) throw new Error(`ETL status of ${jobId}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as JobStatus;
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return undefined;
    throw err;
  }
}

async function notify(state: RelayState, status: 'complete' | 'failed', detail: Record<string, unknown>): Promise<void> {
  const message = { status, report: state.report, jobId: state.jobId, invocations: state.invocation, ...detail };
  await topics.publish(NOTIFY_TOPIC, { subject: `ETL ${status}: ${state.report}`, message: JSON.stringify(message) });
  console.log(`notified: ${state.jobId} ${status} after ${state.invocation} invocations`);
}

/**
 * Claims this link of the chain for this request. An async retry of the same link (after a time-out
 * or an error) has the same request id and goes on; a second copy of a link (a repeated S3 event,
 * or a link that timed out just after relaying, whose retry relays again) has another and stops
 * here, so a chain never forks into two pollers and two notifications.
 */
async function claim(state: RelayState, requestId: string): Promise<boolean> {
  const link = `${state.bucket}/${state.report}@${state.put}#${state.invocation}`;
  try {
    await tables.put(LINKS_TABLE, { link, requestId }, { condition: { notExists: true } });
    return true;
  } catch (err) {
    if (!(err instanceof ConditionFailedError)) throw err;
    return (await tables.get(LINKS_TABLE, { link }))?.requestId === requestId;
  }
}

/** Polls one job until it ends or this invocation's time is nearly up, then relays or gives up. */
async function follow(start: RelayState, context: Context): Promise<void> {
  let state = start;
  let polls = 0;
  while (timeLeft(context) > 0) {
    if (!state.jobId) {
      const jobId = await startJob(state, context);
      if (jobId) state = { ...state, jobId };
      continue;
    }
    const job = await pollJob(state.jobId, context);
    polls++;
    if (job?.status === 'complete') return notify(state, 'complete', { rowsLoaded: job.rowsLoaded });
    if (job && job.status !== 'running') return notify(state, 'failed', { reason: `the ETL job ended ${job.status}` });
    await sleep(Math.min(POLL_INTERVAL_MS, timeLeft(context)));
  }
  if (state.retriesLeft > 0) {
    const next: RelayState = { ...state, retriesLeft: state.retriesLeft - 1, invocation: state.invocation + 1 };
    console.log(`${state.jobId ?? 'start of ' + state.report} still running after ${polls} polls; relaying (${next.retriesLeft} retries left)`);
    // Last thing this invocation does: the next link is durable once publish returns.
    await topics.publish(RELAY_TOPIC, { subject: `relay ${state.jobId}`, message: JSON.stringify(next) });
    return;
  }
  // Budget spent: stop the job rather than leave it running unwatched, and say so.
  if (!state.jobId) return notify(state, 'failed', { reason: `retries budget exhausted: the ETL service never answered the start in ${state.invocation} invocations (MAX_RETRIES ${MAX_RETRIES})` });
  await fetch(etlUrl(`/jobs/${state.jobId}`), { method: 'DELETE', signal: AbortSignal.timeout(Math.max(1, context.getRemainingTimeInMillis() - 50)) }).catch(() => undefined);
  await notify(state, 'failed', { reason: `retries budget exhausted: the job was still running after ${state.invocation} invocations (MAX_RETRIES ${MAX_RETRIES}); cancelled` });
}

function isSns(event: S3Event | SNSEvent): event is SNSEvent {
  return (event.Records?.[0] as { EventSource?: string } | undefined)?.EventSource === 'aws:sns';
}

export const handler = async (event: S3Event | SNSEvent, context: Context): Promise<void> => {
  const states = isSns(event)
    ? event.Records.map((r) => JSON.parse(r.Sns.Message) as RelayState)
    : (event.Records ?? []).map((r): RelayState => ({ bucket: r.s3.bucket.name, report: decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')), put: r.s3.object.sequencer ?? r.s3.object.eTag, retriesLeft: MAX_RETRIES, invocation: 1 }));
  // Each state is its own chain: follow them side by side, each relaying on its own.
  await Promise.all(
    states.map(async (s) => {
      if (await claim(s, context.awsRequestId)) return follow(s, context);
      console.log(`link ${s.invocation} of ${s.report} already runs under another request: a duplicate, dropped`);
    }),
  );
};
