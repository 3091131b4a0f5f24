/**
 * The secret values this process (or worker thread) knows: SecureString parameter values read
 * decrypted through a backend's params store, and the app's SecureString params. Log lines and
 * error texts are passed through `redactSecrets` before they are recorded, so a handler that logs
 * or throws a secret it read leaves `[redacted SecureString]` in run logs and errors instead.
 *
 * Process-wide on purpose: a worker thread reads params through connect() and captures its own
 * console, and both must see the same set. Backend-neutral: the root wraps every backend's params
 * store (root/secret-params.ts), whichever backend decrypted the value.
 *
 * Values shorter than `minSecretLength` are not redacted: replacing every "1" or "on" in every log
 * line would destroy the logs and hide nothing worth hiding.
 */
export const minSecretLength = 4;
export const redactedMarker = '[redacted SecureString]';

const known = new Set<string>();
let pattern: RegExp | undefined;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Adds a secret value to the set redacted from this process's log lines and errors. */
export function rememberSecret(value: string): void {
  if (value.length < minSecretLength || known.has(value)) return;
  known.add(value);
  // As it appears inside a JSON string (logger lines, Invoke Error lines) when it has quotes, backslashes or control characters.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) known.add(escaped);
  pattern = undefined;
}

/** `text` with every known secret value replaced by the marker (longest first, so one containing another is hidden whole). */
export function redactSecrets(text: string): string {
  if (known.size === 0 || text.length < minSecretLength) return text;
  pattern ??= new RegExp([...known].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
  return text.replace(pattern, redactedMarker);
}

/** Whether any secret is known (callers can skip work when none is). */
export function hasSecrets(): boolean {
  return known.size > 0;
}

/** Forgets every known secret (tests). */
export function forgetSecrets(): void {
  known.clear();
  pattern = undefined;
}
