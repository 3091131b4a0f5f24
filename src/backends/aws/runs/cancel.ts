/**
 * Cancel requests of the run history on DynamoDB (ports/runs.ts RunStore.requestCancel and
 * cancelRequests).
 *
 * A request is one TransactWriteItems: an UpdateItem that sets the run's `cancelRequest` on the
 * condition that the run exists, is running and has none yet, and a Put of { all: 'cancel', runId,
 * at, by } in the `run-cancels` table, whose one partition is the index the engine's poll reads
 * (a Query, never a read of runs by status). When the condition fails the run is read to say why:
 * missing (NotFoundError), ended (ConditionFailedError naming how), or already asked (the run is
 * returned with the first request).
 *
 * A request stays in `run-cancels` until its run is finished (the store's finish removes it, only
 * for a run that has a request: the finish's UpdateItem returns the item, so others pay nothing) or
 * pruned. The run keeps its `cancelRequest` as the record of who asked.
 */
import { DeleteItemCommand, TransactWriteItemsCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError, show } from '../../../core/errors.ts';
import type { CancelRequest, CancelRequestInput } from '../../../ports/runs.ts';
import { cancelRequestOf, notRunning, runNotFound } from '../../shared/runs/cancel.ts';
import type { AwsContext } from '../context.ts';
import { call } from '../errors.ts';
import { Expr, fromItem, queryPages, toItem } from '../state/dynamo.ts';
import { ensure } from '../state/tables.ts';

/** The one partition of `run-cancels`. */
const ALL = 'cancel';

export class AwsRunCancels {
  constructor(private readonly ctx: AwsContext) {}

  /**
   * Writes the request; resolves undefined when written, or the run as `read` read it when it was
   * already asked to cancel (the caller returns that run without reading it again). `read` reads
   * the run (consistently) to explain a failed condition.
   */
  async request<R extends { status: string; cancelRequest?: unknown }>(id: string, input: CancelRequestInput, read: () => Promise<R | undefined>): Promise<R | undefined> {
    const [runs, cancels] = await Promise.all([ensure(this.ctx, 'runs'), ensure(this.ctx, 'run-cancels')]);
    const request = { at: Math.round(input.at ?? this.ctx.clock.now()), ...(input.by !== undefined ? { by: input.by } : {}) };
    const e = new Expr();
    const condition = `attribute_exists(${e.name('id')}) AND ${e.eq('status', 'running')} AND attribute_not_exists(${e.name('cancelRequest')})`;
    const update = `SET ${e.name('cancelRequest')} = ${e.value(request)}`;
    try {
      await call(this.ctx.at('dynamodb', 'request cancel of run', show(id)), () =>
        this.ctx.clients.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Update: { TableName: runs, Key: toItem({ id }), UpdateExpression: update, ConditionExpression: condition, ...e.params() } },
              { Put: { TableName: cancels, Item: toItem({ all: ALL, runId: id, ...request }) } },
            ],
          }),
        ),
      );
      return undefined;
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      const run = await read();
      if (!run) throw runNotFound(id);
      if (run.status !== 'running') throw notRunning(id, run.status);
      if (run.cancelRequest !== undefined) return run;
      throw err;
    }
  }

  async pending(): Promise<CancelRequest[]> {
    const e = new Expr();
    const out: CancelRequest[] = [];
    await queryPages(this.ctx, 'run cancel requests', { TableName: await ensure(this.ctx, 'run-cancels'), KeyConditionExpression: e.eq('all', ALL), ConsistentRead: true, ...e.params() }, (items) => {
      for (const i of items) {
        const r = fromItem<CancelRequest & { all: string }>(i);
        out.push({ runId: r.runId, ...cancelRequestOf(r.at, r.by) });
      }
    });
    return out;
  }

  /** Removes the request of a run that has ended. */
  async settle(runId: string): Promise<void> {
    const table = await ensure(this.ctx, 'run-cancels');
    await call(this.ctx.at('dynamodb', 'settle cancel of run', show(runId)), () => this.ctx.clients.dynamodb.send(new DeleteItemCommand({ TableName: table, Key: toItem({ all: ALL, runId }) })));
  }

  /** Delete requests for the cancel requests of runs being pruned. */
  deletes(runIds: Iterable<string>): WriteRequest[] {
    return [...runIds].map((runId) => ({ DeleteRequest: { Key: toItem({ all: ALL, runId }) } }));
  }
}
