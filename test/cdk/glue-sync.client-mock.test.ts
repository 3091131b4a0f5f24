/**
 * The Glue mirror of Baton's catalog (lambda/glue-sync.ts), with the S3 and Glue clients mocked
 * (aws-sdk-client-mock: there is no Glue emulator): catalog records become external Parquet tables
 * and hive partitions, upserted, and removed records are deleted.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AlreadyExistsException, CreatePartitionCommand, CreateTableCommand, DeletePartitionCommand, GlueClient, UpdatePartitionCommand, UpdateTableCommand } from '@aws-sdk/client-glue';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { GlueSync, glueType, parseCatalogKey } from '../../src/cdk/lambda/glue-sync.ts';
import type { CatalogPartition, CatalogTable } from '../../src/data/catalog/types.ts';

const s3 = mockClient(S3Client);
const glue = mockClient(GlueClient);
afterEach(() => {
  s3.reset();
  glue.reset();
});

const table: CatalogTable = { name: 'clicks', location: { bucket: 'lake', prefix: 'tables/clicks/' }, partitionKeys: ['dt', 'hour'], columns: [{ name: 'userId', type: 'VARCHAR' }, { name: 'ms', type: 'BIGINT' }, { name: 'price', type: 'DECIMAL(10,2)' }, { name: 'dt', type: 'VARCHAR' }, { name: 'hour', type: 'VARCHAR' }], updatedAt: 1 };
const partition: CatalogPartition = { values: { dt: '2026-01-01', hour: '07' }, files: ['tables/clicks/dt=2026-01-01/hour=07/part-0.parquet'], rows: 10, bytes: 999, updatedAt: 2 };
// The part of the SDK's body stream GlueSync uses.
const body = (v: unknown) => ({ Body: { transformToString: async () => JSON.stringify(v) } });

function event(key: string, name = 'ObjectCreated:Put'): S3Event {
  return { Records: [{ eventName: name, s3: { bucket: { name: 'app-baton-catalog' }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/') } } }] } as unknown as S3Event;
}

const sync = () => new GlueSync({ database: 'app_lake', catalogPrefix: '_catalog/', bucketPrefix: 'app-', s3: new S3Client({ region: 'us-east-1' }), glue: new GlueClient({ region: 'us-east-1' }) });

describe('GlueSync', () => {
  it('a table record becomes an external Parquet table at its S3 location; a second write updates it', async () => {
    s3.on(GetObjectCommand, { Key: '_catalog/clicks/table.json' }).resolves(body(table) as never);
    glue.on(CreateTableCommand).resolvesOnce({}).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    expect(await sync().handle(event('_catalog/clicks/table.json'))).toEqual({ synced: 1, skipped: 0 });
    const input = glue.commandCalls(CreateTableCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      DatabaseName: 'app_lake',
      TableInput: {
        Name: 'clicks',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string' }, { Name: 'hour', Type: 'string' }],
        StorageDescriptor: { Location: 's3://app-lake/tables/clicks/', Columns: [{ Name: 'userid', Type: 'string' }, { Name: 'ms', Type: 'bigint' }, { Name: 'price', Type: 'decimal(10,2)' }], SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' } },
      },
    });
    await sync().handle(event('_catalog/clicks/table.json'));
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(1);
  });

  it('a partition record becomes the hive folder partition (its table first); an existing one is updated; a removed one deleted', async () => {
    s3.on(GetObjectCommand, { Key: '_catalog/clicks/table.json' }).resolves(body(table) as never);
    s3.on(GetObjectCommand, { Key: '_catalog/clicks/partitions/dt=2026-01-01/hour=07.json' }).resolves(body(partition) as never);
    glue.on(CreatePartitionCommand).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    await sync().handle(event('_catalog/clicks/partitions/dt=2026-01-01/hour=07.json'));
    expect(glue.commandCalls(CreateTableCommand)).toHaveLength(1);
    expect(glue.commandCalls(UpdatePartitionCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'clicks',
      PartitionValueList: ['2026-01-01', '07'],
      PartitionInput: { Values: ['2026-01-01', '07'], StorageDescriptor: { Location: 's3://app-lake/tables/clicks/dt=2026-01-01/hour=07/' }, Parameters: { baton_rows: '10' } },
    });
    await sync().handle(event('_catalog/clicks/partitions/dt=2026-01-01/hour=07.json', 'ObjectRemoved:Delete'));
    expect(glue.commandCalls(DeletePartitionCommand)[0]!.args[0].input).toEqual({ DatabaseName: 'app_lake', TableName: 'clicks', PartitionValues: ['2026-01-01', '07'] });
  });

  it('skips keys that are no catalog record; one failing record fails the invocation after the others ran', async () => {
    expect(await sync().handle(event('_catalog/clicks/notes.txt'))).toEqual({ synced: 0, skipped: 1 });
    s3.on(GetObjectCommand, { Key: '_catalog/a/table.json' }).rejects(new Error('AccessDenied'));
    s3.on(GetObjectCommand, { Key: '_catalog/clicks/table.json' }).resolves(body(table) as never);
    const both = { Records: [...event('_catalog/a/table.json').Records, ...event('_catalog/clicks/table.json').Records] } as S3Event;
    await expect(sync().handle(both)).rejects.toThrow('AccessDenied');
    expect(glue.commandCalls(CreateTableCommand)).toHaveLength(1);
  });

  it('parses catalog keys and maps DuckDB types', () => {
    expect(parseCatalogKey('_catalog/t/partitions/file=a b.json', '_catalog/')).toEqual({ kind: 'partition', table: 't', values: [['file', 'a b']] });
    expect(parseCatalogKey('_catalog/t/table.json', '_catalog/')).toEqual({ kind: 'table', table: 't' });
    expect(parseCatalogKey('other/t/table.json', '_catalog/')).toBeUndefined();
    expect([glueType('TIMESTAMP WITH TIME ZONE'), glueType('double'), glueType('INTEGER'), glueType('STRUCT(a INT)')]).toEqual(['timestamp', 'double', 'int', 'string']);
  });
});
