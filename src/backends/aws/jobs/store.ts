// Placeholder until the JobStore over AWS lands (being built now); openAws fails clearly on use.
import type { JobStore } from '../../../ports/jobs.ts';
import { placeholder } from '../placeholder.ts';

export const AwsJobStore = placeholder<JobStore>('JobStore');
