/**
 * The Zoho Books sandbox's seed data and admin surface: deterministic,
 * sized as documented, related consistently, a million records without
 * holding them, and changeable behind the API's back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { parseZohoTimestamp } from '../../systems/zohobooks/timestamps.ts';
import { createZohoBooksSandbox } from './app.ts';
import { seedCounts } from './seed.ts';
import { accessToken, apiCaller, startTestSandbox, type TestSandbox } from './test-helpers.ts';

describe('Zoho Books sandbox: seed data', () => {
  it('has the documented sizes, huge being a million source records', () => {
    const total = (size: Parameters<typeof seedCounts>[0]) => Object.values(seedCounts(size)).reduce((a, b) => a + b, 0);
    assert.deepEqual(seedCounts('small'), { customers: 20, contactPersons: 40, invoices: 50, payments: 30 });
    assert.equal(total('medium'), 10 * total('small'));
    assert.equal(total('large'), 100 * total('small'));
    assert.equal(total('huge'), 1_000_000);
    assert.equal(total('empty'), 0);
  });

  it('is the same for the same seed and differs for another', async () => {
    const first = async (seed: number) => {
      const sandbox = createZohoBooksSandbox({ clock: new VirtualClock(), seed, size: 'small' });
      const contacts = [...sandbox.data.contacts.all()].map((r) => sandbox.data.renderContact(r));
      const invoices = [...sandbox.data.invoices.all()].map((r) => sandbox.data.renderInvoice(r));
      return { organizationId: sandbox.settings.organizationId, contacts, invoices, refreshToken: sandbox.tokens.defaultRefreshToken };
    };
    assert.deepEqual(await first(4), await first(4));
    const [a, b] = [await first(4), await first(5)];
    assert.notDeepEqual(a.contacts.map((c) => c.contact_name), b.contacts.map((c) => c.contact_name));
    assert.notEqual(a.refreshToken, b.refreshToken);
  });

  it('relates its records consistently: persons, domains, currencies, balances', () => {
    const { data } = createZohoBooksSandbox({ clock: new VirtualClock(), seed: 8, size: 'medium' });
    const contacts = [...data.contacts.all()];
    const domains = contacts.map((c) => c.body.website.replace(/^https:\/\/www\./, ''));
    assert.ok(domains.filter((d) => d === '').length >= 10, 'some customers have no website');
    const withSite = domains.filter((d) => d !== '');
    assert.ok(new Set(withSite).size < withSite.length, 'some customers share a domain');
    assert.ok(contacts.filter((c) => c.body.currency_code === 'USD').length > contacts.length / 2, 'mostly USD');

    let persons = 0;
    for (const contact of contacts) {
      const own = data.personsOf(contact.id);
      persons += own.length;
      assert.equal(own.filter((p) => p.body.is_primary_contact).length, 1);
      assert.ok(own.every((p) => p.body.contact_id === contact.id && /@/.test(p.body.email)));
    }
    assert.equal(persons, 400);

    let partial = 0;
    for (const invoice of data.invoices.all()) {
      const body = invoice.body;
      assert.ok(body.line_items.length >= 1 && body.line_items.length <= 5);
      const customer = data.contacts.get(body.customer_id)!;
      assert.equal(body.currency_code, customer.body.currency_code);
      const applied = data.paymentsOfInvoice(invoice.id).reduce((sum, p) => sum + p.body.invoices.filter((a) => a.invoice_id === invoice.id).reduce((s, a) => s + a.amount_applied, 0), 0);
      assert.equal(body.payment_made, Math.round(applied * 100) / 100);
      if (body.status !== 'void') assert.equal(body.balance, Math.round((body.total - body.payment_made) * 100) / 100);
      if (body.status === 'partially_paid') partial++;
      assert.ok(invoice.createdMs >= data.contacts.get(body.customer_id)!.createdMs, 'invoiced after the customer was created');
    }
    assert.ok(partial > 0, 'some payments are partial');
  });

  it('serves a million records by index without keeping them in memory', async () => {
    const fx = await startTestSandbox({ size: 'huge', settings: { perMinuteLimit: 1_000_000 } });
    try {
      let total = 0;
      for (const kind of ['contacts', 'contactpersons', 'invoices', 'customerpayments'] as const) total += (await fx.admin.count(kind)).count;
      assert.equal(total, 1_000_000);
      const api = apiCaller(fx, await accessToken(fx));
      const since = '2025-06-01T00:00:00+0000';
      const page = await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', sort_order: 'A', last_modified_time: since } });
      assert.equal(page.body.invoices.length, 200);
      assert.ok(page.body.page_context.has_more_page);
      assert.ok(parseZohoTimestamp(page.body.invoices[0].last_modified_time)! >= parseZohoTimestamp(since)!);
      const newest = await api('GET', '/customerpayments', { query: { sort_column: 'last_modified_time', sort_order: 'D', per_page: 3 } });
      assert.equal(newest.body.customerpayments.length, 3);
      const changed = page.body.invoices[0].invoice_id;
      await api('PUT', `/invoices/${changed}`, { body: { reference_number: 'changed' } });
      assert.equal(fx.sandbox.data.overlaySize, 1, 'only the changed record is stored');
      const latest = await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', sort_order: 'D', per_page: 1 } });
      assert.equal(latest.body.invoices[0].invoice_id, changed);
      // Sorting the whole set by another column is refused rather than materialized.
      const byTotal = await api('GET', '/invoices', { query: { sort_column: 'total' } });
      assert.equal(byTotal.status, 400);
      assert.equal(byTotal.body.code, 2);
      // Without a sort, contacts come by creation time instead of by name.
      assert.equal((await api('GET', '/contacts', { query: { per_page: 1 } })).body.page_context.sort_column, 'created_time');
    } finally {
      await fx.close();
    }
  });
});

describe('Zoho Books sandbox: admin surface', () => {
  let fx: TestSandbox;
  let api: ReturnType<typeof apiCaller>;
  before(async () => {
    fx = await startTestSandbox();
    api = apiCaller(fx, await accessToken(fx));
  });
  after(() => fx.close());

  it('bulk-inserts records as given, computing invoice totals, and sets fields bypassing validation', async () => {
    const customer = (await api('GET', '/contacts')).body.contacts[0].contact_id;
    const [invoiceId] = await fx.admin.bulkInsert('invoices', [
      { customer_id: customer, currency_code: 'XYZ', line_items: [{ name: 'Widget', rate: 12.5, quantity: 4 }], last_modified_time: '2025-03-01T10:00:00-0800' },
    ]);
    const invoice = (await api('GET', `/invoices/${invoiceId}`)).body.invoice;
    assert.equal(invoice.currency_code, 'XYZ');
    assert.equal(invoice.total, 50);
    assert.equal(invoice.last_modified_time, '2025-03-01T10:00:00-0800');

    const person = (await api('GET', `/contacts/${customer}`)).body.contact.contact_persons[0];
    const raw = await fx.admin.setFields('contactpersons', person.contact_person_id, { email: 'not-an-email' });
    assert.equal(raw.body.email, 'not-an-email');
    assert.equal((await api('GET', `/contacts/${customer}/contactpersons/${person.contact_person_id}`)).body.contact_person.email, 'not-an-email');
    const untouched = await fx.admin.setFields('contactpersons', person.contact_person_id, { department: 'X' }, false);
    assert.equal(untouched.last_modified_time, raw.last_modified_time, 'touch: false keeps the time');
  });

  it('moves many records to one modification time, reports unknown ids, and resets to the seed', async () => {
    const ids = ((await api('GET', '/invoices', { query: { per_page: 10 } })).body.invoices as Array<{ invoice_id: string }>).map((i) => i.invoice_id);
    const result = await fx.admin.setModifiedTime('invoices', [...ids, '1'], '2025-01-02T03:04:05+0000');
    assert.equal(result.updated, 10);
    assert.deepEqual(result.missing, ['1']);
    const same = (await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', last_modified_time: '2025-01-02T03:04:05+0000', per_page: 20 } })).body
      .invoices as Array<{ last_modified_time: string }>;
    assert.ok(same.slice(0, 10).every((i) => parseZohoTimestamp(i.last_modified_time) === Date.UTC(2025, 0, 2, 3, 4, 5)));

    assert.equal((await fx.admin.count('invoices')).count, 51);
    await fx.admin.reset();
    assert.deepEqual(await fx.admin.count('invoices'), { kind: 'invoices', count: 50, inMemory: 0 });
  });

  it('refuses bad admin input with a clear message', async () => {
    await assert.rejects(fx.admin.patchSettings({ plan: 'gold' }), /400.*plan/);
    await assert.rejects(fx.admin.count('widgets' as never), /404.*Unknown record kind/);
    await assert.rejects(fx.admin.mintRefreshToken(['Everything']), /not a Zoho Books scope/);
  });
});
