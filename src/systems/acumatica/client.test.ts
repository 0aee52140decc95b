/**
 * The Acumatica client against the sandbox over real HTTP: offset paging,
 * incremental reads in LastModifiedDateTime order (ties at page edges and
 * bigger than a window, changes during a read, a million-record tenant),
 * the endpoint pin, the license's limits kept by the governor, injected
 * faults, writes and the errors an operator sees. Client and sandbox share
 * a VirtualClock unless a test needs requests to overlap in real time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OffsetClock, VirtualClock, type AdvanceableClock } from '../../core/clock.ts';
import { isConnectorError } from '../../core/errors.ts';
import { AcumaticaAdmin } from '../../sandbox/acumatica/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { drain, rejection } from '../test-outcomes.ts';
import { AcumaticaClient, type AcumaticaClientOptions, type ModifiedRecord } from './client.ts';
import { testAcumaticaConnection } from './connection-test.ts';
import { AcumaticaCredentialRegistry } from './oauth.ts';
import { Customer } from './schemas.ts';
import { parseAcumaticaDateTime } from './timestamps.ts';

interface Fixture {
  sandbox: RunningSandbox;
  clock: AdvanceableClock;
  admin: AcumaticaAdmin;
  client(options?: Partial<AcumaticaClientOptions>): AcumaticaClient;
}

async function startFixture(options: StartSandboxOptions & { clock?: AdvanceableClock } = {}): Promise<Fixture> {
  const clock = options.clock ?? new VirtualClock();
  const sandbox = await startSandbox({ port: 0, seed: 7, size: 'medium', ...options, clock });
  return {
    sandbox,
    clock,
    admin: new AcumaticaAdmin(`${sandbox.adminUrl}/acumatica`),
    // A fresh credential registry and governor per client, so tests don't share state through the process-wide ones.
    client: (extra = {}) => new AcumaticaClient({ connection: sandbox.systems.acumatica, clock, credentialRegistry: new AcumaticaCredentialRegistry(), ...extra }),
  };
}

/** Nothing yielded twice for the same version, and modification times never go backwards. */
function assertWellFormed(records: Array<ModifiedRecord<unknown>>): void {
  const versions = records.map((r) => `${r.id}@${r.modifiedAt}`);
  assert.equal(new Set(versions).size, versions.length, 'no record version yielded twice');
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.modifiedAt >= records[i - 1]!.modifiedAt, `ascending at ${i}`);
}

