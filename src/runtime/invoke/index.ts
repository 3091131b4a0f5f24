export { findFn, type InvokeDeps } from './deps.ts';
export { invokeSync, runError, type InvokeResult, type InvokeSyncOptions } from './sync.ts';
export { drainAsync, invokeAsync, type AsyncOptions, type DrainResult } from './async.ts';
export { failureRecord, sendToDestination, type FailureRecord } from './destination.ts';
export { watchCancels, type WatchCancelsOptions } from './cancel.ts';
export { cancelRun, type CancelRunResult } from './cancel-run.ts';
