import type { Clock } from '../../ports/clock.ts';
import type { AwsClients } from './clients.ts';
import type { CallContext } from './errors.ts';
import type { Names } from './names.ts';

/** What every aws store shares: the SDK clients, physical names, the clock and the region. */
export interface AwsContext {
  clients: AwsClients;
  names: Names;
  clock: Clock;
  region: string;
  /** Absolute: where topic file subscribers with a relative path write (options.filesDir). */
  filesDir: string;
  /** A CallContext for an error message, with the service's endpoint filled in. */
  at(service: CallContext['service'], op: string, resource?: string): CallContext;
}