describe('Acumatica client: paging and incremental reads', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('reads every record of each entity oldest change first, plain and typed, with $top/$skip pages', async () => {
    const client = fx.client({ pageSize: 100 });
    await fx.admin.resetCounters();
    const invoices = await drain(client.invoicesModifiedSince());
    assertWellFormed(invoices);
    assert.equal(new Set(invoices.map((i) => i.id)).size, 500);
    const first = invoices[0]!;
    assert.equal(first.id, `${first.record.Type}/${first.record.ReferenceNbr}`);
    assert.equal(first.modifiedAt, parseAcumaticaDateTime(first.record.LastModifiedDateTime));
    assert.ok(first.record.Details && first.record.Details.length >= 1 && first.record.Details.length <= 5, 'lines are expanded');
    assert.equal(typeof first.record.Amount, 'number', 'values are unwrapped');
    assert.ok(!JSON.stringify(first.record).includes('"value"'), 'no value objects above the client');
    // One probe page, then one window of 500 in overlapping pages of 100 (skip 0, 90, …, 450), then the tail.
    const pages = await fx.admin.entityCalls('SalesInvoice');
    assert.ok(pages >= 7 && pages <= 9, `${pages} pages`);

    const customers = await drain(client.customersModifiedSince());
    assert.equal(customers.length, 200);
    assert.ok(customers.every((c) => c.id === c.record.CustomerID && c.record.MainContact?.Address !== undefined));
    const contacts = await drain(client.contactsModifiedSince());
    assert.equal(contacts.length, 400);
    assert.ok(contacts.every((c) => c.id === String(c.record.ContactID) && typeof c.record.BusinessAccount === 'string'));
    const payments = await drain(client.paymentsModifiedSince());
    assert.equal(payments.length, 300);
    assert.ok(payments.some((p) => (p.record.DocumentsToApply ?? []).length === 1));

    const since = invoices[300]!.modifiedAt;
    const later = await drain(client.invoicesModifiedSince(new Date(since)));
    assert.deepEqual(
      later.map((i) => i.id).sort(),
      invoices.filter((i) => i.modifiedAt >= since).map((i) => i.id).sort(),
      '"since" means modified at or after',
    );
  });

  it('list() pages with $top and $skip until a short page, with a $filter', async () => {
    const client = fx.client({ pageSize: 30 });
    await fx.admin.resetCounters();
    const all = await drain(client.list('Customer', Customer, { filter: "CustomerClass eq 'DEFAULT'" }));
    assert.ok(all.length > 100 && all.length < 200);
    assert.ok(all.every((c) => c.CustomerClass === 'DEFAULT'));
    assert.equal(new Set(all.map((c) => c.CustomerID)).size, all.length);
    assert.equal(await fx.admin.entityCalls('Customer'), Math.floor(all.length / 30) + 1);
    const ordered = [...all.map((c) => c.CustomerID)].sort();
    assert.deepEqual(all.map((c) => c.CustomerID), ordered, 'the sandbox lists in key order');
  });

  it('50 invoices sharing one LastModifiedDateTime across page boundaries: none skipped, none doubled', async () => {
    const client = fx.client({ pageSize: 20 });
    const before = await drain(client.invoicesModifiedSince());
    const tied = before.slice(175, 225);
    const at = tied[0]!.modifiedAt;
    const moved = await fx.admin.setModifiedTime('SalesInvoice', tied.map((i) => i.id), at);
    assert.equal(moved.updated, 50);

    const after = await drain(client.invoicesModifiedSince());
    assertWellFormed(after);
    assert.equal(after.length, 500);
    assert.equal(new Set(after.map((i) => i.id)).size, 500);
    const atTie = after.filter((i) => i.modifiedAt === at);
    assert.equal(atTie.length, 50);
    assert.deepEqual(atTie.map((i) => i.id), [...atTie.map((i) => i.id)].sort(), 'ties come in id order');

    const fromTie = await drain(client.invoicesModifiedSince(at));
    assert.equal(fromTie.filter((i) => i.modifiedAt === at).length, 50, 'reading from the tied instant yields all of it once');
    assertWellFormed(fromTie);
  });

  it('a tie larger than a window is streamed page by page; records leaving it during the read are not lost', async () => {
    const client = fx.client({ pageSize: 10, maxWindowRecords: 20 });
    const all = await drain(client.contactsModifiedSince());
    const tied = all.slice(0, 60);
    const at = tied[30]!.modifiedAt;
    await fx.admin.setModifiedTime('Contact', tied.map((c) => c.id), at);

    const edited = new Set<string>();
    const read = await drain(client.contactsModifiedSince(), async (item, index) => {
      if (index === 25) {
        // Five records already read leave the tie (a change moves them to now), shifting the rest.
        for (const c of tied.slice(0, 5)) {
          await fx.admin.setFields('Contact', c.id, { JobTitle: `moved ${c.id}` });
          edited.add(c.id);
        }
      }
      void item;
    });
    assertWellFormed(read);
    const ids = new Set(read.map((r) => r.id));
    for (const c of all) assert.ok(ids.has(c.id), `contact ${c.id} was read`);
  });

  it('a million-record tenant is read window by window in bounded memory', async () => {
    const huge = await startFixture({ size: 'huge', seed: 3 });
    try {
      const client = huge.client({ pageSize: 200 });
      const read: Array<ModifiedRecord<unknown>> = [];
      for await (const customer of client.customersModifiedSince()) {
        read.push(customer);
        if (read.length === 3_000) break;
      }
      assertWellFormed(read);
      assert.equal(new Set(read.map((r) => r.id)).size, 3_000);
      const calls = await huge.admin.entityCalls('Customer');
      assert.ok(calls < 60, `${calls} requests for 3,000 records`);
      assert.equal((await huge.admin.count('Customer')).inMemory, 0, 'nothing of the seed is held');
    } finally {
      await huge.sandbox.close();
    }
  });
});

