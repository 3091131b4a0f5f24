/**
 * A page of the run history on DynamoDB (RunStore.page): one of the runs table's GSIs (by-fn,
 * by-status, or by-all) newest first, `since`/`until` and the cursor as conditions on its sort key
 * `ord`, the other filters as a FilterExpression, read page after page until the limit is filled.
 * The cursor is the `ord` of the last run handed out (unique per run), so a page never shifts when
 * new runs arrive.
 */
import type { Run, RunCount, RunCountFilter, RunPage, RunPageFilter, RunStatus } from '../../../ports/runs.ts';
import { badRunCursor, checkRunCount, checkRunPage } from '../../shared/runs/page.ts';
import type { AwsContext } from '../context.ts';
import { Expr, fromItem, pad, queryPages } from '../state/dynamo.ts';
import { ensure } from '../state/tables.ts';

const ORD = /^\d{16}\.\d{16}\.\d{10}$/;

export async function pageRuns<T extends { ord: string }>(ctx: AwsContext, all: string, filter: RunPageFilter, toRun: (item: T) => Run): Promise<RunPage> {
  const limit = checkRunPage(filter);
  if (filter.cursor !== undefined && !ORD.test(filter.cursor)) throw badRunCursor(filter.cursor);
  const e = new Expr();
  const [index, partition, value] = filter.fn !== undefined ? ['by-fn', 'fn', filter.fn] : filter.status !== undefined ? ['by-status', 'status', filter.status] : ['by-all', 'all', all];
  // The upper bound (exclusive) is the lower of the cursor and `until`; `since` is inclusive.
  const untilKey = filter.until !== undefined ? pad(Math.ceil(filter.until)) : undefined;
  const upper = filter.cursor !== undefined && (untilKey === undefined || filter.cursor < untilKey) ? filter.cursor : untilKey;
  const lower = filter.since !== undefined ? pad(Math.ceil(filter.since)) : undefined;
  const ord = lower !== undefined || upper !== undefined ? e.name('ord') : '';
  let key = e.eq(partition, value);
  if (lower !== undefined && upper !== undefined) key += ` AND ${ord} BETWEEN ${e.value(lower)} AND ${e.value(upper)}`;
  else if (upper !== undefined) key += ` AND ${ord} < ${e.value(upper)}`;
  else if (lower !== undefined) key += ` AND ${ord} >= ${e.value(lower)}`;
  const filters: string[] = [];
  if (filter.status !== undefined && partition !== 'status') filters.push(e.eq('status', filter.status));
  if (filter.trigger !== undefined) filters.push(e.eq('trigger', filter.trigger));
  const out: T[] = [];
  let more = false;
  await queryPages(ctx, 'runs', { TableName: await ensure(ctx, 'runs'), IndexName: index, KeyConditionExpression: key, ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}), ScanIndexForward: false, Limit: Math.max(100, limit + 1), ...e.params() }, (items) => {
    for (const i of items) {
      const item = fromItem<T>(i);
      if (upper !== undefined && item.ord >= upper) continue; // BETWEEN includes its upper end
      if (out.length === limit) {
        more = true;
        return true;
      }
      out.push(item);
    }
    return false;
  });
  return { items: out.map(toRun), next: more ? out[out.length - 1]!.ord : null };
}

/** Counts runs by fn and status: the by-status GSI when a status is given, else by-all, from `since` on; only fn and status are read. */
export async function countRuns(ctx: AwsContext, all: string, filter: RunCountFilter): Promise<RunCount[]> {
  checkRunCount(filter);
  const e = new Expr();
  const [index, partition, value] = filter.status !== undefined ? ['by-status', 'status', filter.status] : ['by-all', 'all', all];
  const key = `${e.eq(partition, value)}${filter.since !== undefined ? ` AND ${e.name('ord')} >= ${e.value(pad(Math.ceil(filter.since)))}` : ''}`;
  const counts = new Map<string, RunCount>();
  await queryPages(ctx, 'runs', { TableName: await ensure(ctx, 'runs'), IndexName: index, KeyConditionExpression: key, ProjectionExpression: [e.name('fn'), e.name('status')].join(', '), ...e.params() }, (items) => {
    for (const i of items) {
      const r = fromItem<{ fn: string; status: RunStatus }>(i);
      const k = `${r.fn}\n${r.status}`;
      const c = counts.get(k);
      if (c) c.count++;
      else counts.set(k, { fn: r.fn, status: r.status, count: 1 });
    }
  });
  return [...counts.values()];
}
