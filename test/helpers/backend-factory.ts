import type { Backend } from '../../src/ports/backend.ts';
import type { FakeClock } from '../../src/testing/fake-clock.ts';

/**
 * What a conformance suite needs from a backend: a fresh, empty instance with a fake clock.
 * `reopen` (optional) closes and reopens the same state, to check durability.
 */
export interface BackendHarness {
  backend: Backend;
  clock: FakeClock;
  reopen?(): Promise<Backend>;
  close(): Promise<void>;
}

export type MakeBackend = () => Promise<BackendHarness> | BackendHarness;
