/**
 * What cannot be deployed as written: each problem names the resource, the field and the fix,
 * before any construct is made. Pure (no CDK), so `baton synth` and tests find them fast.
 */
import type { AppSpec } from '../core/app.ts';
import type { FnConfig, QueueTriggerConfig } from '../core/resources/fn.ts';
import { Names } from '../backends/aws/names.ts';
import type { ResolvedProps } from './props.ts';
import { showMs } from './units.ts';

const lambdaMaxTimeoutMs = 15 * 60_000;
const sqsMaxBatchWithoutWindow = 10;

/** The queue triggers of every function, with the function. */
export function queueTriggers(spec: AppSpec): Array<{ fn: FnConfig; trigger: QueueTriggerConfig; index: number }> {
  return spec.fns.flatMap((fn) => fn.triggers.flatMap((trigger, index) => (trigger.kind === 'queue' ? [{ fn, trigger, index }] : [])));
}

/** The longest timeout of the functions a queue triggers (0 when none). */
export function longestConsumerTimeoutMs(spec: AppSpec, queue: string): number {
  return Math.max(0, ...queueTriggers(spec).filter((t) => t.trigger.queue === queue).map((t) => t.fn.timeoutMs));
}

/** The queues Baton makes for a topic's function subscribers locally; on AWS SNS invokes the function. */
export function topicFnQueues(spec: AppSpec): Set<string> {
  return new Set(spec.topics.flatMap((t) => t.subscribers.flatMap((s) => (s.kind === 'queue' && s.fn !== undefined ? [s.queue] : []))));
}

function nameProblems(props: ResolvedProps): string[] {
  const { spec } = props;
  const names = new Names(props.prefix);
  const problems: string[] = [];
  const prefixFix = 'use a shorter name or another prefix (--prefix, BatonApp prefix)';
  for (const b of spec.buckets) {
    const n = names.bucket(b.name);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(n)) problems.push(`bucket "${b.name}": its S3 name "${n}" (prefix + name) is not a valid bucket name (3-63 lower-case letters, digits, '.', '-'); ${prefixFix}.`);
  }
  const fnQueues = topicFnQueues(spec);
  for (const q of spec.queues) {
    const n = names.queue(q.name);
    if (!fnQueues.has(q.name) && !/^[A-Za-z0-9_-]{1,80}$/.test(n)) problems.push(`queue "${q.name}": its SQS name "${n}" is not valid (at most 80 letters, digits, '-', '_'; no '.'); rename the queue or ${prefixFix}.`);
  }
  for (const t of spec.topics) {
    const n = names.topic(t.name);
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(n)) problems.push(`topic "${t.name}": its SNS name "${n}" is not valid (letters, digits, '-', '_'; no '.'); rename the topic.`);
  }
  return problems;
}

function fnProblems(props: ResolvedProps): string[] {
  const problems: string[] = [];
  for (const fn of props.spec.fns) {
    if (fn.timeoutMs > lambdaMaxTimeoutMs) {
      const how = fn.executor === 'container' || fn.route ? " (its Lambda is the front door that starts its container tasks)" : " (the function executor is Lambda)";
      problems.push(`fn "${fn.name}": field "timeout" = ${showMs(fn.timeoutMs)} is over Lambda's 15-minute limit${how}; set timeout to '15m' or less, and relay longer work with job() and continue.`);
    }
  }
  for (const fn of props.spec.fns) {
    if (fn.route && !props.configFile) {
      problems.push(`fn "${fn.name}": field "route" is a function of baton.config.ts, which its Lambda imports to route each event, but synth was not told where that file is; synth with --config <file> (BatonApp configFile).`);
    }
  }
  for (const { fn, trigger, index } of queueTriggers(props.spec)) {
    if (trigger.batchSize > sqsMaxBatchWithoutWindow && trigger.batchingWindowMs === 0) {
      problems.push(`fn "${fn.name}": field "triggers.${index}.batchSize" = ${trigger.batchSize} needs a batching window on AWS (SQS sends more than 10 messages at once only while it waits to fill a batch); add batchingWindow: '1s' or more, or use batchSize 10 or less.`);
    }
    const queue = props.spec.queues.find((q) => q.name === trigger.queue);
    if (queue && queue.visibilityTimeoutMs < fn.timeoutMs && !props.raiseVisibility) {
      problems.push(
        `queue "${queue.name}": field "visibilityTimeout" = ${showMs(queue.visibilityTimeoutMs)} is shorter than the timeout ${showMs(fn.timeoutMs)} of fn "${fn.name}" it triggers, and AWS refuses that event source mapping; set visibilityTimeout to '${showMs(fn.timeoutMs)}' or more (AWS advises 6 times the timeout), or synth with --raise-visibility (BatonApp raiseVisibility: true) to deploy the queue with the function's timeout.`,
      );
    }
  }
  return problems;
}

