/** Prints rows as an aligned table, or JSON with --json. */
export function printRows(rows: Array<Record<string, unknown>>, json: boolean, empty = '(none)'): void {
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    console.log(empty);
    return;
  }
  const cols = Object.keys(rows[0]!);
  const text = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
  console.log(cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const t of text) console.log(t.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Prints one value: JSON with --json, else a readable form. */
export function printValue(value: unknown, json: boolean): void {
  if (json || typeof value !== 'string') console.log(JSON.stringify(value, null, json ? 2 : 0));
  else console.log(value);
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'string') return v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
