/**
 * Inside a worker: replaces console.log/info/warn/error/debug/trace so every line goes to the
 * parent as a LogRecord tagged with the running invocation's request id, instead of to stdout.
 * Lines are formatted as Node formats them (util.format), cut to `maxBytes` with a
 * '…[truncated N bytes]' marker, and at most `maxRecords` are kept per invocation: logging a whole
 * event or batch never costs more than the work. Known secret values (SecureString params this
 * worker read, core/secrets.ts) are redacted before the line is cut, so no part of one is kept.
 */
import { format } from 'node:util';
import { redactSecrets } from '../../../core/secrets.ts';
import { truncateUtf8 } from '../../../core/truncate.ts';
import type { LogLevel, LogRecord } from '../../../ports/executor.ts';

export interface LogSink {
  (requestId: string | undefined, record: LogRecord): void;
}

export interface ConsoleCapture {
  /** Starts a new invocation: later lines carry this id, and the per-invocation count restarts. */
  begin(requestId: string): void;
  /** Ends it: reports how many lines were dropped, if any; later lines carry no id. */
  end(): void;
  /** Writes a line as the runtime (not the handler), e.g. Lambda's 'Invoke Error' line. */
  write(level: LogLevel, message: string): void;
}

const methods: Array<[keyof Console, LogLevel]> = [
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['debug', 'debug'],
  ['trace', 'debug'],
];

export function captureConsole(sink: LogSink, maxBytes: number, maxRecords: number): ConsoleCapture {
  let requestId: string | undefined;
  let kept = 0;
  let dropped = 0;
  const emit = (level: LogLevel, message: string) => {
    if (kept >= maxRecords) {
      dropped++;
      return;
    }
    kept++;
    sink(requestId, { time: Date.now(), level, message: truncateUtf8(redactSecrets(message), maxBytes) });
  };
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [name, level] of methods) {
    target[name] = (...args: unknown[]) => emit(level, name === 'trace' ? `Trace: ${format(...args)}\n${new Error().stack?.split('\n').slice(2).join('\n') ?? ''}` : format(...args));
  }
  return {
    begin(id) {
      requestId = id;
      kept = 0;
      dropped = 0;
    },
    end() {
      if (dropped > 0) sink(requestId, { time: Date.now(), level: 'warn', message: `…[${dropped} more log lines dropped: at most ${maxRecords} are kept per invocation]` });
      requestId = undefined;
      kept = 0;
      dropped = 0;
    },
    write: emit,
  };
}
