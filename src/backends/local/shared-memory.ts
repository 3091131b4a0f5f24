/**
 * Memory shared by every thread of this process, one buffer per (purpose, state file). The buffers
 * travel to worker threads as environment data (node:worker_threads), which every worker spawned
 * after the buffer was made receives, sharing the same memory.
 */
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

/** The buffers made for `purpose`, by file path. */
export function sharedBuffers(purpose: string): Map<string, SharedArrayBuffer> {
  const seen = getEnvironmentData(`baton:${purpose}`);
  return seen instanceof Map ? (seen as Map<string, SharedArrayBuffer>) : new Map();
}

/** The buffer for `purpose` and the file at `path` (absolute), made zeroed on first use. */
export function sharedBuffer(purpose: string, path: string, bytes: number): SharedArrayBuffer {
  const buffers = sharedBuffers(purpose);
  let buffer = buffers.get(path);
  if (!buffer) {
    buffer = new SharedArrayBuffer(bytes);
    buffers.set(path, buffer);
    setEnvironmentData(`baton:${purpose}`, buffers);
  }
  return buffer;
}
