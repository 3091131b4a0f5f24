/**
 * Cuts a text to at most `maxBytes` UTF-8 bytes and appends a marker saying how much was cut:
 * `…[truncated 12345 bytes]`. The cut never splits a character. Text within the limit is returned
 * unchanged. Used wherever Baton keeps part of a payload (log lines, run input summaries), so
 * logging never costs more than the work.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  const { kept, cutBytes } = cutUtf8(text, maxBytes);
  return cutBytes === 0 ? kept : `${kept}…[truncated ${cutBytes} bytes]`;
}

/** The longest prefix of `text` within `maxBytes` UTF-8 bytes, never splitting a character. */
function cutUtf8(text: string, maxBytes: number): { kept: string; cutBytes: number } {
  // Fast path: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return { kept: text, cutBytes: 0 };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return { kept: text, cutBytes: 0 };
  const buf = Buffer.from(text, 'utf8');
  let end = Math.max(0, maxBytes);
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && end < buf.length && (buf[end]! & 0xc0) === 0x80) end--;
  return { kept: buf.subarray(0, end).toString('utf8'), cutBytes: bytes - end };
}

/**
 * A JSON summary of any value, cut to `maxBytes` (values that JSON cannot encode are described).
 * Arrays and plain objects are written only as far as the summary reaches, so summarizing a large
 * event costs about as much as a small one; the marker then reads `…[truncated]`.
 */
export function summarize(value: unknown, maxBytes: number): string {
  const parts: string[] = [];
  let length = 0;
  const budget = maxBytes + 1;
  const full = (() => {
    try {
      return writeJson(
        value,
        (s) => {
          parts.push(s);
          length += s.length;
          return length <= budget;
        },
        budget,
      );
    } catch (err) {
      parts.length = 0;
      parts.push(`[not JSON: ${(err as Error).message}]`);
      return true;
    }
  })();
  const text = parts.join('');
  if (full) return truncateUtf8(text === '' ? 'undefined' : text, maxBytes);
  return `${cutUtf8(text, maxBytes).kept}…[truncated]`;
}

/**
 * Writes `value` as JSON.stringify would, in pieces; stops (returning false) as soon as `emit`
 * returns false. Arrays and plain objects are walked; anything else is stringified whole, except
 * a string inside them longer than `budget` (emit's limit): only its first `budget` units are
 * (a queue event's 150 KB body was escaped whole for a 4 KB summary). That text is as long as the
 * budget or longer, so emit stops there, and it begins as the whole string's JSON does: the output
 * of a string's first n units is the first n + 1 of its JSON (a unit cut from its surrogate pair
 * comes after them), so the summary kept is the same.
 */
function writeJson(value: unknown, emit: (s: string) => boolean, budget: number, nested = false): boolean {
  if (nested && typeof value === 'string' && value.length > budget) return emit(JSON.stringify(value.slice(0, budget)));
  if (Array.isArray(value)) {
    if (!emit('[')) return false;
    for (let i = 0; i < value.length; i++) {
      if (i > 0 && !emit(',')) return false;
      const v: unknown = value[i];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
        if (!emit('null')) return false;
      } else if (!writeJson(v, emit, budget, true)) return false;
    }
    return emit(']');
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    if (!emit('{')) return false;
    let first = true;
    // Each value is read when the walk reaches it (Object.entries reads them all first): a lazy
    // property past the summary's end is never computed (an SQS record's md5OfBody hashed its
    // whole body for a summary that ends inside the body).
    for (const k of Object.keys(value)) {
      const v: unknown = (value as Record<string, unknown>)[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      if (!emit(`${first ? '' : ','}${JSON.stringify(k)}:`)) return false;
      first = false;
      if (!writeJson(v, emit, budget, true)) return false;
    }
    return emit('}');
  }
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return emit(text);
}
