/**
 * The FreshBooks client against the sandbox over real HTTP: reads in
 * `updated` order across pages (ties, whole days longer than a page,
 * records changing during a read), both path families, writes, the errors
 * an operator sees, and the webhook callback helpers. Client and sandbox
 * share a VirtualClock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startReceiver, type Receiver } from '../../sandbox/freshbooks/test-helpers.ts';
import { drain, rejection } from '../test-outcomes.ts';
import { FreshBooksClient, type UpdatedRecord } from './client.ts';
import { easternDate, parseEasternTimestamp } from './timestamps.ts';
import { formFields, verifyFreshBooksWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.ts';
import { startFreshBooksFixture, type Fixture } from './test-fixture.ts';

/** Nothing yielded twice for the same version, and `updated` never goes backwards. */
function assertWellFormed(records: Array<UpdatedRecord<unknown>>): void {
  const versions = records.map((r) => `${r.id}@${r.updatedAt}`);
  assert.equal(new Set(versions).size, versions.length, 'no record version yielded twice');
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.updatedAt >= records[i - 1]!.updatedAt, 'ascending updated');
}

describe('FreshBooks client: reading in updated order', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFreshBooksFixture({ size: 'medium' });
  });
  after(() => fx.sandbox.close());

  it('reads every client, invoice (with its lines) and payment, oldest change first, a page at a time', async () => {
    const client = fx.client(await fx.connection());
    await fx.admin.resetCounters();
    const invoices = await drain(client.listInvoices());
    assertWellFormed(invoices);
    assert.equal(new Set(invoices.map((i) => i.id)).size, 500);
    assert.ok(invoices.every((i) => (i.record.lines?.length ?? 0) >= 1), 'each invoice comes with its lines');
    for (const invoice of invoices.slice(0, 3)) assert.equal(invoice.updatedAt, parseEasternTimestamp(invoice.record.updated));
    // 500 records at 100 a page: five pages, each later one restarting at the last day seen (a page more at most).
    const pages = await fx.admin.resourceCalls('invoices', { method: 'GET' });
    assert.ok(pages >= 5 && pages <= 6, `${pages} pages`);

    const clients = await drain(client.listClients());
    assert.equal(clients.length, 200);
    assert.ok(clients.some((c) => c.record.organization === '') && clients.some((c) => (c.record.organization ?? '') !== ''));
    const payments = await drain(client.listPayments());
    assert.equal(payments.length, 300);
    assertWellFormed(payments);

    const since = invoices[300]!.updatedAt;
    const later = await drain(client.listInvoices({ updatedSince: since }));
    assert.deepEqual(
      later.map((i) => i.id),
      invoices.filter((i) => i.updatedAt >= since).map((i) => i.id),
      'updatedSince is exact (the day-level search overlaps it and the client drops what came before)',
    );
    assert.equal(FreshBooksClient.updatedMinFor(since), easternDate(since));
  });

  it('150 invoices with one updated instant (a day longer than a page): none skipped, none doubled', async () => {
    const client = fx.client(await fx.connection(), { perPage: 40 });
    const before = await drain(client.listInvoices());
    const tied = before.slice(100, 250);
    const at = tied[0]!.updatedAt;
    const moved = await fx.admin.setUpdatedTime('invoices', tied.map((i) => i.id), at);
    assert.equal(moved.updated, 150);

    const read = await drain(client.listInvoices());
    assertWellFormed(read);
    assert.equal(read.length, 500);
    const atTie = read.filter((i) => i.updatedAt === at);
    assert.equal(atTie.length, 150);
    assert.deepEqual(atTie.map((i) => Number(i.id)), [...atTie.map((i) => Number(i.id))].sort((a, b) => a - b), 'ties come in id order');
  });

  it('records changed during a read are read again at their new updated; the rest are read once', async () => {
    const client = fx.client(await fx.connection(), { perPage: 25 });
    const before = await drain(client.listClients());
    const early = before[20]!;
    const late = before[180]!;
    const read = await drain(client.listClients(), async (_item, index) => {
      if (index === 100) {
        await client.updateClient(early.id, { note: 'changed during the read' });
        await client.updateClient(late.id, { bus_phone: '212-555-0100' });
      }
    });
    assertWellFormed(read);
    assert.equal(new Set(read.map((r) => r.id)).size, 200);
    assert.equal(read.filter((r) => r.id === early.id).length, 2, 'read before and after its change');
    const lateVersions = read.filter((r) => r.id === late.id);
    assert.equal(lateVersions.length, 1);
    assert.ok(lateVersions[0]!.updatedAt > late.updatedAt);
  });
});

