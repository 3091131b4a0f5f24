/**
 * The environment BatonApp gives a deployed function or container task beyond connect()'s
 * (BATON_BACKEND, BATON_AWS_PREFIX): where its container executor runs (ECS), and what a container
 * task is to do. Shared by the construct (which sets it) and the Lambda/container entries (which
 * read it), so the names cannot drift apart.
 */
export const entryEnv = {
  /** The function's name in baton.config.ts (a deployed name carries the prefix). */
  fn: 'BATON_FN',
  /** ECS cluster ARN the container executor's tasks run in. */
  cluster: 'BATON_ECS_CLUSTER',
  /** The function's Fargate task definition ARN. */
  taskDefinition: 'BATON_ECS_TASK_DEFINITION',
  /** The container's name inside the task definition. */
  container: 'BATON_ECS_CONTAINER',
  /** Comma-separated subnet ids the task runs in. */
  subnets: 'BATON_ECS_SUBNETS',
  /** Comma-separated security group ids of the task. */
  securityGroups: 'BATON_ECS_SECURITY_GROUPS',
  /** In a container task: the invocation's event, as JSON. */
  event: 'BATON_EVENT',
  /** In a container task started by a Step Functions map item: the task token to answer. */
  taskToken: 'BATON_TASK_TOKEN',
  /** 'container' inside a container task, as the local container executor sets it. */
  executor: 'BATON_EXECUTOR',
} as const;

/**
 * ECS's RunTask takes at most 8192 bytes of overrides in all; the event travels as one environment
 * override, so it must leave room for the names and the task token (up to 1024 bytes).
 */
export const maxContainerEventBytes = 6144;
