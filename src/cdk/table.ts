/**
 * table -> DynamoDB table, on-demand, named prefix + name, with its partition and sort keys and its
 * stream view type (the stream a stream trigger reads).
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { KeyType } from '../core/resources/configs.ts';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';

export const attributeType = (t: KeyType) => (t === 'number' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING);

const viewTypes = {
  KEYS_ONLY: dynamodb.StreamViewType.KEYS_ONLY,
  NEW_IMAGE: dynamodb.StreamViewType.NEW_IMAGE,
  OLD_IMAGE: dynamodb.StreamViewType.OLD_IMAGE,
  NEW_AND_OLD_IMAGES: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
} as const;

export function makeTables(scope: Construct, built: Built): void {
  const group = new Construct(scope, 'Tables');
  for (const t of built.props.spec.tables) {
    const table = new dynamodb.Table(group, constructId(t.name), {
      tableName: built.names.table(t.name),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      partitionKey: { name: t.partitionKey.name, type: attributeType(t.partitionKey.type) },
      ...(t.sortKey ? { sortKey: { name: t.sortKey.name, type: attributeType(t.sortKey.type) } } : {}),
      ...(t.stream ? { stream: viewTypes[t.stream.viewType] } : {}),
    });
    built.tables.set(t.name, table);
  }
}
