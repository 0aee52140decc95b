/**
 * The fallback when a portal can't take invoice writes (SPEC §2): each
 * affected customer's invoices are summarised onto its company in `ml_*`
 * properties instead. A changed invoice or payment marks its customer; the
 * customer's whole billing is then read again, so the summary is always of
 * every invoice, not just the changed ones.
 */
import type { MapResult, SourceRecord, SourceStream, StreamContext } from '../../engine/flow-definition.ts';
import type { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import type { InvoiceSummary } from '../../systems/zohobooks/schemas.ts';
import { compactProperties, money } from '../mapping-rules.ts';
import { keyOf } from './mapping.ts';

export interface CustomerBilling {
  customer_id: string;
  invoices: InvoiceSummary[];
}

/** Invoices that count as billed: not drafts, not voided. */
const billed = (invoice: InvoiceSummary) => invoice.status !== 'draft' && invoice.status !== 'void';

export function mapBillingSummary(record: SourceRecord<CustomerBilling>, context: StreamContext): MapResult {
  const { customer_id: customerId, invoices } = record.data;
  const counted = invoices.filter(billed);
  const latest = [...counted].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.invoice_number < b.invoice_number ? 1 : -1))[0];
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const companyKey = keyOf(context, 'customer', customerId);
  return {
    records: [
      {
        key: keyOf(context, 'billing_summary', customerId),
        objectType: 'companies',
        match: { by: 'target_of', key: companyKey },
        properties: compactProperties({
          ml_total_billed: money(sum(counted.map((i) => i.total))) ?? '0',
          ml_open_balance: money(sum(counted.map((i) => i.balance))) ?? '0',
          ml_total_paid: money(sum(counted.map((i) => i.total - i.balance))) ?? '0',
          ml_overdue_invoice_count: String(counted.filter((i) => i.status === 'overdue').length),
          ml_last_invoice_number: latest?.invoice_number,
          ml_last_invoice_date: latest?.date,
          ml_currency: latest?.currency_code,
        }),
        // The company must exist first; nothing is associated.
        parents: [{ key: companyKey, objectType: 'companies' }],
      },
    ],
    rejected: [],
  };
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
