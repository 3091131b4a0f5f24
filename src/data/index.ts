/**
 * @module baton/data
 * The data plane, on DuckDB: buffered ingestion, schema validation to Parquet, CSV ingestion,
 * hourly compaction, the catalog and SQL queries. A subpath of its own: it loads DuckDB.
 *
 *   import { standardize, Catalog } from 'baton/data';
 */
export { Firehose, type FirehoseRecord, type PutRecordBatchResult } from './firehose/index.ts';
export { standardize, type StandardizeOptions, type StandardizeResult } from './standardize/index.ts';
export { validateRecord, type RecordCheck } from './standardize/record.ts';
export { compileSchema, type Column } from './standardize/schema.ts';
export { csvToParquet, csvBatches, csvJsonBatches, type CsvBatchOptions, type CsvIngestOptions, type CsvCounts, type CleaningOptions } from './csv/index.ts';
export { compact, hourFromKey, type CompactOptions, type CompactResult, type Completeness, type HourResult } from './compact/index.ts';
export { Catalog, type CatalogTable, type CatalogPartition, type CatalogColumn } from './catalog/index.ts';
export { query, type QueryParams, type QueryResult } from './query.ts';
