/**
 * Baton's own state tables (runs and their logs, jobs and their steps, the map ledger, stream
 * positions, the runtime's leases), named as the aws backend names them (`<prefix>baton-<what>`), with the same keys
 * and indexes it would create on first use, so a deployed function never waits on a CreateTable
 * and needs no permission to make tables. The specs are the backend's own (src/backends/aws/state/specs.ts).
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { BatonTable } from '../backends/aws/names.ts';
import { otherSpecs, specs, type Attr, type TableSpec } from '../backends/aws/state/specs.ts';
import type { Built } from './built.ts';

export type StateTableSpec = TableSpec;

export const stateTables = { ...specs, ...otherSpecs } satisfies Partial<Record<BatonTable, StateTableSpec>>;

const attr = ([name, type]: Attr): dynamodb.Attribute => ({ name, type: type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING });

export function makeStateTables(scope: Construct, built: Built): void {
  const group = new Construct(scope, 'State');
  for (const [what, spec] of Object.entries(stateTables) as Array<[BatonTable, StateTableSpec]>) {
    const table = new dynamodb.Table(group, what, {
      tableName: built.names.baton(what),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      partitionKey: attr(spec.key[0]),
      ...(spec.key[1] ? { sortKey: attr(spec.key[1]) } : {}),
    });
    for (const [indexName, [pk, sk]] of Object.entries(spec.indexes ?? {})) {
      table.addGlobalSecondaryIndex({ indexName, partitionKey: attr(pk), ...(sk ? { sortKey: attr(sk) } : {}), projectionType: dynamodb.ProjectionType.ALL });
    }
    built.state.set(what, table);
  }
}
