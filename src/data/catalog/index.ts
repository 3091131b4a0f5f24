/**
 * The catalog: tables (name, location, schema) and their partitions (files, row counts, bytes,
 * update time), kept durably as small JSON objects in a bucket, so it lives wherever the data
 * does (the local backend now, S3 later) and needs no storage port of its own:
 *
 *   <prefix><table>/table.json
 *   <prefix><table>/partitions/<k1=v1>/<k2=v2>.json
 *
 * One object per partition means two compactions of different hours never overwrite each
 * other's update. A partition lists its exact files, so a query reads only committed files and
 * never a half-finished compaction's output.
 */
import { NotFoundError, ValidationError, show } from '../../core/errors.ts';
import { defaults } from '../../core/defaults.ts';
import type { ObjectStore } from '../../ports/objects.ts';
import { listAll } from '../list.ts';
import { checkPartitionFiles } from './parquet-check.ts';
import type { CatalogPartition, CatalogTable } from './types.ts';

export type * from './types.ts';

const tableName = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export class Catalog {
  constructor(
    readonly objects: ObjectStore,
    readonly bucket: string = defaults.data.catalogBucket,
    readonly prefix: string = defaults.data.catalogPrefix,
  ) {}

  /** Opens the catalog, declaring its bucket when it does not exist yet. */
  static async open(objects: ObjectStore, bucket: string = defaults.data.catalogBucket, prefix: string = defaults.data.catalogPrefix): Promise<Catalog> {
    try {
      await objects.list(bucket, { maxKeys: 1 });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      await objects.declare({ name: bucket, notifications: [] });
    }
    return new Catalog(objects, bucket, prefix);
  }

  private tableKey(name: string): string {
    return `${this.prefix}${name}/table.json`;
  }

  private partitionKey(name: string, table: CatalogTable, values: Record<string, string>): string {
    const parts = table.partitionKeys.map((k) => {
      const v = values[k];
      if (v === undefined) throw new ValidationError(`Partition of table "${name}" has no value for key "${k}"; got ${show(values)}.`, { action: `Give every partition key: ${table.partitionKeys.join(', ')}.` });
      return `${k}=${v}`;
    });
    return `${this.prefix}${name}/partitions/${parts.join('/')}.json`;
  }

  /** Creates or replaces a table's definition (its partitions stay). */
  async putTable(table: Omit<CatalogTable, 'updatedAt'> & { updatedAt?: number }): Promise<CatalogTable> {
    if (!tableName.test(table.name)) {
      throw new ValidationError(`Catalog table name ${show(table.name)} is invalid.`, { action: 'Use letters, digits and _, starting with a letter or _ (it is a SQL view name).' });
    }
    const full: CatalogTable = { ...table, updatedAt: table.updatedAt ?? Date.now() };
    await this.objects.put(this.bucket, this.tableKey(table.name), JSON.stringify(full), { contentType: 'application/json' });
    return full;
  }

  async getTable(name: string): Promise<CatalogTable> {
    try {
      return JSON.parse((await this.objects.get(this.bucket, this.tableKey(name))).body.toString('utf8')) as CatalogTable;
    } catch (err) {
      if (err instanceof NotFoundError) {
        const known = (await this.listTables()).map((t) => t.name);
        throw new NotFoundError(`Catalog table "${name}" does not exist (catalog bucket "${this.bucket}").`, { action: known.length ? `Known tables: ${known.join(', ')}.` : 'No tables are registered yet; compaction registers them.' });
      }
      throw err;
    }
  }

  async findTable(name: string): Promise<CatalogTable | undefined> {
    try {
      return await this.getTable(name);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async listTables(): Promise<CatalogTable[]> {
    const heads = (await listAll(this.objects, this.bucket, this.prefix)).filter((h) => h.key.endsWith('/table.json'));
    return Promise.all(heads.map(async (h) => JSON.parse((await this.objects.get(this.bucket, h.key)).body.toString('utf8')) as CatalogTable));
  }

  /** Records a partition's current files and counts (replacing what was there); every file must be Parquet. */
  async putPartition(name: string, partition: CatalogPartition): Promise<void> {
    const table = await this.getTable(name);
    await checkPartitionFiles(this.objects, name, table.location.bucket, partition.files);
    await this.objects.put(this.bucket, this.partitionKey(name, table, partition.values), JSON.stringify(partition), { contentType: 'application/json' });
  }

  async partitions(name: string): Promise<CatalogPartition[]> {
    const heads = await listAll(this.objects, this.bucket, `${this.prefix}${name}/partitions/`);
    const parts = await Promise.all(heads.map(async (h) => JSON.parse((await this.objects.get(this.bucket, h.key)).body.toString('utf8')) as CatalogPartition));
    return parts.sort((a, b) => Object.values(a.values).join('/').localeCompare(Object.values(b.values).join('/')));
  }
}
