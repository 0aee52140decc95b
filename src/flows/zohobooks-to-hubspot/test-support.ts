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
import { type Expected } from '../test-support.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { ZohoBooksAdmin } from '../../sandbox/zohobooks/admin-client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
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


export { differences, hubspotWrites } from '../test-support.ts';
