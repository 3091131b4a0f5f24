/**
 * @module baton/runtime
 * Running an app by hand, below openApp ('baton/root'): the engine, the map coordinator, the job
 * runner, the executors, Baton's defaults and the ports a backend implements.
 *
 *   import { startEngine, map } from 'baton/runtime';
 */
export { defaults, envVars } from '../core/defaults.ts';
export { logger, type Logger, type LogFields } from './logger.ts';
export { startEngine, type Engine, type EngineOptions, type StopOptions, type EngineCounters, type TriggerSettings } from './engine/index.ts';
export { job, createJobRunner, type JobRunner, NonRetriableError, StepOrderError, CheckpointTooLargeError, type JobContext, type JobFunction, type JobRunnerOptions, type StartJobOptions, type StepOptions, type WaitForOptions, type EachOptions } from './jobs/index.ts';
export { map, resumeMap, redriveMap, mapProgress, type MapDeps, type MapSummary, type MapOptions, type MapProgress, type MapSource, type MapOutputs } from './map/index.ts';
export { createContainerExecutor, type ContainerExecutor, createRoutingExecutor, type RoutingExecutor, type ContainerExecutorOptions, type RoutedInvocation } from './container/index.ts';
export type { Backend } from '../ports/backend.ts';
export type { Clock } from '../ports/clock.ts';
export type * from '../ports/executor.ts';
export type * from '../ports/runs.ts';
export type * from '../ports/objects.ts';
export type * from '../ports/queues.ts';
export type * from '../ports/params.ts';
export type * from '../ports/tables.ts';
export type * from '../ports/topics.ts';
export type * from '../ports/firehose.ts';
export type * from '../ports/jobs.ts';
