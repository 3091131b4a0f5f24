// Placeholder until the TableStore over AWS lands (being built now); openAws fails clearly on use.
import type { TableStore } from '../../../ports/tables.ts';
import { placeholder } from '../placeholder.ts';

export const AwsTableStore = placeholder<TableStore>('TableStore');
