/**
 * BatonApp: the construct that deploys a Baton app (the default export of baton.config.ts) on AWS,
 * for `baton synth` or a user's own CDK app:
 *
 *   import { BatonApp } from 'baton/cdk';
 *   import config from './baton.config.ts';
 *   new BatonApp(stack, 'Pipeline', { config });
 *
 * What cannot be deployed as written fails here, before anything is made, with every problem
 * (resource, field, fix). What is deployed with a difference from local semantics is in `notes`
 * (also CDK info annotations). Beyond the resources: the container executor and routing rules
 * deploy as ECS Fargate (container.ts), job() handlers relay themselves on Lambda (lambda/job-entry.ts),
 * `maps` as Step Functions Distributed Maps (map.ts), and the catalog is mirrored into Glue (catalog.ts).
 */
import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DefinitionError } from '../core/errors.ts';
import { makeAlarms } from './alarm.ts';
import { makeBuckets, wireBucketNotifications } from './bucket.ts';
import { makeCatalog } from './catalog.ts';
import { makeContainers } from './container.ts';
import { Built } from './built.ts';
import { deployProblems } from './checks.ts';
import { makeFirehoses } from './firehose.ts';
import { makeFns } from './fn.ts';
import { grantFns } from './grants.ts';
import { makeMaps } from './map.ts';
import { makeParams } from './params.ts';
import { resolveProps, type BatonAppProps } from './props.ts';
import { makeQueues } from './queue.ts';
import { makeSchedules } from './schedule.ts';
import { makeStateTables } from './state.ts';
import { makeTables } from './table.ts';
import { makeTopics } from './topic.ts';
import { wireTriggers } from './triggers.ts';

export class BatonApp extends Construct {
  /** What was deployed differently from the local semantics, and why; and what to do after deploy. */
  readonly notes: readonly string[];
  /** The physical-name prefix every function gets as BATON_AWS_PREFIX. */
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: BatonAppProps) {
    super(scope, id);
    const resolved = resolveProps(props);
    const problems = deployProblems(resolved);
    if (problems.length) {
      throw new DefinitionError(`app "${resolved.spec.name}" cannot be deployed to AWS as written:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { action: '\nFix these in baton.config.ts (or pass the option named) and synth again.' });
    }
    const built = new Built(resolved);
    makeQueues(this, built);
    makeTables(this, built);
    makeBuckets(this, built);
    makeTopics(this, built);
    makeFirehoses(this, built);
    makeStateTables(this, built);
    makeParams(this, built);
    makeFns(this, built);
    makeContainers(this, built);
    makeCatalog(this, built);
    wireTriggers(built);
    wireBucketNotifications(built);
    makeSchedules(this, built);
    makeAlarms(this, built);
    makeMaps(this, built);
    grantFns(built);
    this.notes = built.notes;
    this.prefix = resolved.prefix;
    for (const n of built.notes) Annotations.of(this).addInfo(n);
  }
}
