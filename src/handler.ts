/**
 * What handler modules import: the pieces that run inside a function's worker or container,
 * without the definition API, the CLI or the DuckDB data plane, so a cold start stays short.
 *   import { connect, logger } from 'baton/handler';
 */
export { connect, prepareConnect } from './root/connect.ts';
export { logger } from './runtime/logger.ts';
export { job, NonRetriableError, StepOrderError, CheckpointTooLargeError, type JobContext, type JobFunction } from './runtime/jobs/index.ts';
export { unmarshall } from './runtime/triggers/events/dynamodb.ts';
export * from './core/errors.ts';
// The stores connect() hands out, and the backend, as types (no code).
export type { Backend } from './ports/backend.ts';
export type { ObjectStore } from './ports/objects.ts';
export type { QueueStore } from './ports/queues.ts';
export type { ParamStore } from './ports/params.ts';
export type { TableStore } from './ports/tables.ts';
export type { TopicStore } from './ports/topics.ts';
