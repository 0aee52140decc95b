/**
 * The flow `freshbooks-to-hubspot`: clients, then invoices with their
 * lines, then payments. Two ways in: polling each list on `updated` since
 * its cursor (the backfill and `sync --full`, which repairs whatever a
 * missed webhook left behind), and `eventItems`, which turns the webhook
 * events received into the records to write, fetched as they are now, with
 * the client of an invoice and the invoice of a payment brought along so a
 * child never arrives before its parent.
 */
import type { ReceivedEvent } from '../../engine/engine-state.ts';
import { defineFlow, sourceRecords, type SourceRecord } from '../../engine/flow-definition.ts';
import { isConnectorError } from '../../core/errors.ts';
import type { FreshBooksClient } from '../../systems/freshbooks/client.ts';
import type { Client, Invoice, Payment } from '../../systems/freshbooks/schemas.ts';
import { mapClient, mapInvoice, mapPayment, type InvoiceWithClient } from './mapping.ts';

export const FRESHBOOKS_TO_HUBSPOT = 'freshbooks-to-hubspot';

/** Which clients have an organization (a company in HubSpot), read once per run. */
const organizationsByClient = new WeakMap<FreshBooksClient, Promise<Map<number, boolean>>>();

function organizations(client: FreshBooksClient): Promise<Map<number, boolean>> {
  let found = organizationsByClient.get(client);
  if (!found) {
    found = (async () => {
      const byId = new Map<number, boolean>();
      for await (const change of client.listClients({ includeDeleted: true })) byId.set(change.record.userid, Boolean(change.record.organization?.trim()));
      return byId;
    })();
    organizationsByClient.set(client, found);
  }
  return found;
}

/** FreshBooks' lists order and filter on `updated` (reference/freshbooks.md §5). */
const byUpdated = (change: { updatedAt: number }) => change.updatedAt;

export const freshbooksToHubSpot = defineFlow<FreshBooksClient>({
  name: FRESHBOOKS_TO_HUBSPOT,
  source: 'freshbooks',
  target: 'hubspot',
  streams: [
    {
      name: 'clients',
      read: (client, cursor, signal) => sourceRecords(client.listClients({ ...(cursor ? { updatedSince: cursor.ts } : {}), includeDeleted: true }), signal, byUpdated),
      map: (record, context) => mapClient(record as SourceRecord<Client>, context),
    },
    {
      name: 'invoices',
      async *read(client, cursor, signal) {
        const withCompany = await organizations(client);
        for await (const change of sourceRecords(client.listInvoices({ ...(cursor ? { updatedSince: cursor.ts } : {}), includeDeleted: true }), signal, byUpdated)) {
          yield { ...change, data: { invoice: change.data, clientHasCompany: withCompany.get(change.data.customerid) ?? false } satisfies InvoiceWithClient };
        }
      },
      map: (record, context) => mapInvoice(record as SourceRecord<InvoiceWithClient>, context),
    },
    {
      name: 'payments',
      read: (client, cursor, signal) => sourceRecords(client.listPayments({ ...(cursor ? { updatedSince: cursor.ts } : {}), includeDeleted: true }), signal, byUpdated),
      map: (record, context) => mapPayment(record as SourceRecord<Payment>, context),
    },
  ],
});

/** A record deleted since its event was sent is no longer there to fetch: nothing to write for it. */
async function fetchOr<T>(fetch: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fetch();
  } catch (error) {
    if (isConnectorError(error) && error.kind === 'not_found') return undefined;
    throw error;
  }
}

/**
 * The records the events name, as they are now: payments bring their
 * invoice, invoices their client, so whatever order the events came in,
 * parents are written first in the same run.
 */
export async function eventItems(client: FreshBooksClient, events: ReadonlyArray<Pick<ReceivedEvent, 'name' | 'objectId'>>): Promise<Array<{ stream: string; snapshot: SourceRecord }>> {
  const ids = (resource: string) => [...new Set(events.filter((e) => e.name.split('.')[0] === resource).map((e) => e.objectId))];
  const payments = new Map<number, Payment>();
  for (const id of ids('payment')) {
    const payment = await fetchOr(() => client.getPayment(id));
    if (payment) payments.set(payment.id, payment);
  }
  const invoices = new Map<number, Invoice>();
  for (const id of new Set([...ids('invoice'), ...[...payments.values()].map((p) => String(p.invoiceid))])) {
    const invoice = await fetchOr(() => client.getInvoice(id));
    if (invoice) invoices.set(invoice.invoiceid, invoice);
  }
  const clients = new Map<number, Client>();
  for (const id of new Set([...ids('client'), ...[...invoices.values()].map((i) => String(i.customerid))])) {
    const found = await fetchOr(() => client.getClient(id));
    if (found) clients.set(found.userid, found);
  }
  const snapshot = <T>(id: number, updated: string, data: T): SourceRecord<T> => ({ id: String(id), modifiedAt: Date.parse(updated.replace(' ', 'T')) || 0, data });
  return [
    ...[...clients.values()].map((c) => ({ stream: 'clients', snapshot: snapshot(c.userid, c.updated, c) })),
    ...[...invoices.values()].map((i) => ({
      stream: 'invoices',
      snapshot: snapshot(i.invoiceid, i.updated, { invoice: i, clientHasCompany: Boolean(clients.get(i.customerid)?.organization?.trim()) } satisfies InvoiceWithClient),
    })),
    ...[...payments.values()].map((p) => ({ stream: 'payments', snapshot: snapshot(p.id, p.updated, p) })),
  ];
}
