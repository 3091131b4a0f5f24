/**
 * Names Baton keeps for itself, hidden from `baton queues` and `baton params ls` unless --all:
 * queues starting 'baton-' (the async invocations' 'baton-async', the aws backend's S3 event
 * inbox 'baton-events' and topic inboxes 'baton-topic-*', topic function queues 'baton-sns-*', and
 * their dead-letter queues), and parameters under '/baton/' (schedule and alarm state).
 */

/** The prefix of Baton's own queues (the aws backend's list() leaves them out as well). */
export const internalQueuePrefix = 'baton-';

/** The path of Baton's own parameters. */
export const internalParamPath = '/baton';

export function isInternalQueue(name: string): boolean {
  return name.startsWith(internalQueuePrefix);
}

export function isInternalParam(name: string): boolean {
  return name === internalParamPath || name.startsWith(`${internalParamPath}/`);
}