describe('FreshBooks client: path families, writes and errors', () => {
  let fx: Fixture;
  let receiver: Receiver;
  before(async () => {
    fx = await startFreshBooksFixture();
    receiver = await startReceiver();
  });
  after(async () => {
    await fx.sandbox.close();
    await receiver.close();
  });

  it('me(), the business of the account, ledger accounts on the business path; ping checks all of it', async () => {
    const connection = await fx.connection();
    const client = fx.client(connection);
    const me = await client.me();
    assert.equal(me.business_memberships.length, 2);
    const business = await client.business();
    assert.equal(business?.business_uuid, connection.businessUuid);
    const accounts = await client.listAccounts();
    assert.ok(accounts.some((a) => a.name === 'Accounts Receivable' && a.type === 'asset'));

    const ping = await client.ping();
    assert.equal(ping.ok, true);
    assert.deepEqual(ping.checks.map((c) => c.name), ['token', 'identity', 'read:account', 'read:business']);

    const other = me.business_memberships[1]!.business;
    const wrongUuid = await fx.client({ ...(await fx.connection()), businessUuid: other.business_uuid }).ping();
    assert.equal(wrongUuid.ok, false);
    assert.match(wrongUuid.checks.find((c) => c.name === 'identity')!.detail, /whose uuid is/);
    const wrongAccount = await fx.client({ ...(await fx.connection()), accountId: 'ZZZZZZ' }).ping();
    const identity = wrongAccount.checks.find((c) => c.name === 'identity')!;
    assert.equal(identity.ok, false);
    assert.match(identity.detail, /account ZZZZZZ is not one of this user's businesses/);
    const readAccount = wrongAccount.checks.find((c) => c.name === 'read:account')!;
    assert.equal(readAccount.error?.code, 'freshbooks.forbidden');
    assert.equal(readAccount.error?.kind, 'config');
  });

  it('creates a client, an invoice with lines and a payment, and reads them back', async () => {
    const client = fx.client(await fx.connection());
    const created = await client.createClient({ organization: 'Client Test Co', email: 'ap@clienttest.example', fname: 'Pat' });
    assert.equal((await client.getClient(created.id)).organization, 'Client Test Co');
    const invoice = await client.createInvoice({ customerid: created.id, status: 2, lines: [{ name: 'Audit', qty: 4, unit_cost: { amount: '25.00' } }] });
    assert.equal(invoice.lines?.length, 1);
    assert.deepEqual(invoice.amount, { amount: '100.00', code: 'USD' });
    const payment = await client.createPayment({ invoiceid: invoice.id, amount: { amount: '100.00' }, date: easternDate(fx.clock.now()), type: 'Check' });
    assert.equal((await client.getPayment(payment.id)).invoiceid, invoice.id);
    const paid = await client.getInvoice(invoice.id);
    assert.deepEqual([paid.payment_status, paid.outstanding.amount, paid.lines?.length], ['paid', '0.00', 1]);
    const since = await drain(client.listPayments({ updatedSince: fx.clock.now() - 1_000 }));
    assert.deepEqual(since.map((p) => p.id), [String(payment.id)]);
    const deleted = await client.updateClient(created.id, { vis_state: 1 });
    assert.equal(deleted.vis_state, 1);
    const listed = await drain(client.listClients({ updatedSince: fx.clock.now() - 1_000 }));
    assert.equal(listed.length, 0, 'deleted clients are left out');
    const withDeleted = await drain(client.listClients({ updatedSince: fx.clock.now() - 1_000, includeDeleted: true }));
    assert.deepEqual(withDeleted.map((c) => c.id), [String(created.id)]);
  });

  it('errors: not found, refused, even an old-style error sent with HTTP 200; no secret in any message', async () => {
    const connection = await fx.connection();
    const client = fx.client(connection);
    const missing = await rejection(client.getClient(1));
    assert.deepEqual([missing.kind, missing.code, missing.details.status, missing.details.errno], ['not_found', 'freshbooks.not_found', 404, 1012]);
    assert.match(missing.message, /Client not found/);
    const refused = await rejection(client.createClient({ note: 'nameless' }));
    assert.deepEqual([refused.kind, refused.details.errno], ['validation', 7012]);
    await fx.admin.patchSettings({ errorStyle: 'legacy-200' });
    const legacy = await rejection(client.getInvoice(1));
    assert.deepEqual([legacy.kind, legacy.details.status, legacy.details.errno], ['not_found', 200, 1012]);
    await fx.admin.patchSettings({ errorStyle: 'rpc' });
    for (const error of [missing, refused, legacy]) {
      assert.ok(!JSON.stringify(error.toJSON()).includes(connection.clientSecret) && !error.message.includes(connection.refreshToken));
    }
  });

  it('a token without a scope gets a missing_scope auth error; 429s and 5xx are retried', async () => {
    const narrow = fx.client(await fx.connection(['user:profile:read', 'user:clients:read']));
    const noScope = await rejection(narrow.listAccounts());
    assert.deepEqual([noScope.kind, noScope.code], ['auth', 'freshbooks.missing_scope']);
    assert.match(noScope.message, /user:journal_entries:read/);

    const client = fx.client(await fx.connection());
    await client.me();
    await fx.admin.setFaults({ rate429: 0.4, rate5xx: 0.3, seed: 7 });
    const clients = await drain(client.listClients());
    assert.equal(new Set(clients.map((c) => c.id)).size, 20);
    const stats = (await (await fetch(`${fx.sandbox.adminUrl}/freshbooks/faults`)).json()) as { stats: { '429': number; '5xx': number } };
    assert.ok(stats.stats['429'] + stats.stats['5xx'] > 0, 'faults struck and were retried');
    await fx.admin.setFaults({});
  });

  it('webhook callbacks: register → the verifier reaches the receiver → verify → signed deliveries; list and delete', async () => {
    const client = fx.client(await fx.connection());
    const callback = await client.registerCallback({ event: 'invoice', uri: receiver.url });
    assert.equal(callback.verified, false);
    await fx.admin.deliveries();
    const verifier = Object.fromEntries(formFields(receiver.received.at(-1)!.body)).verifier!;
    const verified = await client.verifyCallback({ callbackId: callback.callbackid, verifier });
    assert.equal(verified.verified, true);
    assert.ok((await client.listCallbacks()).some((c) => c.callbackid === callback.callbackid && c.verified));

    receiver.received.length = 0;
    const someone = (await drain(client.listClients()))[0]!;
    const invoice = await client.createInvoice({ customerid: someone.id, lines: [{ name: 'Hook', unit_cost: { amount: '5.00' } }] });
    await fx.admin.deliveries();
    const [delivery] = receiver.received;
    assert.ok(delivery);
    assert.deepEqual(Object.fromEntries(formFields(delivery.body)).object_id, String(invoice.id));
    assert.equal(verifyFreshBooksWebhook({ verifier, body: delivery.body, signature: delivery.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string }).decision, 'accept');

    const resent = await client.resendVerification(callback.callbackid);
    assert.equal(resent.callbackid, callback.callbackid);
    await client.deleteCallback(callback.callbackid);
    assert.equal((await rejection(client.getCallback(callback.callbackid))).kind, 'not_found');
  });
});
