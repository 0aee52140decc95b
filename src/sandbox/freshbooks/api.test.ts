/**
 * The FreshBooks sandbox's API over real HTTP (reference §3–§7): users/me,
 * the `{response: {result}}` envelope, page/per_page paging, search filters
 * (day-level `updated`), includes, sorting, both error styles, the
 * account- and business-scoped path families, and the invoice arithmetic
 * payments drive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { easternDate, parseEasternTimestamp } from '../../systems/freshbooks/timestamps.ts';
import { accessToken, apiCaller, startTestSandbox, type Answer, type ApiCall, type TestSandbox } from './test-helpers.ts';

type Api = (method: string, path: string, call?: ApiCall) => Promise<Answer>;

describe('FreshBooks sandbox: identity, envelope and paging', () => {
  let fx: TestSandbox;
  let api: Api;
  let clients: string;
  before(async () => {
    fx = await startTestSandbox({ size: 'medium' });
    api = apiCaller(fx, await accessToken(fx));
    clients = `/accounting/account/${fx.connection.accountId}/users/clients`;
  });
  after(() => fx.close());

  it('users/me names the user’s businesses with their account ids and business uuids (no result level)', async () => {
    const me = await api('GET', '/auth/api/v1/users/me');
    assert.equal(me.status, 200);
    const { response } = me.body;
    assert.equal(response.result, undefined);
    assert.equal(typeof response.id, 'number');
    const businesses = response.business_memberships.map((m: { business: unknown }) => m.business);
    assert.equal(businesses.length, 2);
    assert.equal(businesses[0].account_id, fx.connection.accountId);
    assert.equal(businesses[0].business_uuid, fx.connection.businessUuid);
    assert.match(businesses[1].account_id, /^[A-Za-z0-9]{6}$/);
    assert.deepEqual(Object.keys(response.subscription_statuses).sort(), [businesses[0].account_id, businesses[1].account_id].sort());
  });

  it('lists in the envelope with page, pages, per_page and total; per_page is capped at 100; page 0 is page 1; past the end is empty', async () => {
    const first = await api('GET', clients, { query: { per_page: 30, page: 1 } });
    assert.equal(first.status, 200);
    const result = first.body.response.result;
    assert.deepEqual([result.page, result.pages, result.per_page, result.total, result.clients.length], [1, 7, 30, 200, 30]);
    const capped = await api('GET', clients, { query: { per_page: 500 } });
    assert.deepEqual([capped.body.response.result.per_page, capped.body.response.result.clients.length, capped.body.response.result.pages], [100, 100, 2]);
    const zero = await api('GET', clients, { query: { page: 0, per_page: 5 } });
    assert.equal(zero.body.response.result.page, 1);
    const beyond = await api('GET', clients, { query: { page: 99, per_page: 5 } });
    assert.deepEqual([beyond.status, beyond.body.response.result.clients.length, beyond.body.response.result.total], [200, 0, 200]);
    const bad = await api('GET', clients, { query: { page: 'two' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details[0].metadata.message, 'page must be a number');
    assert.equal(bad.body.details[0].metadata.field, 'page');
  });

  it('sort=updated_asc pages every record once in updated order; search[updated_min] is an Eastern day', async () => {
    const seen: Array<{ id: number; updated: string }> = [];
    for (let page = 1; ; page++) {
      const { body } = await api('GET', clients, { query: { sort: 'updated_asc', per_page: 100, page } });
      seen.push(...body.response.result.clients);
      if (page >= body.response.result.pages) break;
    }
    assert.equal(new Set(seen.map((c) => c.id)).size, 200);
    const times = seen.map((c) => parseEasternTimestamp(c.updated)!);
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]!), 'ascending updated');

    const pivot = times[120]!;
    const day = easternDate(pivot);
    const later = await api('GET', clients, { query: { 'search[updated_min]': day, sort: 'updated_asc', per_page: 100 } });
    const expected = seen.filter((c) => c.updated.slice(0, 10) >= day).map((c) => c.id);
    assert.deepEqual(later.body.response.result.clients.map((c: { id: number }) => c.id), expected.slice(0, 100));
    assert.equal(later.body.response.result.total, expected.length);
    // A timestamp is cut to its day: the same answer.
    const withTime = await api('GET', clients, { query: { 'search[updated_min]': `${day} 23:59:59`, sort: 'updated_asc', per_page: 100 } });
    assert.equal(withTime.body.response.result.total, expected.length);
    const before = await api('GET', clients, { query: { 'search[updated_max]': day, per_page: 100 } });
    assert.equal(before.body.response.result.total, 200 - expected.length, 'a maximum matches what is below it');
    const bad = await api('GET', clients, { query: { 'search[updated_min]': 'yesterday' } });
    assert.equal(bad.status, 400);

    const descending = await api('GET', clients, { query: { sort: 'updated_desc', per_page: 3 } });
    assert.deepEqual(descending.body.response.result.clients.map((c: { id: number }) => c.id), [...seen].reverse().slice(0, 3).map((c) => c.id));
    const unknownSort = await api('GET', clients, { query: { sort: 'colour_asc' } });
    assert.equal(unknownSort.status, 400);
  });

  it('clients come with and without an organization; equals, in and like searches', async () => {
    const { body } = await api('GET', clients, { query: { per_page: 100 } });
    const all = body.response.result.clients as Array<{ id: number; organization: string; email: string; fname: string; vis_state: number }>;
    assert.ok(all.some((c) => c.organization === '') && all.some((c) => c.organization !== ''));
    assert.ok(all.some((c) => c.vis_state === 2), 'archived clients are listed');
    const target = all.find((c) => c.organization !== '')!;
    const byEmail = await api('GET', clients, { query: { 'search[email]': target.email.toUpperCase() } });
    assert.deepEqual(byEmail.body.response.result.clients.map((c: { id: number }) => c.id), [target.id]);
    const byIds = await api('GET', clients, { query: { 'search[userids][]': [String(all[0]!.id), String(all[1]!.id)] } });
    assert.equal(byIds.body.response.result.total, 2);
    const like = await api('GET', clients, { query: { 'search[organization_like]': target.organization.slice(1, 6).toLowerCase(), per_page: 100 } });
    assert.ok(like.body.response.result.clients.some((c: { id: number }) => c.id === target.id));
    const ignored = await api('GET', clients, { query: { 'search[favourite_colour]': 'blue', per_page: 1 } });
    assert.equal(ignored.body.response.result.total, 200, 'unknown search keys are ignored');
  });
});

describe('FreshBooks sandbox: invoices, payments and errors', () => {
  let fx: TestSandbox;
  let api: Api;
  let base: string;
  before(async () => {
    fx = await startTestSandbox();
    api = apiCaller(fx, await accessToken(fx));
    base = `/accounting/account/${fx.connection.accountId}`;
  });
  after(() => fx.close());

  it('invoices carry their lines only with include[]=lines; Money objects; numeric status and word statuses', async () => {
    const plain = await api('GET', `${base}/invoices/invoices`, { query: { per_page: 5 } });
    assert.equal(plain.body.response.result.invoices[0].lines, undefined);
    const withLines = await api('GET', `${base}/invoices/invoices`, { query: { 'include[]': 'lines', per_page: 100 } });
    const invoices = withLines.body.response.result.invoices;
    assert.equal(invoices.length, 50);
    for (const invoice of invoices) {
      assert.ok(invoice.lines.length >= 1 && invoice.lines.length <= 5);
      const sum = invoice.lines.reduce((total: number, line: { amount: { amount: string } }) => total + Number(line.amount.amount), 0);
      assert.equal(Number(invoice.amount.amount).toFixed(2), sum.toFixed(2));
      assert.match(invoice.amount.amount, /^\d+\.\d{2}$/);
      assert.equal(invoice.amount.code, invoice.currency_code);
      assert.equal(invoice.id, invoice.invoiceid);
      assert.equal((Number(invoice.paid.amount) + Number(invoice.outstanding.amount)).toFixed(2), invoice.amount.amount);
    }
    const statuses = new Set(invoices.map((i: { payment_status: string }) => i.payment_status));
    assert.deepEqual([...statuses].sort(), ['paid', 'partial', 'unpaid']);
    const paid = invoices.find((i: { payment_status: string }) => i.payment_status === 'paid');
    assert.deepEqual([paid.status, paid.v3_status], [4, 'paid']);
    assert.ok(paid.date_paid);

    const single = await api('GET', `${base}/invoices/invoices/${paid.id}`, { query: { 'include[]': 'lines' } });
    assert.deepEqual(single.body.response.result.invoice, paid);
    const byCustomer = await api('GET', `${base}/invoices/invoices`, { query: { 'search[customerid]': String(paid.customerid), per_page: 100 } });
    assert.ok(byCustomer.body.response.result.invoices.every((i: { customerid: number }) => i.customerid === paid.customerid));
  });

  it('a client, then an invoice, then payments: outstanding falls, statuses move, updated moves', async () => {
    const client = await api('POST', `${base}/users/clients`, { body: { client: { fname: 'Ada', lname: 'Lovelace', email: 'ada@engines.example', organization: '' } } });
    assert.equal(client.status, 200);
    const created = client.body.response.result.client;
    assert.deepEqual([created.userid, created.organization, created.vis_state], [created.id, '', 0]);

    const invoice = await api('POST', `${base}/invoices/invoices`, {
      query: { 'include[]': 'lines' },
      body: { invoice: { customerid: created.id, create_date: '2026-03-02', status: 2, lines: [{ name: 'Analysis', qty: 3, unit_cost: { amount: '120.00', code: 'USD' } }, { name: 'Notes', unit_cost: { amount: 15.5 } }] } },
    });
    assert.equal(invoice.status, 200);
    const inv = invoice.body.response.result.invoice;
    assert.deepEqual([inv.amount.amount, inv.outstanding.amount, inv.payment_status, inv.v3_status, inv.lines.length], ['375.50', '375.50', 'unpaid', 'sent', 2]);
    assert.deepEqual(inv.lines.map((l: { lineid: number }) => l.lineid), [1, 2]);
    assert.equal(inv.fname, 'Ada');

    fx.clock.advance(60_000);
    const part = await api('POST', `${base}/payments/payments`, { body: { payment: { invoiceid: inv.id, amount: { amount: '100.00' }, date: '2026-03-02', type: 'Cash' } } });
    assert.equal(part.status, 200);
    assert.deepEqual([part.body.response.result.payment.clientid, part.body.response.result.payment.amount], [created.id, { amount: '100.00', code: 'USD' }]);
    const afterPart = (await api('GET', `${base}/invoices/invoices/${inv.id}`)).body.response.result.invoice;
    assert.deepEqual([afterPart.outstanding.amount, afterPart.payment_status, afterPart.status], ['275.50', 'partial', 8]);
    assert.ok(afterPart.updated > inv.updated, 'a payment moves its invoice’s updated');

    const rest = await api('POST', `${base}/payments/payments`, { body: { payment: { invoiceid: inv.id, amount: { amount: 275.5 }, date: '2026-03-03' } } });
    const paid = (await api('GET', `${base}/invoices/invoices/${inv.id}`)).body.response.result.invoice;
    assert.deepEqual([paid.outstanding.amount, paid.payment_status, paid.date_paid], ['0.00', 'paid', '2026-03-03']);

    // Deleting a payment is vis_state 1: the invoice owes it again, and lists leave it out.
    const deleted = await api('PUT', `${base}/payments/payments/${rest.body.response.result.payment.id}`, { body: { payment: { vis_state: 1 } } });
    assert.equal(deleted.body.response.result.payment.vis_state, 1);
    const reopened = (await api('GET', `${base}/invoices/invoices/${inv.id}`)).body.response.result.invoice;
    assert.deepEqual([reopened.outstanding.amount, reopened.payment_status, reopened.date_paid], ['275.50', 'partial', null]);
    const listed = await api('GET', `${base}/payments/payments`, { query: { 'search[invoiceid]': String(inv.id) } });
    assert.equal(listed.body.response.result.total, 1);
    const withDeleted = await api('GET', `${base}/payments/payments`, { query: { 'search[invoiceid]': String(inv.id), 'search[vis_state][]': ['0', '1'] } });
    assert.equal(withDeleted.body.response.result.total, 2);
  });

  it('refusals: a nameless client (7012), unknown records (1012), bad bodies, a payment in another currency', async () => {
    const nameless = await api('POST', `${base}/users/clients`, { body: { client: { note: 'no name' } } });
    assert.equal(nameless.status, 422);
    assert.equal(nameless.body.details[0].reason, '7012');
    const missing = await api('GET', `${base}/users/clients/1`);
    assert.equal(missing.status, 404);
    assert.deepEqual([missing.body.code, missing.body.details[0].reason, missing.body.details[0].metadata.message], [5, '1012', 'Client not found.']);
    const noWrapper = await api('POST', `${base}/users/clients`, { body: { fname: 'x' } });
    assert.equal(noWrapper.status, 422);
    const noInvoice = await api('POST', `${base}/payments/payments`, { body: { payment: { invoiceid: 1, amount: { amount: '1.00' }, date: '2026-03-02' } } });
    assert.equal(noInvoice.status, 422);
    assert.equal(noInvoice.body.details[0].metadata.field, 'invoiceid');
    const invoices = (await api('GET', `${base}/invoices/invoices`, { query: { per_page: 1, 'search[currency_code]': 'USD' } })).body.response.result.invoices;
    const euro = await api('POST', `${base}/payments/payments`, { body: { payment: { invoiceid: invoices[0].id, amount: { amount: '1.00', code: 'EUR' }, date: '2026-03-02' } } });
    assert.equal(euro.status, 422);
  });

  it('the older error style, also with HTTP 200, when the settings say so', async () => {
    await fx.admin.patchSettings({ errorStyle: 'legacy' });
    const legacy = await api('GET', `${base}/users/clients/1`);
    assert.equal(legacy.status, 404);
    assert.deepEqual(legacy.body, { response: { errors: [{ errno: 1012, field: 'clientid', message: 'Client not found.', object: 'client', value: '1' }] } });
    await fx.admin.patchSettings({ errorStyle: 'legacy-200' });
    const ok200 = await api('GET', `${base}/users/clients/1`);
    assert.equal(ok200.status, 200);
    assert.equal(ok200.body.response.errors[0].errno, 1012);
    await fx.admin.patchSettings({ errorStyle: 'rpc' });
  });

  it('the business-scoped path family: ledger accounts in {data}, the chart-of-accounts report in {response: {result}}', async () => {
    const path = `/accounting/businesses/${fx.connection.businessUuid}/ledger_accounts/accounts`;
    const accounts = await api('GET', path);
    assert.equal(accounts.status, 200);
    assert.equal(accounts.body.response, undefined);
    const data = accounts.body.data as Array<{ uuid: string; type: string; name: string; sub_accounts: string[]; parent_account: string | null }>;
    assert.ok(data.length >= 10);
    assert.deepEqual(new Set(data.map((a) => a.type)), new Set(['asset', 'liability', 'equity', 'income', 'expense']));
    const child = data.find((a) => a.parent_account !== null)!;
    assert.ok(data.find((a) => a.uuid === child.parent_account)!.sub_accounts.includes(child.uuid));
    const single = await api('GET', `${path}/${data[0]!.uuid}`);
    assert.deepEqual(single.body.data, data[0]);
    const report = await api('GET', `/accounting/businesses/${fx.connection.businessUuid}/reports/chart_of_accounts`);
    const receivable = report.body.response.result.journal_entry_accounts.find((a: { account_name: string }) => a.account_name === 'Accounts Receivable');
    assert.ok(Number(receivable.balance) > 0);
  });

  it('the path names the business: the second one is empty; another’s is refused (403); a missing scope is named', async () => {
    const me = (await api('GET', '/auth/api/v1/users/me')).body.response;
    const second = me.business_memberships[1].business;
    const empty = await api('GET', `/accounting/account/${second.account_id}/invoices/invoices`);
    assert.equal(empty.body.response.result.total, 0);
    const ledger = await api('GET', `/accounting/businesses/${second.business_uuid}/ledger_accounts/accounts`);
    assert.equal(ledger.status, 200);
    const foreign = await api('GET', '/accounting/account/ZZZZZZ/users/clients');
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.details[0].metadata.message, /not a member of account ZZZZZZ/);
    const narrow = apiCaller(fx, await accessToken(fx, ['user:profile:read', 'user:clients:read']));
    assert.equal((await narrow('GET', `${base}/users/clients`)).status, 200);
    const write = await narrow('POST', `${base}/users/clients`, { body: { client: { fname: 'x' } } });
    assert.equal(write.status, 403);
    assert.match(write.body.details[0].metadata.message, /user:clients:write/);
  });

  it('admin: request counts by resource, records raw and bypassing validation, faults in FreshBooks’ shape', async () => {
    await fx.admin.resetCounters();
    const invoice = (await api('GET', `${base}/invoices/invoices`, { query: { per_page: 1 } })).body.response.result.invoices[0];
    assert.equal(await fx.admin.resourceCalls('invoices', { method: 'GET' }), 1);
    const raw = await fx.admin.record('invoices', invoice.id);
    assert.equal(raw.body.invoice_number, invoice.invoice_number);
    await fx.admin.setFields('invoices', invoice.id, { currency_code: 'XYZ' });
    const odd = (await api('GET', `${base}/invoices/invoices/${invoice.id}`)).body.response.result.invoice;
    assert.deepEqual([odd.currency_code, odd.amount.code], ['XYZ', 'XYZ']);
    const ids = await fx.admin.bulkInsert('clients', [{ fname: 'Bulk', organization: 'Bulk Co' }, { fname: 'Bulk 2' }]);
    assert.equal(ids.length, 2);
    assert.equal((await api('GET', `${base}/users/clients/${ids[0]}`)).body.response.result.client.organization, 'Bulk Co');
    const moved = await fx.admin.setUpdatedTime('clients', ids, '2025-07-04 12:00:00');
    assert.equal(moved.updated, 2);
    assert.equal((await api('GET', `${base}/users/clients/${ids[1]}`)).body.response.result.client.updated, '2025-07-04 12:00:00');

    await fx.admin.setFaults({ rate429: 1, methods: ['GET'] });
    const limited = await api('GET', `${base}/users/clients`);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 8);
    await fx.admin.setFaults({ rate5xx: 1, statuses5xx: [503] });
    const down = await api('GET', `${base}/users/clients`);
    assert.equal(down.status, 503);
    await fx.admin.setFaults({});
    assert.equal(await fx.admin.calls({ status: 429 }), 1);
  });
});
