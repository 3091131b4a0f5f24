/**
 * Baton's catalog in the Glue Data Catalog, so Athena (and anything reading Glue) queries the lake
 * (seed 003). The catalog keeps its records as JSON objects in its bucket (data/catalog): this
 * Lambda receives that bucket's object-created and object-removed events under the catalog prefix
 * and mirrors each record into the app's Glue database, crawler-free:
 *   <prefix><table>/table.json                     created: CreateTable, or UpdateTable if it exists
 *                                                  removed: DeleteTable
 *   <prefix><table>/partitions/<k=v>/.../<k=v>.json created: CreatePartition, or UpdatePartition
 *                                                  removed: DeletePartition
 * Tables are external Parquet tables at s3://<bucket>/<location prefix>, partitions the hive
 * folders under it. Every write is an upsert of the record as it now is, so a repeated or
 * reordered event converges; a failed record fails the invocation (S3's async invoke retries it)
 * after the others are done.
 */
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { AlreadyExistsException, CreatePartitionCommand, CreateTableCommand, DeletePartitionCommand, DeleteTableCommand, EntityNotFoundException, GlueClient, UpdatePartitionCommand, UpdateTableCommand, type StorageDescriptor } from '@aws-sdk/client-glue';
import type { S3Event } from 'aws-lambda';
import type { CatalogPartition, CatalogTable } from '../../data/catalog/types.ts';

export const glueEnv = { database: 'BATON_GLUE_DATABASE', catalogPrefix: 'BATON_CATALOG_PREFIX' } as const;

export interface GlueSyncOptions {
  /** The Glue database the app's tables go in. */
  database: string;
  /** The catalog's key prefix in its bucket (defaults.data.catalogPrefix). */
  catalogPrefix: string;
  /** The app's physical-name prefix (BATON_AWS_PREFIX): a table's bucket is prefix + its name. */
  bucketPrefix: string;
  s3?: S3Client;
  glue?: GlueClient;
}

/** DuckDB's type names as Glue (Hive) column types; anything else is kept as a string column. */
export function glueType(duckType: string): string {
  const t = duckType.trim().toUpperCase();
  const decimal = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const simple: Record<string, string> = {
    VARCHAR: 'string', TEXT: 'string', STRING: 'string', UUID: 'string', JSON: 'string',
    BIGINT: 'bigint', INT8: 'bigint', LONG: 'bigint', UBIGINT: 'decimal(20,0)', HUGEINT: 'decimal(38,0)',
    INTEGER: 'int', INT: 'int', INT4: 'int', UINTEGER: 'bigint', SMALLINT: 'smallint', USMALLINT: 'int', TINYINT: 'tinyint', UTINYINT: 'smallint',
    DOUBLE: 'double', FLOAT8: 'double', FLOAT: 'float', REAL: 'float', FLOAT4: 'float',
    BOOLEAN: 'boolean', BOOL: 'boolean', DATE: 'date', BLOB: 'binary',
    TIMESTAMP: 'timestamp', 'TIMESTAMP WITH TIME ZONE': 'timestamp', TIMESTAMPTZ: 'timestamp', TIMESTAMP_MS: 'timestamp', TIMESTAMP_S: 'timestamp', TIMESTAMP_NS: 'timestamp',
  };
  return simple[t] ?? 'string';
}

/** Glue keeps names in lower case. */
const glueName = (name: string) => name.toLowerCase();

type Parsed = { kind: 'table'; table: string } | { kind: 'partition'; table: string; values: Array<[string, string]> } | undefined;

/** What a catalog object key names (undefined: not a catalog record). */
export function parseCatalogKey(key: string, prefix: string): Parsed {
  if (!key.startsWith(prefix) || !key.endsWith('.json')) return undefined;
  const parts = key.slice(prefix.length, -'.json'.length).split('/');
  const [table, second, ...rest] = parts;
  if (!table) return undefined;
  if (second === 'table' && rest.length === 0) return { kind: 'table', table };
  if (second !== 'partitions' || rest.length === 0) return undefined;
  const values = rest.map((seg) => {
    const at = seg.indexOf('=');
    return at > 0 ? ([seg.slice(0, at), seg.slice(at + 1)] as [string, string]) : undefined;
  });
  return values.every((v) => v !== undefined) ? { kind: 'partition', table, values: values as Array<[string, string]> } : undefined;
}

function storage(location: string, columns: CatalogTable['columns'], partitionKeys: readonly string[]): StorageDescriptor {
  return {
    Columns: columns.filter((c) => !partitionKeys.includes(c.name)).map((c) => ({ Name: glueName(c.name), Type: glueType(c.type) })),
    Location: location,
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  };
}

export class GlueSync {
  private readonly s3: S3Client;
  private readonly glue: GlueClient;

