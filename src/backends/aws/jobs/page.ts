/**
 * Pages of jobs and maps on DynamoDB: the table's by-fn or by-all GSI newest first, the cursor as
 * a condition on its sort key `ord` (the `ord` of the last item handed out, unique per item), a
 * status as a FilterExpression, read page after page until the limit is filled.
 */
import type { ListPage } from '../../../ports/jobs.ts';
import { badListCursor, checkListPage } from '../../shared/jobs/page.ts';
import type { AwsContext } from '../context.ts';
import { Expr, fromItem, queryPages } from '../state/dynamo.ts';
import { ensure } from '../state/tables.ts';

const ORD = /^\d{16}\.\d{16}\.\d{10}$/;

export async function pageByOrd<I extends { ord: string }, T>(ctx: AwsContext, what: 'jobs' | 'maps', all: string, filter: { limit?: number; cursor?: string; status?: string; fn?: string }, toValue: (item: I) => T): Promise<ListPage<T>> {
  const limit = checkListPage(what, filter);
  if (filter.cursor !== undefined && !ORD.test(filter.cursor)) throw badListCursor(what, filter.cursor);
  const e = new Expr();
  const [index, partition, value] = filter.fn !== undefined ? ['by-fn', 'fn', filter.fn] : ['by-all', 'all', all];
  const key = `${e.eq(partition, value)}${filter.cursor !== undefined ? ` AND ${e.name('ord')} < ${e.value(filter.cursor)}` : ''}`;
  const out: I[] = [];
  let more = false;
  await queryPages(ctx, what, { TableName: await ensure(ctx, what), IndexName: index, KeyConditionExpression: key, ...(filter.status !== undefined ? { FilterExpression: e.eq('status', filter.status) } : {}), ScanIndexForward: false, Limit: Math.max(100, limit + 1), ...e.params() }, (items) => {
    for (const i of items) {
      if (out.length === limit) {
        more = true;
        return true;
      }
      out.push(fromItem<I>(i));
    }
    return false;
  });
  return { items: out.map(toValue), next: more ? out[out.length - 1]!.ord : null };
}
