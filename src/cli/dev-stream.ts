/**
 * `baton dev`'s live output of what handlers do: one line per log line a handler writes and one per
 * failed run, each with the function and the run id (its first 8 characters; `baton runs` and
 * `baton logs <run-id>` show the whole run). Bounded so a chatty or failing function cannot flood
 * the terminal: each line is cut to `maxLineChars`, and each function prints at most
 * `maxLinesPerSecond` lines a second, the rest counted in one "… N more lines" line per second.
 *
 * Fed by the executor's onLog (every captured line, as it arrives) and the engine's run observer
 * (invokeSync: run ids as runs start, status and error as they finish).
 */
import type { LogRecord } from '../ports/executor.ts';
import type { RunFinished, RunObserver, RunStarted } from '../runtime/invoke/deps.ts';

export interface DevStreamOptions {
  /** Prints one line (no newline). */
  write: (line: string) => void;
  /** One JSON object per line instead of text. */
  json?: boolean;
  /** @defaultValue 200 */
  maxLineChars?: number;
  /** Lines each function may print per second. @defaultValue 20 */
  maxLinesPerSecond?: number;
  /** Epoch ms. @defaultValue Date.now */
  now?: () => number;
}

interface Window {
  start: number;
  shown: number;
  dropped: number;
}

export class DevStream implements RunObserver {
  private readonly runIds = new Map<string, string>();
  private readonly windows = new Map<string, Window>();
  private readonly maxChars: number;
  private readonly maxLines: number;
  private readonly now: () => number;

  constructor(private readonly opts: DevStreamOptions) {
    this.maxChars = opts.maxLineChars ?? 200;
    this.maxLines = opts.maxLinesPerSecond ?? 20;
    this.now = opts.now ?? Date.now;
  }

  started(run: RunStarted): void {
    this.runIds.set(run.requestId, run.runId);
  }

  finished(run: RunFinished): void {
    this.runIds.delete(run.requestId);
    if (run.status === 'ok') return;
    const type = run.error?.type ?? (run.status === 'timeout' ? 'Sandbox.Timedout' : 'Error');
    const message = run.error?.message ?? run.status;
    const where = `attempt ${run.attempt}, ${run.trigger}`;
    this.emit(run.fn, () =>
      this.opts.json
        ? JSON.stringify({ time: new Date(this.now()).toISOString(), fn: run.fn, run: run.runId, status: run.status, error: { type, message: this.cut(message) }, attempt: run.attempt, trigger: run.trigger })
        : this.cut(`${this.clock()} ${run.fn} ${run.runId.slice(0, 8)} FAILED ${type}: ${message} (${where})`),
    );
  }

  /** One captured log line of `fn`'s invocation `requestId`. */
  log(fn: string, requestId: string, record: LogRecord): void {
    // A line printed after its run finished (a timer left running) has only its request id.
    const run = this.runIds.get(requestId) ?? requestId;
    this.emit(fn, () =>
      this.opts.json
        ? JSON.stringify({ time: new Date(record.time).toISOString(), fn, run, level: record.level, message: this.cut(oneLine(record.message)) })
        : this.cut(`${this.clock(record.time)} ${fn} ${run.slice(0, 8)} ${record.level.toUpperCase().padEnd(5)} ${oneLine(record.message)}`),
    );
  }

  /** Prints the "… N more lines" of every function whose second has passed; call it about once a second. */
  flush(): void {
    const now = this.now();
    for (const [fn, w] of this.windows) if (now - w.start >= 1000) this.close(fn, w);
  }

  private emit(fn: string, line: () => string): void {
    const now = this.now();
    let w = this.windows.get(fn);
    if (w && now - w.start >= 1000) {
      this.close(fn, w);
      w = undefined;
    }
    if (!w) this.windows.set(fn, (w = { start: now, shown: 0, dropped: 0 }));
    if (w.shown < this.maxLines) {
      w.shown++;
      this.opts.write(line());
    } else w.dropped++;
  }

  private close(fn: string, w: Window): void {
    this.windows.delete(fn);
    if (w.dropped === 0) return;
    this.opts.write(
      this.opts.json
        ? JSON.stringify({ time: new Date(this.now()).toISOString(), fn, dropped: w.dropped })
        : `${this.clock()} ${fn} … ${w.dropped} more lines (over ${this.maxLines} a second; \`baton runs --fn ${fn}\` and \`baton logs <run-id>\` have them all)`,
    );
  }

  private clock(time = this.now()): string {
    return new Date(time).toISOString().slice(11, 19);
  }

  private cut(text: string): string {
    return text.length <= this.maxChars ? text : `${text.slice(0, this.maxChars - 1)}…`;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ').trimEnd();
}
