/** Bucket declarations: S3's naming rules and notification rules, the same on every backend. */
import { DefinitionError, show } from '../../../core/errors.ts';
import type { BucketConfig, BucketNotification } from '../../../ports/objects.ts';

const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throws DefinitionError unless `name` is a valid S3 bucket name. */
export function checkBucketName(name: unknown): asserts name is string {
  const bad = (rule: string): never => {
    throw new DefinitionError(`Invalid bucket name ${show(name)}: ${rule}.`, { action: 'Use a name like "raw-events" or "lake.2026", as S3 accepts.' });
  };
  if (typeof name !== 'string') bad('a bucket name must be a string');
  const n = name as string;
  if (!bucketName.test(n)) bad('bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit');
  if (n.includes('..')) bad('a bucket name may not have two dots in a row');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(n)) bad('a bucket name may not look like an IP address');
  if (n.startsWith('xn--') || n.startsWith('sthree-') || n.endsWith('-s3alias') || n.endsWith('--ol-s3')) bad('the name uses a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3)');
}

function checkRule(bucket: string, rule: BucketNotification, index: number): BucketNotification {
  const where = `bucket "${bucket}": notifications[${index}]`;
  const bad = (what: string, action: string): never => {
    throw new DefinitionError(`${where} ${what}.`, { action });
  };
  if (typeof rule !== 'object' || rule === null) bad(`is ${show(rule)}, not a rule`, 'Give { events, queue } or { events, target }.');
  if (!Array.isArray(rule.events) || rule.events.length === 0 || rule.events.some((e) => e !== 'created' && e !== 'removed')) {
    bad(`has events ${show(rule.events)}`, "List one or both of 'created' and 'removed'.");
  }
  if ((rule.queue === undefined) === (rule.target === undefined)) bad('must name exactly one of queue or target', 'Set queue (a queue name) or target (e.g. "fn:standardize"), not both.');
  for (const field of ['id', 'queue', 'target', 'prefix', 'suffix'] as const) {
    const value = rule[field];
    if (value !== undefined && typeof value !== 'string') bad(`has ${field} ${show(value)}, not a string`, `Make ${field} a string.`);
  }
  if (rule.queue === '' || rule.target === '') bad('has an empty target', 'Name the queue or target.');
  return {
    events: [...new Set(rule.events)],
    ...(rule.id !== undefined ? { id: rule.id } : {}),
    ...(rule.prefix !== undefined ? { prefix: rule.prefix } : {}),
    ...(rule.suffix !== undefined ? { suffix: rule.suffix } : {}),
    ...(rule.queue !== undefined ? { queue: rule.queue } : {}),
    ...(rule.target !== undefined ? { target: rule.target } : {}),
  };
}

/** A validated copy of a bucket config (DefinitionError naming the bad field otherwise). */
export function checkBucketConfig(config: BucketConfig): BucketConfig {
  if (typeof config !== 'object' || config === null) throw new DefinitionError(`A bucket config must be an object; got ${show(config)}.`, { action: 'Pass { name, notifications }.' });
  checkBucketName(config.name);
  const rules = config.notifications ?? [];
  if (!Array.isArray(rules)) throw new DefinitionError(`bucket "${config.name}": notifications is ${show(rules)}, not a list.`, { action: 'Pass a list of rules, or [] for none.' });
  const notifications = rules.map((r, i) => checkRule(config.name, r, i));
  const ids = new Set<string>();
  for (const rule of notifications) {
    if (rule.id === undefined) continue;
    if (ids.has(rule.id)) throw new DefinitionError(`bucket "${config.name}": two notification rules have the id ${show(rule.id)}.`, { action: 'Give each rule its own id.' });
    ids.add(rule.id);
  }
  return { name: config.name, notifications };
}

/** The configurationId of a bucket's i-th rule. */
export function ruleId(rule: BucketNotification, index: number): string {
  return rule.id ?? `notification-${index + 1}`;
}
