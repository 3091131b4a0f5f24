/**
 * The chaos harness's seeded random numbers (xorshift32): the same seed gives the same kill
 * moments, victims and inputs, so a failing run can be replayed with CHAOS_SEED=<seed>. The seed
 * comes from $CHAOS_SEED, else from the time; the harness prints it before anything runs.
 */
export interface Rng {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
}

export function rng(seed: number): Rng {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** $CHAOS_SEED when set (a whole number), else a fresh one from the clock. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const given = env['CHAOS_SEED'];
  if (given === undefined || given === '') return (Date.now() ^ (process.pid << 16)) >>> 0 || 1;
  const n = Number(given);
  if (!Number.isInteger(n) || n <= 0 || n > 0xffff_ffff) throw new Error(`CHAOS_SEED=${given}: expected a whole number from 1 to 4294967295 (the seed a chaos run printed).`);
  return n;
}

/** A child seed per example, so replaying one example's seed replays it alone. */
export function deriveSeed(seed: number, name: string): number {
  let h = seed >>> 0;
  for (const c of name) h = (Math.imul(h ^ c.charCodeAt(0), 0x9e37_79b1) >>> 0) || 1;
  return h;
}
