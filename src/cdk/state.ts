/**
 * Baton's own state tables (runs and their logs, jobs and their steps, the map ledger, stream
 * positions, the runtime's leases), named as the aws backend names them (`<prefix>baton-<what>`), with the same keys
 * and indexes it would create on first use, so a deployed function never waits on a CreateTable
 * and needs no permission to make tables. test/cdk checks these against the backend's own specs.
 */
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { BatonTable } from '../backends/aws/names.ts';
import type { Built } from './built.ts';

type Attr = readonly [name: string, type: 'S' | 'N'];
export interface StateTableSpec {
  key: readonly [Attr, Attr?];
  indexes?: Readonly<Record<string, readonly [Attr, Attr?]>>;
}

const S = (name: string): Attr => [name, 'S'];
const N = (name: string): Attr => [name, 'N'];

export const stateTables = {
  runs: { key: [S('id')], indexes: { 'by-all': [S('all'), S('ord')], 'by-fn': [S('fn'), S('ord')], 'by-status': [S('status'), S('ord')] } },
  'run-logs': { key: [S('runId'), N('seq')] },
  'run-fns': { key: [S('fn')] },
  jobs: { key: [S('id')], indexes: { 'by-all': [S('all'), S('ord')], 'by-fn': [S('fn'), S('ord')], due: [S('status'), S('dueKey')] } },
  'job-steps': { key: [S('jobId'), N('position')] },
  maps: { key: [S('id')], indexes: { 'by-all': [S('all'), S('ord')] } },
  'map-items': { key: [S('mapId'), N('idx')], indexes: { 'by-status': [S('mapStatus'), N('idx')] } },
  'stream-positions': { key: [S('consumer'), S('shard')] },
  // The runtime's fenced leases and engine registry (src/runtime/lease/table.ts), declared through the table port.
  leases: { key: [S('name')] },
} satisfies Partial<Record<BatonTable, StateTableSpec>>;

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
