/**
 * @module baton
 * The definition API: what baton.config.ts imports to declare an app and its resources.
 *
 *   import { app, bucket, queue, fn } from 'baton';
 *
 * Definitions only: importing it loads no backend, no runtime and no DuckDB, so a handler that
 * imports it pays for none of them at cold start. The rest lives at subpaths:
 *   'baton/handler'  what handlers use: connect(), logger, job(), unmarshall, the errors, the store types
 *   'baton/data'     the data plane (DuckDB): Firehose, standardize, csvBatches, compact, Catalog, query
 *   'baton/runtime'  running an app by hand: startEngine, map, the job runner, executors, defaults
 *   'baton/root'     openApp(): the composition root for scripts, tests and servers
 *   'baton/local', 'baton/aws', 'baton/cdk', 'baton/testing'
 */

// The app and its resources.
export { app, type AppSpec, type AnyResource } from './core/app.ts';
export { fn, type FnOptions, type FnConfig, type ExecutorKind, type FnRoute } from './core/resources/fn.ts';
export { bucket, type BucketOptions } from './core/resources/bucket.ts';
export { queue, type QueueOptions } from './core/resources/queue.ts';
export { table, type TableOptions } from './core/resources/table.ts';
export { params, type ParamsOptions } from './core/resources/params.ts';
export { schedule, type ScheduleOptions } from './core/resources/schedule.ts';
export { topic, type TopicOptions } from './core/resources/topic.ts';
export { alarm, type AlarmOptions, type AlarmConfig, type AlarmMetric } from './core/resources/alarm.ts';
export { firehose, type FirehoseOptions, type FirehoseConfig } from './core/resources/firehose.ts';
// Where an event goes: one shape for bucket notifications, schedule targets, topic subscribers and onFailure.
export type { Target, TargetRef, TargetKind } from './core/resources/target.ts';

// Values written in definitions.
export { parseDuration, formatDuration, type Duration } from './core/duration.ts';
export { parseSize, formatSize, type Size } from './core/size.ts';

// Errors: what a definition or an operation throws.
export { BatonError, DefinitionError, ValidationError, NotFoundError, ConditionFailedError, StaleReceiptError, TooLargeError, StoreError, ThrottledError, AccessDeniedError } from './core/errors.ts';
