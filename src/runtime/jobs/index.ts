export { job, type JobFunction } from './handler.ts';
export type { JobContext, EachOptions } from './context.ts';
export type { StepOptions, WaitForOptions } from './steps.ts';
export { NonRetriableError, StepOrderError, CheckpointTooLargeError } from './errors.ts';
export { JobRunner, createJobRunner, type JobRunnerOptions, type StartJobOptions, type JobSettings, type RunOptions } from './runner.ts';
