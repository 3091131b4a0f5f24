import type { EventEmitter } from 'node:events';
import type { Clock } from '../../ports/clock.ts';
import type { Db } from './db.ts';

/** What every local store shares: the one SQLite handle, the clock, and the state directory. */
export interface LocalContext {
  db: Db;
  clock: Clock;
  /** The state directory (objects live under dir/objects). */
  dir: string;
  /** In-process signals: 'queue:<name>' is emitted after a commit that made messages visible. */
  signals: EventEmitter;
}