function canonicalZone(tz: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function scheduleProblems(props: ResolvedProps): string[] {
  const problems: string[] = [];
  const names = new Names(props.prefix);
  for (const s of props.spec.schedules) {
    const physical = `${names.prefix}${s.name}`;
    if (!/^[0-9A-Za-z_.-]{1,64}$/.test(physical)) problems.push(`schedule "${s.name}": its Scheduler name "${physical}" (prefix + name) is over the Scheduler's 64 characters; use a shorter name or prefix.`);
    const zone = canonicalZone(s.timezone);
    if (zone !== undefined && zone !== s.timezone && zone.toLowerCase() === s.timezone.toLowerCase()) {
      problems.push(`schedule "${s.name}": field "timezone" = "${s.timezone}" is not how the Scheduler spells it; write "${zone}".`);
    }
    if (s.expression.kind === 'cron' && /\d{4}/.test(s.expression.fields.year)) {
      const years = s.expression.fields.year.match(/\d{4}/g)!.map(Number);
      if (years.some((y) => y < 1970 || y > 2199)) problems.push(`schedule "${s.name}": field "expression" = "${s.source}" names a year outside the Scheduler's 1970-2199; use years in that range or *.`);
    }
    if (s.expression.kind === 'at') {
      const year = Number(s.expression.local.slice(0, 4));
      if (year > 2199) problems.push(`schedule "${s.name}": field "expression" = "${s.source}" is after the Scheduler's last year 2199; choose an earlier time.`);
    }
    if (!s.target) problems.push(`schedule "${s.name}": field "target" is missing, and a Scheduler schedule needs one; add target: { fn }, { queue } or { topic }.`);
  }
  return problems;
}

function topicProblems(props: ResolvedProps): string[] {
  if (props.fileSubscribers === 'omit') return [];
  return props.spec.topics.flatMap((t) =>
    t.subscribers.flatMap((s, i) =>
      s.kind === 'file'
        ? [`topic "${t.name}": field "subscribers.${i}" is a file subscriber ("${s.path}"), which cannot exist on AWS (a Lambda has no lasting disk to append to); replace it with a queue, fn or webhook subscriber, or synth with --omit-file-subscribers (BatonApp fileSubscribers: 'omit') to deploy the topic without it.`]
        : [],
    ),
  );
}

const sfnMaxConcurrency = 10_000;

function mapProblems(props: ResolvedProps): string[] {
  const problems: string[] = [];
  const { spec } = props;
  const names = new Names(props.prefix);
  const buckets = new Set(spec.buckets.map((b) => b.name));
  const bucketList = [...buckets].join(', ') || 'none';
  const seen = new Set<string>();
  props.maps.forEach((m, i) => {
    const at = `map "${m.name}" (maps.${i})`;
    const physical = `${names.prefix}${m.name}`;
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(physical)) problems.push(`${at}: its state machine name "${physical}" (prefix + name) is not valid (at most 80 letters, digits, '-', '_'); use a shorter name or prefix.`);
    if (seen.has(m.name)) problems.push(`${at}: field "name" repeats an earlier map's; give each map its own name.`);
    seen.add(m.name);
    if (!spec.fns.some((f) => f.name === m.fn)) problems.push(`${at}: field "fn" = "${m.fn}" names no fn of the app; name one of ${spec.fns.map((f) => f.name).join(', ') || 'none (add a fn)'}.`);
    if (!buckets.has(m.source.bucket)) problems.push(`${at}: field "source.bucket" = "${m.source.bucket}" is not a bucket of the app; use one of ${bucketList}, or add bucket('${m.source.bucket}').`);
    if (!('prefix' in m.source) && m.source.format !== 'csv' && m.source.format !== 'jsonl') problems.push(`${at}: field "source.format" = ${JSON.stringify((m.source as { format?: unknown }).format)} has no Step Functions item reader here; use 'csv' or 'jsonl', or a { bucket, prefix } listing.`);
    if (m.output && !buckets.has(m.output.bucket)) problems.push(`${at}: field "output.bucket" = "${m.output.bucket}" is not a bucket of the app; use one of ${bucketList}.`);
    if (m.concurrency !== undefined && !(Number.isInteger(m.concurrency) && m.concurrency >= 1 && m.concurrency <= sfnMaxConcurrency)) problems.push(`${at}: field "concurrency" = ${m.concurrency} is not a whole number from 1 to ${sfnMaxConcurrency} (Step Functions' MaxConcurrency); use one.`);
    if (m.retries !== undefined && !(Number.isInteger(m.retries) && m.retries >= 0 && m.retries <= 99)) problems.push(`${at}: field "retries" = ${m.retries} is not a whole number from 0 to 99 (a Step Functions retrier's MaxAttempts); use one.`);
    const t = m.toleratedFailures;
    const pct = typeof t === 'string' && /^\d+(\.\d+)?%$/.test(t) ? Number(t.slice(0, -1)) : undefined;
    if (t !== undefined && !(typeof t === 'number' ? Number.isInteger(t) && t >= 0 : pct !== undefined && pct <= 100)) problems.push(`${at}: field "toleratedFailures" = ${JSON.stringify(t)} is neither a count (0 or more) nor a percentage from '0%' to '100%'; use one such as 10 or '5%'.`);
  });
  return problems;
}

/** Every reason the app cannot be deployed as written; empty when it can. */
export function deployProblems(props: ResolvedProps): string[] {
  return [...nameProblems(props), ...fnProblems(props), ...scheduleProblems(props), ...topicProblems(props), ...mapProblems(props)];
}
