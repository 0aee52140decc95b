/**
 * What the Intacct ↔ HubSpot tests share: an installation on a temporary
 * data directory, the sandboxes on one VirtualClock, stored connections,
 * both directions' runs, and what HubSpot should hold according to
 * Intacct's own API.
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
import { IntacctAdmin } from '../../sandbox/intacct/admin-client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { IntacctClient } from '../../systems/intacct/client.ts';
import { IntacctConnectionSchema } from '../../systems/intacct/connection.ts';
import { ApBill, Vendor } from '../../systems/intacct/schemas.ts';
import type { FieldOwners } from '../intacct-hubspot/shared-fields.ts';
import { contactKey, vendorKey } from '../intacct-hubspot/shared-fields.ts';
import { isValidEmail } from '../mapping-rules.ts';
import type { Expected } from '../test-support.ts';

export interface IntacctFixture {
  clock: VirtualClock;
  sandbox: RunningSandbox;
  installation: Installation;
  hubspot: HubSpotClient;
  intacct: IntacctClient;
  hubspotAdmin: HubSpotAdmin;
  intacctAdmin: IntacctAdmin;
  companyId: string;
  toHubSpot(mode?: RunMode, fieldOwners?: FieldOwners): Promise<SyncResult>;
  toIntacct(options?: { mode?: RunMode; changes?: 'polling' | 'webhook'; fieldOwners?: FieldOwners }): Promise<SyncResult>;
  close(): Promise<void>;
}

export async function startIntacctFixture(options: Partial<StartSandboxOptions> = {}): Promise<IntacctFixture> {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const sandbox = await startSandbox({ port: 0, seed: 5, size: 'small', hubspotTier: 'professional', clock, ...options });
  const dataDir = await mkdtemp(join(tmpdir(), 'mlc-intacct-'));
  const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
  const config = sandbox.systems.intacct;
  await installation.connections.create({ name: 'books', system: 'intacct', config: { ...config } });
  await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot, clientSecret: 'fixture-app-secret' } });
  const connection = IntacctConnectionSchema.parse(config);
  return {
    clock,
    sandbox,
    installation,
    hubspot: new HubSpotClient({ ...sandbox.systems.hubspot, clock, tier: 'professional' }),
    intacct: new IntacctClient({ connection, clock }),
    hubspotAdmin: new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`),
    intacctAdmin: new IntacctAdmin(`${sandbox.adminUrl}/intacct`),
    companyId: connection.companyId,
    toHubSpot: (mode = 'incremental', fieldOwners) =>
      runSync(installation, { flow: 'intacct-to-hubspot', from: 'books', to: 'crm', mode, ...(fieldOwners ? { fieldOwners } : {}) }),
    toIntacct: ({ mode = 'incremental', changes, fieldOwners } = {}) =>
      runSync(installation, { flow: 'hubspot-to-intacct', from: 'crm', to: 'books', mode, ...(changes ? { changes } : {}), ...(fieldOwners ? { fieldOwners } : {}) }),
    async close() {
      await installation.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What HubSpot should hold after intacct-to-hubspot, from Intacct's own API: vendors, their people, bills. */
export async function expectedFromIntacct(client: IntacctClient, companyId: string): Promise<Expected> {
  const expected: Expected = { companies: new Map(), contacts: new Map(), invoices: new Map(), payments: new Map() };
  const personOf = new Map<string, string>();
  for await (const vendor of client.readByQuery('VENDOR', Vendor, { pageSize: 1000 })) {
    const whole = (await client.read('VENDOR', Vendor, [vendor.RECORDNO]))[0]!;
    const key = vendorKey(companyId, whole.VENDORID);
    expected.companies.set(key, { name: whole.NAME ?? whole.VENDORID });
    const person = whole.DISPLAYCONTACT;
    const email = person?.EMAIL1?.trim().toLowerCase();
    if (person?.CONTACTNAME && email && isValidEmail(email)) {
      expected.contacts.set(contactKey(companyId, person.CONTACTNAME), { email, company: key });
      personOf.set(whole.VENDORID, contactKey(companyId, person.CONTACTNAME));
    }
  }
  const headers: string[] = [];
  for await (const bill of client.readByQuery('APBILL', ApBill, { pageSize: 1000 })) headers.push(bill.RECORDNO);
  for (const bill of await client.read('APBILL', ApBill, headers)) {
    const key = `intacct:${companyId}:bill:${bill.RECORDNO}`;
    const lines = bill.APBILLITEMS?.APBILLITEM ?? [];
    expected.invoices.set(key, {
      number: bill.RECORDID || bill.RECORDNO,
      company: vendorKey(companyId, bill.VENDORID),
      contact: personOf.get(bill.VENDORID),
      lines: new Set(lines.map((line, index) => `${key}:line:${line.LINE_NO || String(index + 1)}`)),
    });
  }
  return expected;
}

/** Intacct writes counted by the sandbox: every create, update and delete function. */
export async function intacctWrites(admin: IntacctAdmin): Promise<number> {
  let writes = 0;
  for (const count of await admin.functionCounts()) if (/^(create|update|delete)/.test(count.function)) writes += count.total;
  return writes;
}
