/**
 * What the Acumatica → HubSpot tests share: an installation on a temporary
 * data directory, the sandboxes on one VirtualClock, stored connections, and
 * what HubSpot should hold according to Acumatica's own API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { runSync, type SyncResult } from '../../app/sync.ts';
import { loadConfig } from '../../config.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { RunMode } from '../../engine/runs.ts';
import { HubSpotAdmin } from '../../sandbox/hubspot/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { AcumaticaClient } from '../../systems/acumatica/client.ts';
import { AcumaticaConnectionSchema, tenantOf } from '../../systems/acumatica/connection.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { isValidEmail } from '../mapping-rules.ts';
import type { Expected } from '../test-support.ts';
import { dateOf } from './mapping.ts';

export interface AcumaticaFixture {
  clock: VirtualClock;
  sandbox: RunningSandbox;
  installation: Installation;
  hubspot: HubSpotClient;
  acumatica: AcumaticaClient;
  hubspotAdmin: HubSpotAdmin;
  adminUrl: string;
  tenant: string;
  sync(mode?: RunMode): Promise<SyncResult>;
  close(): Promise<void>;
}

export async function startAcumaticaFixture(options: Partial<StartSandboxOptions> = {}): Promise<AcumaticaFixture> {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const sandbox = await startSandbox({ port: 0, seed: 3, size: 'small', hubspotTier: 'professional', clock, ...options });
  const dataDir = await mkdtemp(join(tmpdir(), 'mlc-acu-'));
  const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
  const config = sandbox.systems.acumatica;
  await installation.connections.create({ name: 'erp', system: 'acumatica', config: { ...config } });
  await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot } });
  const connection = AcumaticaConnectionSchema.parse(config);
  return {
    clock,
    sandbox,
    installation,
    hubspot: new HubSpotClient({ ...sandbox.systems.hubspot, clock, tier: 'professional' }),
    acumatica: new AcumaticaClient({ connection, clock }),
    hubspotAdmin: new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`),
    adminUrl: `${sandbox.adminUrl}/acumatica`,
    tenant: tenantOf(connection) ?? new URL(connection.baseUrl).host,
    sync: (mode = 'incremental') => runSync(installation, { flow: 'acumatica-to-hubspot', from: 'erp', to: 'crm', mode }),
    async close() {
      await installation.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What HubSpot should hold, from Acumatica's own API. */
export async function expectedFromAcumatica(client: AcumaticaClient, tenant: string): Promise<Expected> {
  const key = (object: string, ...ids: string[]) => `acumatica:${tenant}:${object}:${ids.join(':')}`;
  const expected: Expected = { companies: new Map(), contacts: new Map(), invoices: new Map(), payments: new Map() };
  const primary = new Map<string, number | undefined>();
  for await (const change of client.customersModifiedSince(undefined)) {
    expected.companies.set(key('customer', change.record.CustomerID), { name: change.record.CustomerName ?? change.record.CustomerID });
    primary.set(change.record.CustomerID, change.record.PrimaryContactID ?? undefined);
  }
  for await (const change of client.contactsModifiedSince(undefined)) {
    const contact = change.record;
    const email = contact.Email?.trim().toLowerCase() || undefined;
    if (email && !isValidEmail(email)) continue;
    if (!contact.BusinessAccount) continue;
    expected.contacts.set(key('contact', String(contact.ContactID)), { email, company: key('customer', contact.BusinessAccount) });
  }
  for await (const change of client.invoicesModifiedSince(undefined)) {
    const invoice = change.record;
    const primaryId = primary.get(invoice.CustomerID ?? '');
    const contact = primaryId === undefined ? undefined : key('contact', String(primaryId));
    expected.invoices.set(key('invoice', invoice.Type, invoice.ReferenceNbr), {
      number: `${invoice.Type} ${invoice.ReferenceNbr}`,
      company: key('customer', invoice.CustomerID ?? ''),
      contact,
      lines: new Set((invoice.Details ?? []).map((line, index) => key('line_item', invoice.Type, invoice.ReferenceNbr, String(line.LineNbr ?? index + 1)))),
    });
  }
  for await (const change of client.paymentsModifiedSince(undefined)) {
    const payment = change.record;
    if (payment.Status === 'Voided' || payment.Hold) continue;
    for (const application of payment.DocumentsToApply ?? []) {
      if ((application.AmountPaid ?? 0) <= 0) continue;
      const invoice = key('invoice', application.DocType, application.ReferenceNbr);
      if (!expected.invoices.has(invoice)) continue;
      expected.payments.set(key('payment', payment.Type, payment.ReferenceNbr, application.DocType, application.ReferenceNbr), { invoice, amount: application.AmountPaid ?? 0 });
    }
  }
  return expected;
}

export { dateOf };
