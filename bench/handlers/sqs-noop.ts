import type { SQSEvent } from 'aws-lambda';

/** A no-op SQS handler: takes the batch and returns nothing, so every message is deleted. */
export const handler = async (_event: SQSEvent): Promise<void> => {};
