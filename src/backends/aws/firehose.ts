/**
 * The firehose port on the aws backend. On AWS a firehose is Kinesis Data Firehose (made by
 * `baton synth`), which buffers and delivers by itself; Baton's embedded write-ahead buffer has no
 * place there. Every call says so instead of writing somewhere that AWS never reads.
 */
import { ValidationError } from '../../core/errors.ts';
import type { FirehoseStore } from '../../ports/firehose.ts';

function refuse(stream: string): never {
  throw new ValidationError(`firehose "${stream}": the aws backend has no embedded ingestion buffer; on AWS a firehose is Kinesis Data Firehose.`, {
    action: 'Deploy the app with `baton synth` and send records with the Firehose API (PutRecordBatch), or run this firehose on the local backend.',
  });
}

export const awsFirehoseStore: FirehoseStore = {
  append: (stream) => refuse(stream),
  stats: (stream) => refuse(stream),
  plan: (stream) => refuse(stream),
  complete: (stream) => refuse(stream),
};
