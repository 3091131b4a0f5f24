// Placeholder until the ObjectStore over AWS lands (being built now); openAws fails clearly on use.
import type { ObjectStore } from '../../../ports/objects.ts';
import { placeholder } from '../placeholder.ts';

export const AwsObjectStore = placeholder<ObjectStore>('ObjectStore');