  constructor(private readonly o: GlueSyncOptions) {
    this.s3 = o.s3 ?? new S3Client({});
    this.glue = o.glue ?? new GlueClient({});
  }

  private async read<T>(bucket: string, key: string): Promise<T | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse(await out.Body!.transformToString()) as T;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  private tableLocation(t: CatalogTable): string {
    return `s3://${this.o.bucketPrefix}${t.location.bucket}/${t.location.prefix}`;
  }

  private async upsertTable(t: CatalogTable): Promise<void> {
    const TableInput = {
      Name: glueName(t.name),
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'parquet', EXTERNAL: 'TRUE', baton_updated_at: String(t.updatedAt) },
      PartitionKeys: t.partitionKeys.map((k) => ({ Name: glueName(k), Type: 'string' })),
      StorageDescriptor: storage(this.tableLocation(t), t.columns, t.partitionKeys),
    };
    try {
      await this.glue.send(new CreateTableCommand({ DatabaseName: this.o.database, TableInput }));
    } catch (err) {
      if (!(err instanceof AlreadyExistsException)) throw err;
      await this.glue.send(new UpdateTableCommand({ DatabaseName: this.o.database, TableInput }));
    }
  }

  private async upsertPartition(t: CatalogTable, p: CatalogPartition): Promise<void> {
    const Values = t.partitionKeys.map((k) => p.values[k] ?? '');
    const folder = t.partitionKeys.map((k) => `${k}=${p.values[k] ?? ''}/`).join('');
    const PartitionInput = { Values, Parameters: { baton_rows: String(p.rows), baton_bytes: String(p.bytes), baton_files: String(p.files.length) }, StorageDescriptor: storage(`${this.tableLocation(t)}${folder}`, t.columns, t.partitionKeys) };
    try {
      await this.glue.send(new CreatePartitionCommand({ DatabaseName: this.o.database, TableName: glueName(t.name), PartitionInput }));
    } catch (err) {
      if (!(err instanceof AlreadyExistsException)) throw err;
      await this.glue.send(new UpdatePartitionCommand({ DatabaseName: this.o.database, TableName: glueName(t.name), PartitionValueList: Values, PartitionInput }));
    }
  }

  private async ignoreMissing(send: Promise<unknown>): Promise<void> {
    try {
      await send;
    } catch (err) {
      if (!(err instanceof EntityNotFoundException)) throw err;
    }
  }

  /** Mirrors one catalog object's state into Glue; 'skipped' when the key is no catalog record or it is gone again. */
  async sync(bucket: string, key: string, removed: boolean): Promise<'table' | 'partition' | 'deleted' | 'skipped'> {
    const what = parseCatalogKey(key, this.o.catalogPrefix);
    if (!what) return 'skipped';
    const tableKey = `${this.o.catalogPrefix}${what.table}/table.json`;
    if (what.kind === 'table') {
      const t = removed ? undefined : await this.read<CatalogTable>(bucket, key);
      if (t) return this.upsertTable(t).then(() => 'table');
      await this.ignoreMissing(this.glue.send(new DeleteTableCommand({ DatabaseName: this.o.database, Name: glueName(what.table) })));
      return 'deleted';
    }
    const p = removed ? undefined : await this.read<CatalogPartition>(bucket, key);
    if (!p) {
      await this.ignoreMissing(this.glue.send(new DeletePartitionCommand({ DatabaseName: this.o.database, TableName: glueName(what.table), PartitionValues: what.values.map(([, v]) => v) })));
      return 'deleted';
    }
    const t = await this.read<CatalogTable>(bucket, tableKey);
    if (!t) return 'skipped';
    // The table first: a partition's event may arrive before its table's.
    await this.upsertTable(t);
    await this.upsertPartition(t, p);
    return 'partition';
  }

  /** An S3 event's records, each on its own; the first failure is thrown once all were tried. */
  async handle(event: S3Event): Promise<{ synced: number; skipped: number }> {
    let synced = 0;
    let skipped = 0;
    const failures: unknown[] = [];
    for (const r of event.Records ?? []) {
      const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
      try {
        if ((await this.sync(r.s3.bucket.name, key, r.eventName.startsWith('ObjectRemoved'))) === 'skipped') skipped++;
        else synced++;
      } catch (err) {
        console.error(`glue sync of ${r.s3.bucket.name}/${key} failed: ${(err as Error).message}`);
        failures.push(err);
      }
    }
    if (failures.length) throw failures[0];
    return { synced, skipped };
  }
}

let sync: GlueSync | undefined;

/** The deployed Lambda's handler: its settings from the environment BatonApp sets. */
export const handler = (event: S3Event) =>
  (sync ??= new GlueSync({ database: process.env[glueEnv.database] ?? '', catalogPrefix: process.env[glueEnv.catalogPrefix] ?? '', bucketPrefix: process.env.BATON_AWS_PREFIX ?? '' })).handle(event);
