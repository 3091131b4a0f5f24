/**
 * A tiny structured logger for handlers: `logger.info('saved', { key, rows })` writes one JSON line
 * ({"level":"info","msg":"saved","key":...,"rows":...}) through console, so the executor captures
 * it per invocation like any console output (and cuts it to the log size limit), and on AWS it
 * lands in CloudWatch as a JSON line. No dependencies, no configuration. Errors in fields are
 * written as { name, message, stack }; values JSON cannot encode are described, never thrown.
 */
export type LogFields = Record<string, unknown>;

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  child(fields: LogFields): Logger;
}

function encode(record: LogFields): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
      if (value && typeof value === 'object') {
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
      }
      return value;
    });
  } catch (err) {
    return JSON.stringify({ level: record.level, msg: record.msg, logError: `fields could not be encoded: ${String(err)}` });
  }
}

function make(base: LogFields): Logger {
  const write = (level: Level) => (msg: string, fields?: LogFields) => {
    console[level](encode({ level, msg, ...base, ...fields }));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (fields) => make({ ...base, ...fields }) };
}

export const logger: Logger = make({});
