/** The chaos run's report: a table per example (kills, records expected, found, duplicates, lost), then one JSON line per example. */
import type { ChaosReport } from './chaos.ts';

const columns: Array<[string, (r: ChaosReport) => string]> = [
  ['example', (r) => r.example],
  ['seed', (r) => String(r.seed)],
  ['kills', (r) => String(r.kills)],
  ['expected', (r) => String(r.expected)],
  ['found', (r) => String(r.found)],
  ['duplicates', (r) => String(r.duplicates)],
  ['lost', (r) => String(r.lost)],
  ['seconds', (r) => r.seconds.toFixed(1)],
  ['verdict', (r) => (r.failures.length ? 'FAIL' : 'ok')],
];

/** `command`: what runs the suite again (a failure's replay line puts the seed, example and kills before it). */
export function formatTable(reports: ChaosReport[], command = 'npm run chaos'): string {
  const cells = [columns.map(([h]) => h), ...reports.map((r) => columns.map(([, f]) => f(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
  for (const r of reports) {
    const notes = Object.entries(r.notes ?? {}).map(([k, v]) => `${k} ${v}`);
    if (notes.length) out.push(`  ${r.example}: ${notes.join(', ')}`);
    for (const f of r.failures) out.push(`  ${r.example} FAILED: ${f}`);
    if (r.failures.length) out.push(`  replay: CHAOS_SEED=${r.seed} CHAOS_ONLY=${r.example} CHAOS_KILLS=${r.kills} ${command}`);
  }
  return out.join('\n');
}

/** One JSON object per example, for machines (CI logs, comparisons across runs). */
export function jsonLine(r: ChaosReport): string {
  return JSON.stringify({ chaos: r.example, seed: r.seed, kills: r.kills, expected: r.expected, found: r.found, duplicates: r.duplicates, lost: r.lost, seconds: r.seconds, ok: r.failures.length === 0, lives: r.lives, ...(r.notes ? { notes: r.notes } : {}), ...(r.failures.length ? { failures: r.failures } : {}) });
}
