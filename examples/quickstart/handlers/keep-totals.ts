import type { DynamoDBStreamEvent } from 'aws-lambda';
import { connect } from 'baton/handler';

// A DynamoDB stream handler as AWS documents it: reads NewImage/OldImage in attribute-value JSON
// and adds each order's change of amount to its customer's total.
export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  const { tables } = connect();
  const delta = new Map<string, number>();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage ?? record.dynamodb?.OldImage;
    const customer = image?.customer?.S;
    if (!customer) continue;
    const amount = (img: Record<string, { N?: string }> | undefined) => Number(img?.amount?.N ?? 0);
    const change = amount(record.dynamodb?.NewImage) - amount(record.dynamodb?.OldImage);
    delta.set(customer, (delta.get(customer) ?? 0) + change);
  }
  for (const [customer, total] of delta) await tables.update('totals', { customer }, { add: { total } });
};
