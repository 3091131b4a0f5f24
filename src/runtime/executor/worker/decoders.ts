/** The events a worker rebuilds from their wire form (ports/executor.ts encodedEvent), by decoder name. */
import type { EncodedEvent } from '../../../ports/executor.ts';
import { dynamodbEventFromWire } from '../../triggers/events/dynamodb.ts';

const decoders: Record<EncodedEvent['decoder'], (json: string) => unknown> = {
  'dynamodb-stream': dynamodbEventFromWire,
};

export function decodeEvent(json: string, decoder: EncodedEvent['decoder'] | undefined): unknown {
  return decoder === undefined ? JSON.parse(json) : decoders[decoder](json);
}
