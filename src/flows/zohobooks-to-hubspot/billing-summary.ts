/**
 * Zoho Books' side of the billing-summary fallback (../billing-summary.ts): a
 * changed invoice or payment marks its customer; the customer's whole
 * billing is then read again, so the summary is always of every invoice,
 * not just the changed ones.
 */
import type { MapResult, SourceRecord, SourceStream, StreamContext } from '../../engine/flow-definition.ts';
import type { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import type { InvoiceSummary } from '../../systems/zohobooks/schemas.ts';
import { billingSummaryRecord, type BillingLine } from '../billing-summary.ts';
import { keyOf } from './mapping.ts';

export interface CustomerBilling {
  customer_id: string;
  invoices: InvoiceSummary[];
}

export function mapBillingSummary(record: SourceRecord<CustomerBilling>, context: StreamContext): MapResult {
  const { customer_id: customerId, invoices } = record.data;
  const lines: BillingLine[] = invoices.map((i) => ({
    number: i.invoice_number,
    date: i.date,
    total: i.total,
    balance: i.balance,
    currency: i.currency_code,
    billed: i.status !== 'draft' && i.status !== 'void',
    overdue: i.status === 'overdue',
  }));
  return { records: [billingSummaryRecord(keyOf(context, 'billing_summary', customerId), keyOf(context, 'customer', customerId), lines)], rejected: [] };
}

export const billingSummaryStream: SourceStream<CustomerBilling, ZohoBooksClient> = {
  name: 'billing-summaries',
  async *read(client, cursor, signal) {
    // The customers whose billing changed, with the time of their latest change; a handful of ids, not records.
    const changed = new Map<string, number>();
    const mark = (customerId: string, at: number) => changed.set(customerId, Math.max(changed.get(customerId) ?? 0, at));
    for await (const change of client.invoicesModifiedSince(cursor?.ts)) mark(change.record.customer_id, change.modifiedAt);
    for await (const change of client.paymentsModifiedSince(cursor?.ts)) mark(change.record.customer_id, change.modifiedAt);
    const ordered = [...changed].sort(([a, at], [b, bt]) => at - bt || (a < b ? -1 : 1));
    for (const [customerId, modifiedAt] of ordered) {
      if (signal.aborted) throw signal.reason;
      const invoices: InvoiceSummary[] = [];
      for await (const invoice of client.invoicesOfCustomer(customerId)) invoices.push(invoice);
      yield { id: customerId, modifiedAt, data: { customer_id: customerId, invoices } };
    }
  },
  map: (record, context) => mapBillingSummary(record, context),
};
