/**
 * What every trigger loop is given by the engine: the backend, how to invoke functions, the
 * engine's clock and settings, and two signals:
 *   stopping  set by stop(): loops stop taking new work (receiving, reading, firing)
 *   aborting  set when stop()'s deadline passes: running invocations are aborted and their work
 *             handed back (messages made visible again, stream positions left uncommitted)
 */
import type { defaults } from '../../core/defaults.ts';
import type { Backend } from '../../ports/backend.ts';
import type { Clock } from '../../ports/clock.ts';
import type { InvokeDeps } from '../invoke/index.ts';

export type TriggerSettings = { -readonly [K in keyof typeof defaults.triggers]: number };

export interface EngineReport {
  /** A loop hit an unexpected error; it backs off and goes on. */
  error(where: string, err: unknown): void;
}

export interface TriggerContext {
  backend: Backend;
  deps: InvokeDeps;
  clock: Clock;
  settings: TriggerSettings;
  stopping: AbortSignal;
  aborting: AbortSignal;
  report: EngineReport;
}
