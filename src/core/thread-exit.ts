/**
 * Clean-ups a process runs when one of its worker threads was terminated: a terminated thread
 * runs no code of its own, so whatever it held in memory shared with other threads (the local
 * backend's write lock, say) must be freed by the process that stopped it. The executor announces
 * the termination; whoever shares memory with threads registers what to free. Neither knows the
 * other, so the executor stays free of any backend.
 */
type Hook = (threadId: number) => void;

const hooks = new Set<Hook>();

/** Registers `hook`, run with the id of every worker thread this process terminates. */
export function onThreadTerminated(hook: Hook): void {
  hooks.add(hook);
}

/** Called by an executor once a worker thread it terminated has exited. */
export function threadTerminated(threadId: number): void {
  for (const hook of hooks) hook(threadId);
}
