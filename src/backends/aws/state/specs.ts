/**
 * The keys and indexes of Baton's own DynamoDB tables (see tables.ts for what each serves), as plain
 * data with no SDK import, so the backend that creates them on first use and `baton synth`, which
 * deploys them, read one definition.
 */
import type { BatonTable } from '../names.ts';

export type Attr = readonly [name: string, type: 'S' | 'N'];
export interface TableSpec {
  key: readonly [Attr, Attr?];
  indexes?: Readonly<Record<string, readonly [Attr, Attr?]>>;
}

const S = (name: string): Attr => [name, 'S'];
const N = (name: string): Attr => [name, 'N'];

export const specs = {
  runs: { key: [S('id')], indexes: { 'by-all': [S('all'), S('ord')], 'by-fn': [S('fn'), S('ord')], 'by-status': [S('status'), S('ord')] } },
  'run-logs': { key: [S('runId'), N('seq')] },
  'run-fns': { key: [S('fn')] },
  'run-cancels': { key: [S('all'), S('runId')] },
  jobs: { key: [S('id')], indexes: { 'by-all': [S('all'), S('ord')], 'by-fn': [S('fn'), S('ord')], due: [S('status'), S('dueKey')] } },
  'job-steps': { key: [S('jobId'), N('position')] },
  maps: { key: [S('id')], indexes: { 'by-all': [S('all'), S('ord')] } },
  'map-items': { key: [S('mapId'), N('idx')], indexes: { 'by-status': [S('mapStatus'), N('idx')] } },
} satisfies Partial<Record<BatonTable, TableSpec>>;

/** The stream positions table (created by tables/positions.ts) and the runtime's leases table (declared through the table port). */
export const otherSpecs = {
  'stream-positions': { key: [S('consumer'), S('shard')] },
  leases: { key: [S('name')] },
} satisfies Partial<Record<BatonTable, TableSpec>>;
