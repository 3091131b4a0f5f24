/** A column of a catalog table, with its DuckDB type. */
export interface CatalogColumn {
  name: string;
  type: string;
}

export interface CatalogTable {
  name: string;
  /** Where the table's hive-partitioned files live. */
  location: { bucket: string; prefix: string };
  /** Partition keys in path order, e.g. ['dt', 'hour']. */
  partitionKeys: string[];
  columns: CatalogColumn[];
  updatedAt: number;
}

export interface CatalogPartition {
  /** Partition values in key order, e.g. { dt: '2026-01-01', hour: '07' }. */
  values: Record<string, string>;
  /** Object keys (in the table's bucket) of the partition's data files. */
  files: string[];
  rows: number;
  bytes: number;
  updatedAt: number;
}
