// Placeholder until the RunStore over AWS lands (being built now); openAws fails clearly on use.
import type { RunStore } from '../../../ports/runs.ts';
import { placeholder } from '../placeholder.ts';

export const AwsRunStore = placeholder<RunStore>('RunStore');
