export { createFunctionExecutor, FunctionExecutor, type FunctionExecutorOptions, type PoolStats } from './function-executor.ts';
export { invocationErrorToError, timeoutMessage } from './errors.ts';
export { localArnPrefix } from './worker/context.ts';
