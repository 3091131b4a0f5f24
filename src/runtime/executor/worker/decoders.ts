/** The events a worker rebuilds from their wire form (ports/executor.ts encodedEvent), by decoder name. */
import type { EncodedEvent } from '../../../ports/executor.ts';
import { dynamodbEventFromWire } from '../../triggers/events/dynamodb.ts';
import { sqsEventFromWire } from '../../triggers/events/sqs.ts';

const decoders: Record<EncodedEvent['decoder'], (wire: string) => unknown> = {
  'dynamodb-stream': dynamodbEventFromWire,
  sqs: sqsEventFromWire,
};

export function decodeEvent(text: string, decoder: EncodedEvent['decoder'] | undefined): unknown {
  return decoder === undefined ? JSON.parse(text) : decoders[decoder](text);
}
