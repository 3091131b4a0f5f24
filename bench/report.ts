/** One measured figure, printed in the table and as a JSON line. */
export interface Figure {
  bench: string;
  figure: string;
  value: number;
  unit: string;
  /** The same work done by the baseline in the same run. */
  baseline: number;
  /** value / baseline (for times, baseline / value is the speed ratio; this stays value / baseline). */
  ratio?: number;
  goal?: string;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(3);
}

/** Prints a readable table, then one JSON object per figure as the last lines. */
export function report(figures: Figure[], notes: string[] = []): void {
  const rows = figures.map((f) => ({ ...f, ratio: f.ratio ?? (f.baseline ? f.value / f.baseline : 0) }));
  const header = ['figure', 'value', 'unit', 'baseline', 'ratio', 'goal'];
  const cells = rows.map((r) => [r.figure, fmt(r.value), r.unit, fmt(r.baseline), r.ratio.toFixed(2), r.goal ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  for (const n of notes) console.log(n);
  for (const r of rows) {
    console.log(JSON.stringify({ bench: r.bench, figure: r.figure, value: Number(r.value.toFixed(3)), unit: r.unit, baseline: Number(r.baseline.toFixed(3)), ratio: Number(r.ratio.toFixed(3)) }));
  }
}
