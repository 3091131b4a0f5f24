// Placeholder until the ParamStore over AWS lands (being built now); openAws fails clearly on use.
import type { ParamStore } from '../../../ports/params.ts';
import { placeholder } from '../placeholder.ts';

export const AwsParamStore = placeholder<ParamStore>('ParamStore');
