// The transaction record of seed 004, declared once: 16 columns, as the CSV export has them. The
// clean function coerces every cleaned row to it; a row that does not fit is rejected with its
// line number and reasons before anything is queued.
import { z } from 'zod';

export const transaction = z.object({
  transaction_id: z.string(),
  account_id: z.string(),
  customer_name: z.string(),
  merchant: z.string(),
  merchant_category: z.string(),
  amount: z.number(),
  currency: z.enum(['BHD', 'USD', 'EUR', 'SAR', 'AED']),
  country: z.string(),
  city: z.string(),
  card_type: z.enum(['debit', 'credit', 'prepaid']),
  channel: z.enum(['pos', 'online', 'atm']),
  status: z.enum(['approved', 'declined', 'reversed']),
  created_at: z.iso.datetime(),
  device_id: z.string().optional(),
  ip_address: z.string().optional(),
  note: z.string().optional(),
});

export type Transaction = z.infer<typeof transaction>;

/** The item in the transactions table: the row, where it is in the pipeline, and what processing added. */
export interface TransactionItem extends Transaction {
  stage: 'loaded' | 'processed';
  amount_usd?: number;
  fee?: number;
  risk?: 'low' | 'high';
  /** How many times the update step applied to this item: exactly 1 once processed. */
  updates?: number;
}

/** What the process function sends to the finished queue for one transaction. */
export interface Processed {
  transaction_id: string;
  amount_usd: number;
  fee: number;
  risk: 'low' | 'high';
}

export const names = {
  bucket: 'uploads',
  uploads: 'uploads',
  load: 'load',
  table: 'transactions',
  process: 'process',
  finished: 'finished',
} as const;

/** Rows per load-queue message: ~300 bytes a row keeps a message far below the 256 KiB limit. */
export const rowsPerMessage = 400;
