// The input generator: `count` CSV files of mixed sizes (mostly small, `large` of them big enough
// to cross the routing threshold), deterministic for a seed so every run sees the same data.
import { largeFileBytes } from './lake.ts';

export interface GeneratedFile {
  key: string;
  rows: number;
  body: string;
}

export interface GenerateOptions {
  count: number;
  /** How many files are generated above the routing threshold. */
  large: number;
  /** Rows of a small file are drawn from [minRows, maxRows]. */
  minRows: number;
  maxRows: number;
  /** Rows of a large file are drawn from [largeMinRows, largeMaxRows]. */
  largeMinRows: number;
  largeMaxRows: number;
  seed?: number;
}

/** mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const statuses = ['ok', 'ok', 'ok', 'warn', 'fail'];

function csv(rows: number, firstId: number, rnd: () => number): string {
  const lines = ['id,ts,sensor,reading,status'];
  const t0 = Date.UTC(2026, 10, 1);
  for (let i = 0; i < rows; i++) {
    const ts = new Date(t0 + Math.floor(rnd() * 30 * 86_400_000)).toISOString().replace(/\.\d+Z$/, 'Z');
    lines.push(`${firstId + i},${ts},s-${String(Math.floor(rnd() * 500)).padStart(3, '0')},${(rnd() * 200 - 50).toFixed(2)},${statuses[Math.floor(rnd() * statuses.length)]}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The files, in key order; the large ones spread evenly through the listing. */
export function* generateFiles(o: GenerateOptions): Generator<GeneratedFile> {
  const rnd = random(o.seed ?? 1);
  const every = Math.max(1, Math.floor(o.count / Math.max(1, o.large)));
  let id = 1;
  for (let f = 0; f < o.count; f++) {
    const large = o.large > 0 && f % every === Math.floor(every / 2) && Math.floor(f / every) < o.large;
    const [lo, hi] = large ? [o.largeMinRows, o.largeMaxRows] : [o.minRows, o.maxRows];
    const rows = lo + Math.floor(rnd() * (hi - lo + 1));
    const body = csv(rows, id, rnd);
    id += rows;
    if (large !== Buffer.byteLength(body) > largeFileBytes) throw new Error(`generator: file ${f} (${rows} rows, ${Buffer.byteLength(body)} bytes) is on the wrong side of the ${largeFileBytes}-byte threshold; adjust the row ranges.`);
    yield { key: `incoming/part-${String(f).padStart(4, '0')}.csv`, rows, body };
  }
}
