export { systemClock } from '../../core/clock.ts';
