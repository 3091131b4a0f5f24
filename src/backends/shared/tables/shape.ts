/**
 * What the pure table rules (key checks, conditions, updates, config) need to know of a table:
 * its name and key schema. Each backend's own table entry carries at least this.
 */
import type { TableConfig } from '../../../ports/tables.ts';

export interface TableShape {
  readonly name: string;
  readonly partitionKey: TableConfig['partitionKey'];
  readonly sortKey: TableConfig['sortKey'];
}
