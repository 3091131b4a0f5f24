import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { connect } from 'baton/handler';
import { names, type Processed, type TransactionItem } from '../schema.ts';

// The seed's process step: the work per record (here: the amount in USD, the card fee, a risk
// flag), then on to the finished queue, one message out per message in.
const usdPer: Record<string, number> = { USD: 1, BHD: 2.6596, EUR: 1.08, SAR: 0.2666, AED: 0.2723 };
const feeRate: Record<string, number> = { debit: 0.005, credit: 0.018, prepaid: 0.01 };

export function process(t: TransactionItem): Processed {
  const amountUsd = Math.round(t.amount * (usdPer[t.currency] ?? 1) * 100) / 100;
  const risk = amountUsd > 5000 || (t.channel === 'online' && t.country !== 'BH') ? 'high' : 'low';
  return { transaction_id: t.transaction_id, amount_usd: amountUsd, fee: Math.round(amountUsd * (feeRate[t.card_type] ?? 0.01) * 100) / 100, risk };
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { queues } = connect();
  const out = event.Records.map((r) => ({ id: r.messageId, body: JSON.stringify((JSON.parse(r.body) as TransactionItem[]).map(process)) }));
  const sent = await queues.sendBatch(names.finished, out);
  const failed = sent.filter((s) => !s.ok).map((s) => ({ itemIdentifier: event.Records[s.index]!.messageId }));
  console.log(`processed ${event.Records.length - failed.length} messages`);
  return { batchItemFailures: failed };
};
