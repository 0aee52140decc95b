/**
 * The flow `acumatica-to-hubspot`: customers, their contacts, AR invoices
 * with their lines, then payments, each stream polled on
 * LastModifiedDateTime since its cursor (push notifications are unsigned and
 * not relied on, reference/acumatica.md §9).
 */
import { defineFlow, sourceRecords, type SourceRecord, type SourceStream } from '../../engine/flow-definition.ts';
import type { AcumaticaClient } from '../../systems/acumatica/client.ts';
import { SalesInvoice as SalesInvoiceSchema, type Contact, type Customer, type Payment, type SalesInvoice } from '../../systems/acumatica/schemas.ts';
import { billingSummaryRecord } from '../billing-summary.ts';
import { billingLineOf, keyOf, mapContact, mapCustomer, mapInvoice, mapPayment, type InvoiceWithContact } from './mapping.ts';

/** Each invoice with its customer's primary contact, read once per customer per run. */
async function* withPrimaryContacts(client: AcumaticaClient, since: number | undefined, signal: AbortSignal): AsyncGenerator<SourceRecord<InvoiceWithContact>> {
  const primary = new Map<string, number | undefined>();
  for await (const change of client.invoicesModifiedSince(since)) {
    if (signal.aborted) throw signal.reason;
    const customerId = change.record.CustomerID ?? '';
    if (customerId && !primary.has(customerId)) primary.set(customerId, (await client.getCustomer(customerId)).PrimaryContactID ?? undefined);
    yield { id: change.id, modifiedAt: change.modifiedAt, data: { invoice: change.record, primaryContactId: primary.get(customerId) } };
  }
}

export const acumaticaToHubSpot = defineFlow<AcumaticaClient>({
  name: 'acumatica-to-hubspot',
  source: 'acumatica',
  target: 'hubspot',
  streams: [
    {
      name: 'customers',
      read: (client, cursor, signal) => sourceRecords(client.customersModifiedSince(cursor?.ts), signal),
      map: (record, context) => mapCustomer(record as SourceRecord<Customer>, context),
    },
    {
      name: 'contacts',
      read: (client, cursor, signal) => sourceRecords(client.contactsModifiedSince(cursor?.ts), signal),
      map: (record, context) => mapContact(record as SourceRecord<Contact>, context),
    },
    {
      name: 'invoices',
      read: (client, cursor, signal) => withPrimaryContacts(client, cursor?.ts, signal),
      map: (record, context) => mapInvoice(record as SourceRecord<InvoiceWithContact>, context),
    },
    {
      name: 'payments',
      read: (client, cursor, signal) => sourceRecords(client.paymentsModifiedSince(cursor?.ts), signal),
      map: (record, context) => mapPayment(record as SourceRecord<Payment>, context),
    },
  ],
});

interface CustomerInvoices {
  customerId: string;
  invoices: SalesInvoice[];
  /** The day the read was made, so "overdue" is decided by the read, not by the (pure) mapping. */
  today: string;
}

/**
 * The fallback without invoice writes (../billing-summary.ts): a changed
 * invoice or payment marks its customer, whose AR invoices are then read
 * again in full and summarised on its company.
 */
export const acumaticaBillingSummaries: SourceStream<CustomerInvoices, AcumaticaClient> = {
  name: 'billing-summaries',
  async *read(client, cursor, signal) {
    const changed = new Map<string, number>();
    const mark = (customerId: string | null | undefined, at: number) => {
      if (customerId) changed.set(customerId, Math.max(changed.get(customerId) ?? 0, at));
    };
    for await (const change of client.invoicesModifiedSince(cursor?.ts)) mark(change.record.CustomerID, change.modifiedAt);
    for await (const change of client.paymentsModifiedSince(cursor?.ts)) mark(change.record.CustomerID, change.modifiedAt);
    const today = new Date(client.clock.now()).toISOString().slice(0, 10);
    for (const [customerId, modifiedAt] of [...changed].sort(([a, at], [b, bt]) => at - bt || (a < b ? -1 : 1))) {
      if (signal.aborted) throw signal.reason;
      const invoices: SalesInvoice[] = [];
      // OData string literals double their quotes (reference/acumatica.md §5).
      for await (const invoice of client.list('SalesInvoice', SalesInvoiceSchema, { filter: `CustomerID eq '${customerId.replaceAll("'", "''")}'` })) invoices.push(invoice);
      yield { id: customerId, modifiedAt, data: { customerId, invoices, today } };
    }
  },
  map: (record, context) => ({
    records: [
      billingSummaryRecord(
        keyOf(context, 'billing_summary', record.data.customerId),
        keyOf(context, 'customer', record.data.customerId),
        record.data.invoices.map((invoice) => billingLineOf(invoice, record.data.today)),
      ),
    ],
    rejected: [],
  }),
};
