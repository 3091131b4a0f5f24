/** The clock port; the interface lives in core (core/clock.ts) so core's own helpers can take one. */
export type { Clock } from '../core/clock.ts';
