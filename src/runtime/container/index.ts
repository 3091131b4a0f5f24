export { ContainerExecutor, createContainerExecutor, maxTimerMs, type ContainerExecutorOptions } from './container-executor.ts';
export { RoutingExecutor, createRoutingExecutor, type RoutedInvocation } from './router.ts';
