/**
 * The flow `zohobooks-to-hubspot` (SPEC §2): customers and their contact
 * persons, then invoices with their lines, then customer payments, each
 * stream read in modification order since its cursor. List answers carry no
 * contact persons, lines or applications (reference/zohobooks.md §6), so
 * each changed record is read in full.
 */
import { defineFlow, type SourceRecord } from '../../engine/flow-definition.ts';
import type { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import { mapCustomer, mapInvoice, mapPayment, type ZohoCustomer, type ZohoInvoice, type ZohoPayment } from './mapping.ts';

async function* detailed<T>(
  changes: AsyncIterable<{ id: string; modifiedAt: number }>,
  fetch: (id: string) => Promise<unknown>,
  signal: AbortSignal,
): AsyncGenerator<SourceRecord<T>> {
  for await (const change of changes) {
    if (signal.aborted) throw signal.reason;
    yield { id: change.id, modifiedAt: change.modifiedAt, data: (await fetch(change.id)) as T };
  }
}

export const zohoBooksToHubSpot = defineFlow<ZohoBooksClient>({
  name: 'zohobooks-to-hubspot',
  source: 'zohobooks',
  target: 'hubspot',
  streams: [
    {
      name: 'customers',
      read: (client, cursor, signal) =>
        detailed<ZohoCustomer>(client.contactsModifiedSince(cursor?.ts, { contactType: 'customer' }), (id) => client.getContact(id), signal),
      map: (record, context) => mapCustomer(record as SourceRecord<ZohoCustomer>, context),
    },
    {
      name: 'invoices',
      read: (client, cursor, signal) => detailed<ZohoInvoice>(client.invoicesModifiedSince(cursor?.ts), (id) => client.getInvoice(id), signal),
      map: (record, context) => mapInvoice(record as SourceRecord<ZohoInvoice>, context),
    },
    {
      name: 'payments',
      read: (client, cursor, signal) => detailed<ZohoPayment>(client.paymentsModifiedSince(cursor?.ts), (id) => client.getPayment(id), signal),
      map: (record, context) => mapPayment(record as SourceRecord<ZohoPayment>, context),
    },
  ],
});
