/**
 * What a BatonApp is built from: the app's definition (the default export of baton.config.ts) and
 * the few choices AWS needs that the definition does not make (physical-name prefix, Node runtime,
 * and two explicit opt-ins for definitions that run locally but cannot be deployed as written).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSpec } from '../core/app.ts';

export type LambdaRuntime = 'nodejs20.x' | 'nodejs22.x';

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
}

export interface ResolvedProps {
  spec: AppSpec;
  prefix: string;
  runtime: LambdaRuntime;
  fileSubscribers: 'error' | 'omit';
  raiseVisibility: boolean;
  root: string;
  configFile: string | undefined;
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
    configFile: props.configFile ?? (existsSync(join(root, 'baton.config.ts')) ? join(root, 'baton.config.ts') : undefined),
  };
}
