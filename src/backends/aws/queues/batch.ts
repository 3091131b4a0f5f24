/**
 * DeleteMessageBatch and ChangeMessageVisibilityBatch in requests of 10, with SQS's per-entry
 * failures as per-entry results (an invalid receipt handle is a StaleReceiptError for that entry).
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { ValidationError, show } from '../../../core/errors.ts';
import type { BatchResultEntry } from '../../../ports/queues.ts';
import { failed } from '../../shared/queues/batch.ts';
import type { AwsContext } from '../context.ts';
import { call, translate, type CallContext } from '../errors.ts';

const maxEntries = 10;

function checkHandles(queue: string, handles: unknown): asserts handles is string[] {
  if (!Array.isArray(handles) || handles.some((h) => typeof h !== 'string' || h === '')) {
    throw new ValidationError(`Queue '${queue}': expected a list of receipt handles; got ${show(handles)}.`, { action: 'Pass receiptHandle values exactly as receive returned them.' });
  }
}

function entryError(bad: BatchResultErrorEntry, at: CallContext): unknown {
  return translate(Object.assign(new Error(bad.Message ?? bad.Code ?? 'failed'), { name: bad.Code ?? 'Error' }), at);
}

async function inChunks(
  queue: string,
  handles: string[],
  run: (entries: Array<{ Id: string; ReceiptHandle: string }>) => Promise<{ Successful?: Array<{ Id?: string }>; Failed?: BatchResultErrorEntry[] }>,
  at: CallContext,
): Promise<Array<BatchResultEntry<void>>> {
  checkHandles(queue, handles);
  const results: Array<BatchResultEntry<void>> = new Array(handles.length);
  const chunks: Array<Array<{ Id: string; ReceiptHandle: string }>> = [];
  for (let i = 0; i < handles.length; i += maxEntries) chunks.push(handles.slice(i, i + maxEntries).map((h, j) => ({ Id: String(i + j), ReceiptHandle: h })));
  await Promise.all(
    chunks.map(async (entries) => {
      const out = await run(entries);
      for (const ok of out.Successful ?? []) results[Number(ok.Id)] = { index: Number(ok.Id), ok: true };
      for (const bad of out.Failed ?? []) results[Number(bad.Id)] = failed(Number(bad.Id), entryError(bad, at));
    }),
  );
  return results;
}

export function deleteBatch(ctx: AwsContext, queue: string, url: string, handles: string[]): Promise<Array<BatchResultEntry<void>>> {
  const at = ctx.at('sqs', 'delete', `queue "${queue}"`);
  return inChunks(queue, handles, (Entries) => call(at, () => ctx.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries }))), at);
}

export function changeVisibilityBatch(ctx: AwsContext, queue: string, url: string, handles: string[], ms: number): Promise<Array<BatchResultEntry<void>>> {
  const at = ctx.at('sqs', 'changeVisibility', `queue "${queue}"`);
  const VisibilityTimeout = Math.ceil(ms / 1000);
  return inChunks(queue, handles, (entries) => call(at, () => ctx.clients.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries.map((e) => ({ ...e, VisibilityTimeout })) }))), at);
}
