/**
 * What the FreshBooks → HubSpot tests share: the sandboxes on one
 * VirtualClock, an installation with its server (the webhook receiver), a
 * job queue and a worker, the flow scheduled, the callbacks registered and
 * verified; a FreshBooks client of the test's own (its own refresh token)
 * to change data through FreshBooks' API; and what HubSpot should hold
 * according to FreshBooks' API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { registerFreshBooksCallbacks } from '../../app/freshbooks-callbacks.ts';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { saveSchedule } from '../../app/schedules.ts';
import { startService, type Service } from '../../app/service.ts';
import { runSync, type SyncResult } from '../../app/sync.ts';
import { loadConfig } from '../../config.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { RunMode } from '../../engine/runs.ts';
import { createQueue } from '../../queue/create-queue.ts';
import type { JobQueue } from '../../queue/types.ts';
import { FreshBooksAdmin } from '../../sandbox/freshbooks/admin-client.ts';
import { HubSpotAdmin } from '../../sandbox/hubspot/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { createServerApp } from '../../server/app.ts';
import { FreshBooksClient } from '../../systems/freshbooks/client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { isValidEmail } from '../mapping-rules.ts';
import type { Expected } from '../test-support.ts';
import { FRESHBOOKS_TO_HUBSPOT } from './flow.ts';

export interface FreshBooksFixture {
  clock: VirtualClock;
  sandbox: RunningSandbox;
  installation: Installation;
  queue: JobQueue;
  hubspot: HubSpotClient;
  freshbooks: FreshBooksClient;
  hubspotAdmin: HubSpotAdmin;
  freshbooksAdmin: FreshBooksAdmin;
  accountId: string;
  /** The receiver's URL for the connection. */
  receiverUrl: string;
  /** Deliveries done and every queued run finished. */
  settle(): Promise<void>;
  /** Stops / starts answering at the receiver's port (the receiver "down"). */
  stopReceiver(): Promise<void>;
  startReceiver(): Promise<void>;
  sync(mode?: RunMode): Promise<SyncResult>;
  close(): Promise<void>;
}

export async function startFreshBooksFixture(options: Partial<StartSandboxOptions> = {}): Promise<FreshBooksFixture> {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const sandbox = await startSandbox({ port: 0, seed: 6, size: 'empty', hubspotTier: 'professional', clock, ...options });
  const dataDir = await mkdtemp(join(tmpdir(), 'mlc-freshbooks-'));
  const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
  const books = await installation.connections.create({ name: 'books', system: 'freshbooks', config: { ...sandbox.systems.freshbooks } });
  const crm = await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot } });
  const freshbooksAdmin = new FreshBooksAdmin(`${sandbox.adminUrl}/freshbooks`);
  // The queue keeps real time: a VirtualClock would never let its polling loop move on.
  const queue = await createQueue({ store: installation.store, name: 'sync', pollIntervalMs: 20 });
  const service: Service = startService(installation, { queue, scheduler: false, worker: true, concurrency: 1 });
  await saveSchedule(
    installation.store.db,
    { flowKey: `${FRESHBOOKS_TO_HUBSPOT}:${books.id}:${crm.id}`, flow: FRESHBOOKS_TO_HUBSPOT, sourceConnection: books.id, targetConnection: crm.id, intervalMs: 3_600_000, enabled: true },
    clock.now(),
  );
  const app = createServerApp({ installation, queue, log: () => {} });
  let server: ServerType | undefined;
  let port = 0;
  const startReceiver = async () => {
    port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
  };
  await startReceiver();
  const publicUrl = `http://127.0.0.1:${port}`;
  await registerFreshBooksCallbacks(installation, 'books', publicUrl);
  await freshbooksAdmin.deliveries();
  const freshbooks = new FreshBooksClient({ connection: { ...sandbox.systems.freshbooks, refreshToken: await freshbooksAdmin.mintRefreshToken() }, clock });
  const idle = async () => {
    const counts = await queue.counts();
    return counts.waiting + counts.active + counts.delayed === 0;
  };
  return {
    clock,
    sandbox,
    installation,
    queue,
    hubspot: new HubSpotClient({ ...sandbox.systems.hubspot, clock, tier: 'professional' }),
    freshbooks,
    hubspotAdmin: new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`),
    freshbooksAdmin,
    accountId: sandbox.systems.freshbooks.accountId,
    receiverUrl: `${publicUrl}/webhooks/freshbooks/${books.id}`,
    async settle() {
      await freshbooksAdmin.deliveries();
      // Real time: the worker polls the job table.
      while (!(await idle())) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    async stopReceiver() {
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
    startReceiver,
    sync: (mode = 'incremental') => runSync(installation, { flow: FRESHBOOKS_TO_HUBSPOT, from: 'books', to: 'crm', mode }),
    async close() {
      await service.close();
      await queue.close();
      server?.close();
      await installation.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What HubSpot should hold, from FreshBooks' own API. */
export async function expectedFromFreshBooks(client: FreshBooksClient, accountId: string): Promise<Expected> {
  const key = (object: string, id: number | string) => `freshbooks:${accountId}:${object}:${id}`;
  const expected: Expected = { companies: new Map(), contacts: new Map(), invoices: new Map(), payments: new Map() };
  const withCompany = new Set<number>();
  for await (const { record: client_ } of client.listClients()) {
    if (client_.vis_state === 1) continue;
    const email = client_.email?.trim().toLowerCase() || undefined;
    if (email && !isValidEmail(email)) continue;
    const organization = client_.organization?.trim();
    if (organization) {
      withCompany.add(client_.userid);
      expected.companies.set(key('company', client_.userid), { name: organization });
    }
    expected.contacts.set(key('client', client_.userid), { email, company: organization ? key('company', client_.userid) : undefined });
  }
  for await (const { record: invoice } of client.listInvoices()) {
    if (invoice.vis_state === 1) continue;
    expected.invoices.set(key('invoice', invoice.invoiceid), {
      number: invoice.invoice_number,
      company: withCompany.has(invoice.customerid) ? key('company', invoice.customerid) : undefined,
      contact: key('client', invoice.customerid),
      lines: new Set((invoice.lines ?? []).map((line) => `${key('line_item', invoice.invoiceid)}:${line.lineid}`)),
    });
  }
  for await (const { record: payment } of client.listPayments()) {
    if (payment.vis_state === 1 || Number(payment.amount.amount) <= 0) continue;
    expected.payments.set(key('payment', payment.id), { invoice: key('invoice', payment.invoiceid), amount: Number(payment.amount.amount) });
  }
  return expected;
}
