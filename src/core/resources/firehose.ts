import { z } from 'zod';
import { defaults } from '../defaults.ts';
import { define, durationField, sizeField, type Resource } from './define.ts';

const prefix = z.string().max(512).refine((p) => p === '' || p.endsWith('/'), { message: "a prefix is '' or ends with '/'" });

const options = z.strictObject({
  destination: z.strictObject({ bucket: z.string().min(3).max(63), prefix: prefix.optional() }),
  /** Where undeliverable records go, with the reason. @defaultValue '<prefix>errors/' */
  errorPrefix: prefix.optional(),
  buffer: z
    .strictObject({
      /** Flush once this much is buffered. @defaultValue 5 MiB, as Firehose */
      size: sizeField(1, defaults.data.firehose.maxBufferBytes).optional(),
      /** Flush once the oldest buffered record is this old. @defaultValue 300 s, as Firehose */
      interval: durationField(0, defaults.data.firehose.maxBufferIntervalMs).optional(),
    })
    .optional(),
  /** @defaultValue 'gzip' */
  compression: z.enum(['gzip', 'none']).optional(),
  /** A zod schema each record is checked against at put time; failures go to the error prefix with the reasons. */
  schema: z.custom<z.ZodType>((v) => v instanceof z.ZodType, { message: 'expected a zod schema' }).optional(),
});

export type FirehoseOptions = z.input<typeof options>;

export interface FirehoseConfig {
  name: string;
  bucket: string;
  prefix: string;
  errorPrefix: string;
  bufferBytes: number;
  bufferIntervalMs: number;
  compression: 'gzip' | 'none';
  schema?: z.ZodType;
}

export type FirehoseResource = Resource<'firehose', FirehoseConfig>;

/**
 * Declares a firehose (an ingestion buffer, as Amazon Data Firehose): records put to it are
 * acknowledged once durable, buffered by size and time, and delivered as JSON-lines objects
 * under `prefix/YYYY/MM/DD/HH/` (UTC arrival time).
 */
export function firehose(name: string, opts: FirehoseOptions): FirehoseResource {
  const { name: n, options: o } = define('firehose', name, options, opts);
  const p = o.destination.prefix ?? '';
  return {
    kind: 'firehose',
    name: n,
    config: {
      name: n,
      bucket: o.destination.bucket,
      prefix: p,
      errorPrefix: o.errorPrefix ?? `${p}errors/`,
      bufferBytes: o.buffer?.size ?? defaults.data.firehose.bufferBytes,
      bufferIntervalMs: o.buffer?.interval ?? defaults.data.firehose.bufferIntervalMs,
      compression: o.compression ?? 'gzip',
      ...(o.schema ? { schema: o.schema } : {}),
    },
  };
}
