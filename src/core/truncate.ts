/**
 * Cuts a text to at most `maxBytes` UTF-8 bytes and appends a marker saying how much was cut:
 * `…[truncated 12345 bytes]`. The cut never splits a character. Text within the limit is returned
 * unchanged. Used wherever Baton keeps part of a payload (log lines, run input summaries), so
 * logging never costs more than the work.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Fast path: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text;
  const buf = Buffer.from(text, 'utf8');
  let end = Math.max(0, maxBytes);
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && end < buf.length && (buf[end]! & 0xc0) === 0x80) end--;
  return `${buf.subarray(0, end).toString('utf8')}…[truncated ${bytes - end} bytes]`;
}

/** A JSON summary of any value, cut to `maxBytes` (values that JSON cannot encode are described). */
export function summarize(value: unknown, maxBytes: number): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch (err) {
    text = `[not JSON: ${(err as Error).message}]`;
  }
  return truncateUtf8(text, maxBytes);
}