describe('Acumatica client: endpoint, records and errors', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('gets a customer and an invoice by keys; a missing one is not_found', async () => {
    const client = fx.client();
    const customer = await client.getCustomer('C0000002');
    assert.equal(customer.CustomerID, 'C0000002');
    assert.ok(customer.MainContact?.Email);
    const invoice = await client.getInvoice('Invoice', 'AR0000010');
    assert.equal(invoice.ReferenceNbr, 'AR0000010');
    assert.ok((invoice.Details ?? []).length > 0);
    const missing = await rejection(client.getInvoice('Invoice', 'AR9999999'));
    assert.equal(missing.kind, 'not_found');
  });

  it('creates a customer and a contact with PUT, idempotently by key, and names invalid fields', async () => {
    const client = fx.client();
    const created = await client.createCustomer({
      CustomerID: 'HS-4711',
      CustomerName: 'Globex Corporation',
      CurrencyID: 'EUR',
      AccountRef: 'hubspot:company:4711',
      MainContact: { Email: 'billing@globex.example', WebSite: 'https://globex.example', Address: { City: 'Springfield', Country: 'US' } },
    });
    assert.equal(created.CustomerID, 'HS-4711');
    assert.match(created.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(created.MainContact?.Address?.City, 'Springfield');
    const again = await client.createCustomer({ CustomerID: 'HS-4711', CustomerName: 'Globex Corporation', CurrencyID: 'EUR' });
    assert.equal(again.id, created.id, 'a repeated PUT by key updates the same record');
    const conflict = await rejection(client.createCustomer({ CustomerID: 'HS-4711', CustomerName: 'Globex' }, { createOnly: true }));
    assert.equal(conflict.kind, 'conflict');

    const contact = await client.createContact({ BusinessAccount: 'HS-4711', FirstName: 'Hank', LastName: 'Scorpio', Email: 'hank@globex.example' });
    assert.ok(contact.ContactID > 0);
    assert.equal(contact.BusinessAccount, 'HS-4711');
    assert.equal((await client.getContact(contact.ContactID)).Email, 'hank@globex.example');

    const invalid = await rejection(client.createContact({ BusinessAccount: 'NO-SUCH', LastName: 'Nobody', Email: 'not-an-email' }));
    assert.equal(invalid.kind, 'validation');
    assert.deepEqual(invalid.details.fields, ['BusinessAccount', 'Email']);
    assert.match(invalid.message, /Business Account/);
  });

  it('an upgraded instance no longer serving the pinned version: a config error naming both, never retried', async () => {
    const client = fx.client();
    await client.getCustomer('C0000001');
    await fx.admin.upgrade('25.200.001');
    try {
      await fx.admin.resetCounters();
      const error = await rejection(drain(client.invoicesModifiedSince()));
      assert.equal(error.kind, 'config');
      assert.equal(error.code, 'acumatica.endpoint_version_mismatch');
      assert.match(error.message, /Default\/24\.200\.001/);
      assert.match(error.message, /Default\/25\.200\.001/);
      assert.deepEqual(error.details.served, ['Default/25.200.001']);
      assert.equal(await fx.admin.entityCalls('SalesInvoice'), 1, 'one request, no retries');
      assert.equal(await fx.admin.calls({ method: 'GET', routeSuffix: '/entity' }), 1, 'one discovery call names what is served');

      const pinnedNew = fx.client({ connection: { ...fx.sandbox.systems.acumatica, endpointVersion: '25.200.001' } });
      assert.equal((await pinnedNew.getCustomer('C0000001')).CustomerID, 'C0000001');
    } finally {
      await fx.admin.patchSettings({ endpoints: [{ name: 'Default', version: '24.200.001' }] });
    }
  });

  it('"connections test" reports each check: token, endpoint, read access per entity', async () => {
    const ok = await testAcumaticaConnection(fx.sandbox.systems.acumatica, { clock: fx.clock });
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.checks.map((c) => c.name), ['token', 'endpoint', 'read:Customer', 'read:Contact', 'read:SalesInvoice', 'read:Payment']);

    await fx.admin.patchSettings({ deniedEntities: ['Payment'] });
    const denied = await testAcumaticaConnection(fx.sandbox.systems.acumatica, { clock: fx.clock });
    await fx.admin.patchSettings({ deniedEntities: [] });
    assert.equal(denied.ok, false);
    const payment = denied.checks.find((c) => c.name === 'read:Payment')!;
    assert.equal(payment.ok, false);
    assert.equal(payment.error?.code, 'acumatica.forbidden');

    const wrongVersion = await testAcumaticaConnection({ ...fx.sandbox.systems.acumatica, endpointVersion: '23.200.001' }, { clock: fx.clock });
    assert.equal(wrongVersion.ok, false);
    assert.match(wrongVersion.checks.find((c) => c.name === 'endpoint')!.detail, /serves Default\/24\.200\.001/);

    const badSecret = await testAcumaticaConnection({ ...fx.sandbox.systems.acumatica, clientSecret: 'not-the-secret' }, { clock: fx.clock });
    assert.equal(badSecret.checks[0]!.ok, false);
    assert.ok(!JSON.stringify(badSecret).includes('not-the-secret'));
  });

  it('an invalid config is a config error naming the field', () => {
    assert.throws(
      () => new AcumaticaClient({ connection: { ...fx.sandbox.systems.acumatica, clientId: 'no-tenant', endpointVersion: 'latest' } }),
      (error: unknown) => isConnectorError(error) && error.kind === 'config' && /clientId/.test(error.message) && /endpointVersion/.test(error.message),
    );
  });
});

