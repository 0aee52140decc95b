/**
 * What every flow's tests share: HubSpot's state read through HubSpot's own
 * API and compared with what the source's own API says it should be.
 */
import type { HubSpotAdmin } from '../sandbox/hubspot/admin-client.ts';
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../systems/hubspot/object-types.ts';
import { SOURCE_ID_PROPERTY } from '../systems/hubspot/property-bootstrap.ts';

/** HubSpot writes counted by the sandbox (anything but reads and searches). */
export async function hubspotWrites(admin: HubSpotAdmin): Promise<number> {
  let writes = 0;
  for (const endpoint of await admin.endpoints()) {
    const read = endpoint.method === 'GET' || endpoint.route.endsWith('/search') || endpoint.route.endsWith('/batch/read');
    if (!read) writes += endpoint.total;
  }
  return writes;
}

export interface Expected {
  companies: Map<string, { name: string }>;
  /** `company` undefined: a contact with no company (it must have no company association). */
  contacts: Map<string, { email: string | undefined; company: string | undefined }>;
  invoices: Map<string, { number: string; company: string | undefined; contact: string | undefined; lines: Set<string> }>;
  payments: Map<string, { invoice: string; amount: number }>;
}

async function bySourceId(hubspot: HubSpotClient, type: HubSpotObjectType, properties: string[]) {
  const found = new Map<string, { id: string; properties: Record<string, string | null> }[]>();
  for await (const record of hubspot.listObjects(type, { properties: [SOURCE_ID_PROPERTY, ...properties] })) {
    const key = record.properties[SOURCE_ID_PROPERTY] ?? `(no source id) ${record.id}`;
    found.set(key, [...(found.get(key) ?? []), record]);
  }
  return found;
}

/**
 * Every difference between what HubSpot holds (read through its API) and
 * what it should hold: a missing, duplicated or extra record, a wrong
 * association. An empty list means the portal is exactly right.
 */
export async function differences(hubspot: HubSpotClient, expected: Expected): Promise<string[]> {
  const problems: string[] = [];
  const companies = await bySourceId(hubspot, 'companies', ['name']);
  const contacts = await bySourceId(hubspot, 'contacts', ['email']);
  const invoices = await bySourceId(hubspot, 'invoices', ['ml_invoice_number']);
  const lines = await bySourceId(hubspot, 'line_items', []);
  const payments = await bySourceId(hubspot, 'commerce_payments', ['hs_initial_amount']);
  const idOf = new Map<string, string>();
  const keyOfId = (type: string, id: string) => `${type}/${id}`;
  const sourceKeyOf = new Map<string, string>();
  const check = (type: string, actual: Map<string, { id: string }[]>, wanted: Map<string, unknown>) => {
    for (const key of wanted.keys()) {
      const records = actual.get(key) ?? [];
      if (records.length !== 1) problems.push(`${type} ${key}: ${records.length} records in HubSpot`);
      if (records[0]) {
        idOf.set(key, records[0].id);
        sourceKeyOf.set(keyOfId(type, records[0].id), key);
      }
    }
    // Records the portal had before (no source id) are its own business; any record of ours must be expected.
    for (const key of actual.keys()) if (!wanted.has(key) && !key.startsWith('(no source id)')) problems.push(`${type} ${key}: in HubSpot but not expected`);
  };
  check('companies', companies, expected.companies);
  check('contacts', contacts, expected.contacts);
  check('invoices', invoices, expected.invoices);
  check('line_items', lines, new Map([...expected.invoices.values()].flatMap((i) => [...i.lines].map((l) => [l, true]))));
  check('commerce_payments', payments, expected.payments);

  const associated = async (from: HubSpotObjectType, to: HubSpotObjectType, keys: string[]) => {
    const ids = keys.map((k) => idOf.get(k)).filter((id): id is string => id !== undefined);
    const links = await hubspot.batchReadAssociations(from, to, ids);
    const result = new Map<string, Set<string>>();
    for (const key of keys) {
      const id = idOf.get(key);
      result.set(key, new Set((id ? (links.get(id) ?? []) : []).map((a) => sourceKeyOf.get(keyOfId(to, a.toObjectId)) ?? `unknown ${a.toObjectId}`)));
    }
    return result;
  };
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  const contactCompanies = await associated('contacts', 'companies', [...expected.contacts.keys()]);
  for (const [key, contact] of expected.contacts) {
    if (!same(contactCompanies.get(key)!, new Set(contact.company ? [contact.company] : []))) problems.push(`contact ${key}: companies ${[...contactCompanies.get(key)!]}`);
  }
  const invoiceKeys = [...expected.invoices.keys()];
  const invoiceCompanies = await associated('invoices', 'companies', invoiceKeys);
  const invoiceContacts = await associated('invoices', 'contacts', invoiceKeys);
  const invoiceLines = await associated('invoices', 'line_items', invoiceKeys);
  for (const [key, invoice] of expected.invoices) {
    if (!same(invoiceCompanies.get(key)!, new Set(invoice.company ? [invoice.company] : []))) problems.push(`invoice ${key}: companies ${[...invoiceCompanies.get(key)!]}`);
    const wantedContacts = new Set(invoice.contact && expected.contacts.has(invoice.contact) ? [invoice.contact] : []);
    if (!same(invoiceContacts.get(key)!, wantedContacts)) problems.push(`invoice ${key}: contacts ${[...invoiceContacts.get(key)!]}`);
    if (!same(invoiceLines.get(key)!, invoice.lines)) problems.push(`invoice ${key}: ${invoiceLines.get(key)!.size} line items, expected ${invoice.lines.size}`);
  }
  const paymentInvoices = await associated('commerce_payments', 'invoices', [...expected.payments.keys()]);
  for (const [key, payment] of expected.payments) {
    if (!same(paymentInvoices.get(key)!, new Set([payment.invoice]))) problems.push(`payment ${key}: invoices ${[...paymentInvoices.get(key)!]}`);
    const amount = Number(payments.get(key)?.[0]?.properties.hs_initial_amount ?? NaN);
    if (Math.abs(amount - payment.amount) > 0.005) problems.push(`payment ${key}: amount ${amount}, expected ${payment.amount}`);
  }
  return problems;
}
