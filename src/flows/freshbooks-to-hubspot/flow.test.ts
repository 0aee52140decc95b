/**
 * FreshBooks → HubSpot driven by webhooks, end to end over real HTTP: the
 * FreshBooks sandbox's signed deliveries reach our receiver, queue runs, a
 * worker runs them; HubSpot is checked through its own API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSync } from '../../app/sync.ts';
import { registerFreshBooksCallbacks } from '../../app/freshbooks-callbacks.ts';
import { signFreshBooksWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../systems/freshbooks/webhook-signature.ts';
import { SOURCE_ID_PROPERTY } from '../../systems/hubspot/property-bootstrap.ts';
import { differences, hubspotWrites } from '../test-support.ts';
import { expectedFromFreshBooks, startFreshBooksFixture, type FreshBooksFixture } from './test-support.ts';

const line = (name: string, amount: string) => ({ name, qty: 1, unit_cost: { amount, code: 'USD' } });

async function bySourceId(fx: FreshBooksFixture, type: 'contacts' | 'companies' | 'invoices' | 'commerce_payments', key: string) {
  const found = [];
  for await (const record of fx.hubspot.listObjects(type, { properties: [SOURCE_ID_PROPERTY] })) if (record.properties[SOURCE_ID_PROPERTY] === key) found.push(record);
  return found;
}

describe('freshbooks-to-hubspot from webhooks', () => {
  let fx: FreshBooksFixture;
  before(async () => {
    fx = await startFreshBooksFixture();
  });
  after(() => fx.close());

  const key = (object: string, id: number | string) => `freshbooks:${fx.accountId}:${object}:${id}`;

  it('a client, then an invoice, then a payment made in FreshBooks → webhooks → all three in HubSpot, associated', async () => {
    const client = await fx.freshbooks.createClient({ fname: 'Ada', lname: 'Lovelace', email: 'ada@analytical.example', organization: 'Analytical Engines' });
    await fx.settle();
    assert.equal((await bySourceId(fx, 'contacts', key('client', client.userid))).length, 1);
    const invoice = await fx.freshbooks.createInvoice({ customerid: client.userid, create_date: '2026-05-20', lines: [line('Consulting', '1200.00'), line('Travel', '300.00')] });
    await fx.settle();
    assert.equal((await bySourceId(fx, 'invoices', key('invoice', invoice.invoiceid))).length, 1);
    await fx.freshbooks.createPayment({ invoiceid: invoice.invoiceid, amount: { amount: '500.00', code: 'USD' }, date: '2026-05-25', type: 'Check' });
    await fx.settle();
    assert.deepEqual(await differences(fx.hubspot, await expectedFromFreshBooks(fx.freshbooks, fx.accountId)), []);
  });

  it('an invoice event for a client HubSpot has never seen → the contact and company are created first, nothing orphaned', async () => {
    await fx.freshbooksAdmin.patchSettings({ webhookHold: true });
    const client = await fx.freshbooks.createClient({ fname: 'Grace', lname: 'Hopper', email: 'grace@cobol.example', organization: 'Compilers Inc' });
    const invoice = await fx.freshbooks.createInvoice({ customerid: client.userid, create_date: '2026-05-21', lines: [line('Audit', '800.00')] });
    const events = await fx.freshbooksAdmin.events();
    const invoiceEvent = events.find((e) => e.name === 'invoice.create' && e.objectId === invoice.invoiceid)!;
    await fx.freshbooksAdmin.releaseHeld('fifo', [invoiceEvent.id]);
    await fx.freshbooksAdmin.patchSettings({ webhookHold: false });
    await fx.settle();
    const [contact] = await bySourceId(fx, 'contacts', key('client', client.userid));
    const [company] = await bySourceId(fx, 'companies', key('company', client.userid));
    const [hubspotInvoice] = await bySourceId(fx, 'invoices', key('invoice', invoice.invoiceid));
    assert.ok(contact && company && hubspotInvoice, 'contact, company and invoice are in HubSpot');
    const toContacts = (await fx.hubspot.batchReadAssociations('invoices', 'contacts', [hubspotInvoice.id])).get(hubspotInvoice.id)!;
    assert.deepEqual(toContacts.map((a) => a.toObjectId), [contact.id]);
    await fx.freshbooksAdmin.releaseHeld();
    await fx.settle();
    assert.deepEqual(await differences(fx.hubspot, await expectedFromFreshBooks(fx.freshbooks, fx.accountId)), []);
  });

  it('a forged signature, a body altered after signing and an unsigned POST are rejected and queue nothing; a re-delivery changes nothing', async () => {
    const events = async () => (await fx.installation.store.db.selectFrom('webhook_events').select('event_id').execute()).length;
    const before = { events: await events(), jobs: (await fx.queue.counts()).completed };
    const fields: Array<[string, string]> = [['name', 'invoice.update'], ['object_id', '999999'], ['account_id', fx.accountId]];
    const body = new URLSearchParams(fields).toString();
    const post = (text: string, headers: Record<string, string>) =>
      fetch(fx.receiverUrl, { method: 'POST', body: text, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    const forged = await post(body, { [WEBHOOK_SIGNATURE_HEADER]: signFreshBooksWebhook({ verifier: 'not-the-verifier', fields }) });
    const { webhookVerifiers } = (await fx.installation.connections.getConfig((await fx.installation.connections.get('books')).id)) as { webhookVerifiers: Record<string, string> };
    const verifier = Object.values(webhookVerifiers)[0]!;
    const altered = await post(body.replace('999999', '999998'), { [WEBHOOK_SIGNATURE_HEADER]: signFreshBooksWebhook({ verifier, fields }) });
    const unsigned = await post(body, {});
    assert.deepEqual([forged.status, altered.status, unsigned.status], [401, 401, 401]);
    assert.equal(await events(), before.events);
    assert.equal((await fx.queue.counts()).completed, before.jobs);

    // The same signed delivery twice before it is processed: kept once, one run queued.
    const twice: Array<[string, string]> = [['name', 'client.update'], ['object_id', '424242'], ['account_id', fx.accountId]];
    const signedTwice = { [WEBHOOK_SIGNATURE_HEADER]: signFreshBooksWebhook({ verifier, fields: twice }) };
    const first = (await (await post(new URLSearchParams(twice).toString(), signedTwice)).json()) as { new: number; queued: number };
    const second = (await (await post(new URLSearchParams(twice).toString(), signedTwice)).json()) as { new: number; queued: number };
    assert.deepEqual([first.new, first.queued, second.new, second.queued], [1, 1, 0, 0]);
    await fx.settle();

    // FreshBooks sends an event already processed once more.
    const delivered = (await fx.freshbooksAdmin.events()).find((e) => e.name === 'invoice.create')!;
    await fx.hubspotAdmin.resetCounters();
    await fx.freshbooksAdmin.redeliver(delivered.id);
    await fx.settle();
    assert.equal(await hubspotWrites(fx.hubspotAdmin), 0);
    assert.deepEqual(await differences(fx.hubspot, await expectedFromFreshBooks(fx.freshbooks, fx.accountId)), []);
  });

  it('events out of order (the payment before its invoice) end in the right state', async () => {
    await fx.freshbooksAdmin.patchSettings({ webhookHold: true });
    const client = await fx.freshbooks.createClient({ fname: 'Alan', lname: 'Turing', email: 'alan@bletchley.example' });
    const invoice = await fx.freshbooks.createInvoice({ customerid: client.userid, create_date: '2026-05-22', lines: [line('Codebreaking', '2000.00')] });
    await fx.freshbooks.createPayment({ invoiceid: invoice.invoiceid, amount: { amount: '2000.00', code: 'USD' }, date: '2026-05-26', type: 'Cash' });
    await fx.freshbooksAdmin.releaseHeld('reverse');
    await fx.freshbooksAdmin.patchSettings({ webhookHold: false });
    await fx.settle();
    assert.deepEqual(await differences(fx.hubspot, await expectedFromFreshBooks(fx.freshbooks, fx.accountId)), []);
  });

  it('with the receiver down until FreshBooks gives up and disables the callbacks, sync --full brings HubSpot back to the FreshBooks state', async () => {
    // Each delivery tried three times; a callback whose delivery failed for good is disabled.
    await fx.freshbooksAdmin.patchSettings({ webhookMaxAttempts: 3, webhookDisableAfterFailures: 1 });
    await fx.stopReceiver();
    const client = await fx.freshbooks.createClient({ fname: 'Edsger', lname: 'Dijkstra', email: 'ed@structured.example', organization: 'Shortest Paths BV' });
    const invoice = await fx.freshbooks.createInvoice({ customerid: client.userid, create_date: '2026-05-23', lines: [line('Review', '450.00')] });
    await fx.freshbooks.createPayment({ invoiceid: invoice.invoiceid, amount: { amount: '450.00', code: 'USD' }, date: '2026-05-27', type: 'Bank Transfer' });
    await fx.freshbooksAdmin.deliveries();
    assert.ok((await fx.freshbooksAdmin.callbacks()).some((c) => c.disabled), 'FreshBooks disabled a callback after failing deliveries');
    await fx.startReceiver();
    const result = await fx.sync('full');
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
    assert.deepEqual(await differences(fx.hubspot, await expectedFromFreshBooks(fx.freshbooks, fx.accountId)), []);
    // Registering again re-verifies the disabled callbacks, and deliveries flow again.
    await registerFreshBooksCallbacks(fx.installation, 'books', new URL(fx.receiverUrl).origin);
    await fx.freshbooksAdmin.deliveries();
    assert.ok((await fx.freshbooksAdmin.callbacks()).every((c) => !c.disabled && c.verified));
  });
});

describe('freshbooks-to-hubspot backfill', () => {
  it('a 401 mid-backfill → one refresh and the backfill goes on; two users of the connection refreshing at once → one refresh', async () => {
    const fx = await startFreshBooksFixture({ size: 'small', seed: 7 });
    try {
      await fx.freshbooksAdmin.resetCounters();
      let expired = false;
      const result = await runSync(fx.installation, {
        flow: 'freshbooks-to-hubspot',
        from: 'books',
        to: 'crm',
        mode: 'full',
        onProgress: async () => {
          if (expired) return;
          expired = true;
          await fx.freshbooksAdmin.expireAccessTokens();
        },
      });
      assert.ok(expired);
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
      assert.equal(await fx.freshbooksAdmin.tokenCalls(), 1, 'one refresh after the 401');
      assert.deepEqual(await differences(fx.hubspot, await expectedFromFreshBooks(fx.freshbooks, fx.accountId)), []);

      await fx.freshbooksAdmin.expireAccessTokens();
      await fx.freshbooksAdmin.resetCounters();
      const url = new URL(fx.receiverUrl).origin;
      await Promise.all([fx.sync('full'), registerFreshBooksCallbacks(fx.installation, 'books', url)]);
      assert.equal(await fx.freshbooksAdmin.tokenCalls(), 1);
    } finally {
      await fx.close();
    }
  });

  it('on a portal without invoice writes, contacts and companies sync and the run says which invoices it held back; the first run after the capability appears backfills them', async () => {
    const fx = await startFreshBooksFixture({ size: 'small', seed: 8 });
    try {
      await fx.hubspotAdmin.patchSettings({ invoiceWrites: false });
      const held = await fx.sync();
      assert.notEqual(held.status, 'failed', JSON.stringify(held.error));
      assert.ok(held.report.notes.some((n) => /Invoices were held back/.test(n)), JSON.stringify(held.report.notes));
      const expected = await expectedFromFreshBooks(fx.freshbooks, fx.accountId);
      for (const [contactKey] of expected.contacts) assert.equal((await bySourceId(fx, 'contacts', contactKey)).length, 1, contactKey);
      await fx.hubspotAdmin.patchSettings({ invoiceWrites: true });
      const backfill = await fx.sync();
      assert.equal(backfill.status, 'succeeded', JSON.stringify(backfill.error ?? backfill.counts));
      assert.deepEqual(await differences(fx.hubspot, expected), []);
    } finally {
      await fx.close();
    }
  });
});