describe('Acumatica client: license limits and faults', () => {
  it('the governor keeps a burst within the concurrent-requests limit: zero 429s (and without it, the queue overflows)', async () => {
    // Real time, so that requests really overlap inside the sandbox.
    const fx = await startFixture({
      size: 'small',
      clock: new OffsetClock(),
      acumaticaSettings: { concurrentRequests: 2, maxQueuedRequests: 3, processingDelayMs: 25, requestsPerMinute: 100_000 },
    });
    try {
      const client = fx.client({ connection: { ...fx.sandbox.systems.acumatica, concurrentRequests: 2, requestsPerMinute: 100_000 } });
      await client.getCustomer('C0000001');
      await fx.admin.resetCounters();
      const ids = Array.from({ length: 30 }, (_, i) => `C${String((i % 20) + 1).padStart(7, '0')}`);
      const customers = await Promise.all(ids.map((id) => client.getCustomer(id)));
      assert.equal(customers.length, 30);
      assert.equal(await fx.admin.calls({ status: 429 }), 0, 'no 429 with the governor');
      const limits = await fx.admin.limits();
      assert.ok(limits.concurrency.peak <= 2);
      assert.equal(limits.declined, 0);

      // The same burst without the governor's concurrency cap: the sandbox's queue declines some.
      const token = (await client.credentials.authorize()).authorization!;
      const statuses = await Promise.all(
        ids.map(async (id) => {
          const response = await fetch(`${fx.sandbox.systems.acumatica.baseUrl}/entity/Default/24.200.001/Customer/${id}`, { headers: { authorization: token } });
          await response.arrayBuffer();
          return { status: response.status, retryAfter: response.headers.get('retry-after') };
        }),
      );
      const declined = statuses.filter((s) => s.status === 429);
      assert.ok(declined.length > 0, 'the license declined part of the raw burst');
      assert.ok(declined.every((s) => s.retryAfter !== null));
    } finally {
      await fx.sandbox.close();
    }
  });

  it('the governor keeps the per-minute license limit: zero 429s while the sandbox never counts more than the limit', async () => {
    const fx = await startFixture({ size: 'small', acumaticaSettings: { requestsPerMinute: 30 } });
    try {
      const client = fx.client({ connection: { ...fx.sandbox.systems.acumatica, requestsPerMinute: 30 } });
      const started = fx.clock.now();
      await Promise.all(Array.from({ length: 100 }, (_, i) => client.getCustomer(`C${String((i % 20) + 1).padStart(7, '0')}`)));
      assert.equal(await fx.admin.calls({ status: 429 }), 0);
      const limits = await fx.admin.limits();
      assert.ok(limits.minute.peak <= 30, `peak ${limits.minute.peak} per minute`);
      assert.ok(fx.clock.now() - started >= 3 * 60_000, 'a hundred calls at 30 a minute take more than three minutes of sandbox time');
    } finally {
      await fx.sandbox.close();
    }
  });

  it('injected 429s, 5xx and resets are retried until the read is complete', async () => {
    const fx = await startFixture({ acumaticaFaults: { rate429: 0.1, rate5xx: 0.15, rateReset: 0.1, seed: 4 } });
    try {
      const client = fx.client({ pageSize: 50 });
      const invoices = await drain(client.invoicesModifiedSince());
      assertWellFormed(invoices);
      assert.equal(new Set(invoices.map((i) => i.id)).size, 500);
      const counts = await fx.admin.statusCounts();
      assert.ok((counts['429'] ?? 0) > 0 && (counts.reset ?? 0) > 0 && Object.keys(counts).some((s) => s.startsWith('5')), JSON.stringify(counts));
    } finally {
      await fx.sandbox.close();
    }
  });
});
