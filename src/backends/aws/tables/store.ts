/**
 * The aws table store: tables on DynamoDB, their change streams on DynamoDB Streams, stream
 * positions in Baton's own DynamoDB table. Input is checked with the same rules and words as local
 * (backends/shared/tables), so a bad key or a failed condition reads the same on both backends.
 *
 *   declare/list   catalog.ts    CreateTable (PAY_PER_REQUEST) / UpdateTable for the stream
 *   put/get/...    items.ts      one request each, strongly consistent reads
 *   query, scan    query.ts
 *   batchWrite     batch.ts      TransactWriteItems, up to 100 actions per request
 *   streams        stream.ts     shard iterators, positions.ts for the durable positions
 *
 * Left out, and why (for the README's backend table):
 * - Keys cannot change: a declare with other keys than the table has is refused even when the
 *   table is empty (DynamoDB cannot change a key schema; local allows it while empty).
 * - Changing a stream's view type makes a new stream (DynamoDB's way): consumers start at its
 *   beginning, and records of the old stream are not read.
 * - Stream record times are DynamoDB's ApproximateCreationDateTime (to the second), not Baton's
 *   clock; retention is DynamoDB's 24 h by its own clock.
 * - A batch is not all-or-nothing on a storage failure: transactions already committed stay
 *   (local writes a batch in one SQLite transaction). Requests of one batch on one item run in
 *   order in successive transactions; transactional writes cost DynamoDB twice the write units of
 *   plain ones, the price of per-request conditions in one request.
 * - Item size is counted as DynamoDB counts it (attribute names and values), not as JSON bytes;
 *   numbers beyond DynamoDB's range (1e125) are refused by DynamoDB (local takes any finite one).
 * - Unconditional batch puts and deletes go through TransactWriteItems too (100 per request),
 *   not BatchWriteItem (25 per request, without conditions or per-item errors).
 * - Sequence numbers handed out are this store's own (stream.ts): after a reopen a record may get
 *   another number; committed positions survive.
 */
import { ValidationError } from '../../../core/errors.ts';
import type { Condition, Item, Key, QueryInput, QueryResult, ScanInput, StreamReadOptions, StreamRecords, TableConfig, TableStore, UpdateInput, WriteRequest } from '../../../ports/tables.ts';
import type { AwsContext } from '../context.ts';
import { BatchWriter, type BatchResult } from './batch.ts';
import { TableCatalog, type AwsTable } from './catalog.ts';
import { ItemOps } from './items.ts';
import { Positions } from './positions.ts';
import { runQuery, runScan } from './query.ts';
import { StreamReader } from './stream.ts';
import { checkEventNames } from '../../shared/tables/stream-read.ts';

export class AwsTableStore implements TableStore {
  private readonly catalog: TableCatalog;
  private readonly items: ItemOps;
  private readonly batches: BatchWriter;
  private readonly stream: StreamReader;

  constructor(private readonly ctx: AwsContext) {
    this.catalog = new TableCatalog(ctx);
    this.items = new ItemOps(ctx);
    this.batches = new BatchWriter(ctx);
    this.stream = new StreamReader(ctx, new Positions(ctx, this.catalog));
  }

  async declare(config: TableConfig): Promise<void> {
    await this.catalog.declare(config);
  }

  async list(): Promise<TableConfig[]> {
    return this.catalog.list();
  }

  async put(table: string, item: Item, options: { condition?: Condition } = {}): Promise<{ old?: Item }> {
    return this.items.put(await this.catalog.get(table), item, options.condition);
  }

  async get(table: string, key: Key): Promise<Item | undefined> {
    return this.items.get(await this.catalog.get(table), key);
  }

  async update(table: string, key: Key, input: UpdateInput): Promise<Item> {
    return this.items.update(await this.catalog.get(table), key, input);
  }

  async delete(table: string, key: Key, options: { condition?: Condition } = {}): Promise<{ old?: Item }> {
    return this.items.delete(await this.catalog.get(table), key, options.condition);
  }

  async query(table: string, input: QueryInput): Promise<QueryResult> {
    return runQuery(this.ctx, await this.catalog.get(table), input);
  }

  async scan(table: string, input: ScanInput = {}): Promise<QueryResult> {
    return runScan(this.ctx, await this.catalog.get(table), input);
  }

  async batchWrite(table: string, requests: WriteRequest[]): Promise<BatchResult[]> {
    return this.batches.write(await this.catalog.get(table), requests);
  }

  async readStream(table: string, consumer: string, options: StreamReadOptions = {}): Promise<StreamRecords> {
    const t = await this.streamed(table);
    return this.stream.read(t, consumer, options.limit, options.after, checkEventNames(t.name, options.eventNames));
  }

  async commitStream(table: string, consumer: string, sequence: number): Promise<void> {
    await this.stream.commit(await this.streamed(table), consumer, sequence);
  }

  private async streamed(table: string): Promise<AwsTable> {
    const t = await this.catalog.get(table);
    if (!t.viewType || !t.streamArn) {
      throw new ValidationError(`Table "${t.name}" has no stream.`, { action: `Declare it with stream: true (or a view type such as 'NEW_AND_OLD_IMAGES') in baton.config.ts.` });
    }
    return t;
  }
}
