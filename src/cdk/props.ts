/**
 * What a BatonApp is built from: the app's definition (the default export of baton.config.ts) and
 * the few choices AWS needs that the definition does not make (physical-name prefix, Node runtime,
 * and two explicit opt-ins for definitions that run locally but cannot be deployed as written).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec } from '../core/app.ts';

export type LambdaRuntime = 'nodejs20.x' | 'nodejs22.x';

/**
 * A map (coordinator fan-out) to deploy as a Step Functions Distributed Map: what map(...) is given
 * locally, fixed at deploy time. Declared in BatonAppProps.maps, or for `baton synth` as the named
 * export `maps` of baton.config.ts (`export const maps: MapDeployment[] = [...]`).
 */
export interface MapDeployment {
  /** The state machine is named prefix + name. */
  readonly name: string;
  /** The unit-of-work function each item runs (on its executor, or as its routing rule says). */
  readonly fn: string;
  /** Every object under a prefix (items { bucket, key, size, etag }), or the rows of a CSV or JSON-lines object. */
  readonly source: { readonly bucket: string; readonly prefix: string } | { readonly bucket: string; readonly key: string; readonly format: 'csv' | 'jsonl' };
  /** Items at once (MaxConcurrency). @defaultValue defaults.map.concurrency */
  readonly concurrency?: number;
  /** Retries of a failing item after its first attempt. @defaultValue defaults.map.retries */
  readonly retries?: number;
  /** Items allowed to fail for good: a count, or a percentage such as '5%'. @defaultValue 0 */
  readonly toleratedFailures?: number | `${number}%`;
  /** Where Step Functions writes the results (ResultWriter). @defaultValue the source's bucket, under maps/<name>/ */
  readonly output?: { readonly bucket: string; readonly prefix?: string };
}

export interface BatonAppProps {
  /** The app, as app(...) returns it; `root` (set by the config loader) resolves relative handler modules. */
  readonly config: AppSpec;
  /**
   * Put before every physical name (bucket, queue, table, topic, function, schedule), as the aws
   * backend's BATON_AWS_PREFIX, which every function gets. @defaultValue '<app name>-' (lower case)
   */
  readonly prefix?: string;
  /** @defaultValue 'nodejs22.x' */
  readonly runtime?: LambdaRuntime;
  /**
   * A topic's file subscriber has no AWS counterpart. 'error' (default) fails the synth naming the
   * topic; 'omit' deploys the topic without it (a synth note says so).
   */
  readonly fileSubscribers?: 'error' | 'omit';
  /**
   * AWS refuses an SQS event source mapping when the queue's visibility timeout is shorter than
   * the function's timeout. false (default) fails the synth naming both; true deploys the queue
   * with the function's timeout as its visibility timeout (a synth note says so).
   */
  readonly raiseVisibility?: boolean;
  /** The folder relative handler modules resolve against. @defaultValue config.root, else the working directory */
  readonly root?: string;
  /**
   * The config file that declared the app: a function with a routing rule imports its rule from
   * it in its Lambda. @defaultValue `<root>/baton.config.ts` when it exists
   */
  readonly configFile?: string;
  /** Maps to deploy as Step Functions Distributed Maps. @defaultValue none */
  readonly maps?: readonly MapDeployment[];
}

export interface ResolvedProps {
  spec: AppSpec;
  prefix: string;
  runtime: LambdaRuntime;
  fileSubscribers: 'error' | 'omit';
  raiseVisibility: boolean;
  root: string;
  configFile: string | undefined;
  maps: readonly MapDeployment[];
}

/** '<app>-' in the characters every AWS name accepts (lower case for S3). */
export function defaultPrefix(app: string): string {
  return `${app.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-`;
}

export function resolveProps(props: BatonAppProps): ResolvedProps {
  const root = props.root ?? props.config.root ?? process.cwd();
  return {
    spec: props.config,
    prefix: props.prefix ?? defaultPrefix(props.config.name),
    runtime: props.runtime ?? 'nodejs22.x',
    fileSubscribers: props.fileSubscribers ?? 'error',
    raiseVisibility: props.raiseVisibility ?? false,
    root,
    maps: props.maps ?? [],
    configFile: props.configFile ?? (existsSync(join(root, 'baton.config.ts')) ? join(root, 'baton.config.ts') : undefined),
  };
}
