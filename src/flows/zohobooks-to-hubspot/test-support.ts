/**
 * What the Zoho Books → HubSpot tests share: an installation on a temporary
 * data directory, both sandboxes on one VirtualClock, stored connections, and
 * a comparison of the two systems read through their own APIs — never
 * through ml-connector's tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../core/clock.ts';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { runSync, type SyncResult } from '../../app/sync.ts';
import { loadConfig } from '../../config.ts';
import type { RunMode } from '../../engine/runs.ts';
import { HubSpotAdmin } from '../../sandbox/hubspot/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { ZohoBooksAdmin } from '../../sandbox/zohobooks/admin-client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import { SOURCE_ID_PROPERTY } from '../../systems/hubspot/property-bootstrap.ts';
import { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import { isValidEmail } from '../mapping-rules.ts';

export interface FlowFixture {
  clock: VirtualClock;
  sandbox: RunningSandbox;
  installation: Installation;
  hubspot: HubSpotClient;
  zoho: ZohoBooksClient;
  hubspotAdmin: HubSpotAdmin;
  zohoAdmin: ZohoBooksAdmin;
  sync(mode?: RunMode): Promise<SyncResult>;
  close(): Promise<void>;
}

export async function startFlowFixture(options: Partial<StartSandboxOptions> = {}): Promise<FlowFixture> {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const sandbox = await startSandbox({ port: 0, seed: 3, size: 'small', hubspotTier: 'professional', clock, ...options });
  const dataDir = await mkdtemp(join(tmpdir(), 'mlc-flow-'));
  const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
  await installation.connections.create({ name: 'books', system: 'zohobooks', config: { ...sandbox.systems.zohobooks } });
  await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot } });
  return {
    clock,
    sandbox,
    installation,
    hubspot: new HubSpotClient({ ...sandbox.systems.hubspot, clock, tier: 'professional' }),
    zoho: new ZohoBooksClient({ connection: sandbox.systems.zohobooks, clock }),
    hubspotAdmin: new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`),
    zohoAdmin: new ZohoBooksAdmin(`${sandbox.adminUrl}/zohobooks`),
    sync: (mode = 'incremental') => runSync(installation, { flow: 'zohobooks-to-hubspot', from: 'books', to: 'crm', mode }),
    async close() {
      await installation.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** HubSpot writes counted by the sandbox (anything but reads and searches). */
export async function hubspotWrites(admin: HubSpotAdmin): Promise<number> {
  let writes = 0;
  for (const endpoint of await admin.endpoints()) {
    const read = endpoint.method === 'GET' || endpoint.route.endsWith('/search') || endpoint.route.endsWith('/batch/read');
    if (!read) writes += endpoint.total;
  }
  return writes;
}

interface Expected {
  companies: Map<string, { name: string }>;
  contacts: Map<string, { email: string | undefined; company: string }>;
  invoices: Map<string, { number: string; company: string; contact: string | undefined; lines: Set<string> }>;
  payments: Map<string, { invoice: string; amount: number }>;
}

/** What HubSpot should hold, from Zoho Books' own API; `skip` leaves out records expected to be refused. */
export async function expectedFromZoho(zoho: ZohoBooksClient, skip: ReadonlySet<string> = new Set()): Promise<Expected> {
  const org = zoho.organizationId;
  const key = (object: string, ...ids: string[]) => `zohobooks:${org}:${object}:${ids.join(':')}`;
  const expected: Expected = { companies: new Map(), contacts: new Map(), invoices: new Map(), payments: new Map() };
  for await (const change of zoho.contactsModifiedSince(undefined, { contactType: 'customer' })) {
    const customer = await zoho.getContact(change.id);
    const company = key('customer', customer.contact_id);
    expected.companies.set(company, { name: customer.company_name || customer.contact_name });
    for (const person of customer.contact_persons ?? []) {
      const email = person.email?.trim().toLowerCase() || undefined;
      const contactKey = key('contact_person', person.contact_person_id);
      if ((email && !isValidEmail(email)) || skip.has(contactKey)) continue;
      expected.contacts.set(contactKey, { email, company });
    }
  }
  for await (const change of zoho.invoicesModifiedSince(undefined)) {
    const invoice = await zoho.getInvoice(change.id);
    const invoiceKey = key('invoice', invoice.invoice_id);
    const persons = (invoice.contact_persons ?? []) as Array<string | { contact_person_id: string }>;
    const first = persons[0];
    const personId = typeof first === 'string' ? first : first?.contact_person_id;
    // A refused invoice is not written, and one whose contact was refused waits for it: neither is in HubSpot.
    if (skip.has(invoiceKey) || (personId !== undefined && skip.has(key('contact_person', personId)))) continue;
    expected.invoices.set(invoiceKey, {
      number: invoice.invoice_number,
      company: key('customer', invoice.customer_id),
      contact: personId ? key('contact_person', personId) : undefined,
      lines: new Set((invoice.line_items ?? []).map((line) => key('line_item', invoice.invoice_id, line.line_item_id))),
    });
  }
  for await (const change of zoho.paymentsModifiedSince(undefined)) {
    const payment = await zoho.getPayment(change.id);
    for (const application of payment.invoices ?? []) {
      const invoiceKey = key('invoice', application.invoice_id);
      if (Number(application.amount_applied) <= 0 || !expected.invoices.has(invoiceKey)) continue;
      expected.payments.set(key('payment', payment.payment_id, application.invoice_id), { invoice: invoiceKey, amount: Number(application.amount_applied) });
    }
  }
  return expected;
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
    if (!same(contactCompanies.get(key)!, new Set([contact.company]))) problems.push(`contact ${key}: companies ${[...contactCompanies.get(key)!]}`);
  }
  const invoiceKeys = [...expected.invoices.keys()];
  const invoiceCompanies = await associated('invoices', 'companies', invoiceKeys);
  const invoiceContacts = await associated('invoices', 'contacts', invoiceKeys);
  const invoiceLines = await associated('invoices', 'line_items', invoiceKeys);
  for (const [key, invoice] of expected.invoices) {
    if (!same(invoiceCompanies.get(key)!, new Set([invoice.company]))) problems.push(`invoice ${key}: companies ${[...invoiceCompanies.get(key)!]}`);
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
