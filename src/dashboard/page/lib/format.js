// Formatting for people: counts, bytes, durations, times.

const nf = new Intl.NumberFormat('en-US');

/** @param {number | undefined | null} n */
export const num = (n) => (n === undefined || n === null ? '–' : nf.format(n));

/** @param {number | undefined | null} b */
export function bytes(b) {
  if (b === undefined || b === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = b;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** @param {number | undefined | null} ms */
export function duration(ms) {
  if (ms === undefined || ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** "3 s ago", "in 5 min". @param {number | undefined | null} t @param {number} [now] */
export function ago(t, now = Date.now()) {
  if (!t) return '–';
  const d = now - t;
  const abs = Math.abs(d);
  const txt = abs < 1000 ? 'now' : abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  if (txt === 'now') return txt;
  return d >= 0 ? `${txt} ago` : `in ${txt}`;
}

/** Local date and time, to the second. @param {number | undefined | null} t */
export function time(t) {
  if (!t) return '–';
  const d = new Date(t);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Pretty JSON when `s` parses, else `s` as it is. @param {unknown} v */
export function pretty(v) {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2) ?? String(v);
}

/** A short one-line preview of a value. @param {unknown} v @param {number} [max] */
export function preview(v, max = 80) {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The first 8 characters of an id. @param {string} id */
export const short = (id) => (id.length > 12 ? id.slice(0, 8) : id);
