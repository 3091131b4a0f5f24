// Placeholder until the QueueStore over AWS lands (being built now); openAws fails clearly on use.
import type { QueueStore } from '../../../ports/queues.ts';
import { placeholder } from '../placeholder.ts';

export const AwsQueueStore = placeholder<QueueStore>('QueueStore');
