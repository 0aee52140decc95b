/**
 * The Zoho Books sandbox speaks Zoho's protocol (reference/zohobooks.md):
 * auth header and scopes, organization_id, envelopes that parse with the
 * client's own schemas, paging, sorting and the modified-time filter, error
 * codes and limits. Raw HTTP, no client of ours in between.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OffsetClock } from '../../core/clock.ts';
import {
  ContactListResponse,
  ContactResponse,
  InvoiceListResponse,
  InvoiceResponse,
  OrganizationListResponse,
  PaymentListResponse,
  PaymentResponse,
} from '../../systems/zohobooks/schemas.ts';
import { parseZohoTimestamp } from '../../systems/zohobooks/timestamps.ts';
import { accessToken, apiCaller, startTestSandbox, tokenRequest, type TestSandbox } from './test-helpers.ts';

const NOT_AUTHORIZED = { code: 57, message: 'You are not authorized to perform this operation' };

describe('Zoho Books sandbox: protocol', () => {
  let fx: TestSandbox;
  let api: ReturnType<typeof apiCaller>;
  before(async () => {
    fx = await startTestSandbox({ size: 'medium' });
    api = apiCaller(fx, await accessToken(fx));
  });
  after(() => fx.close());

  it('answers in Zoho’s envelopes, which the client’s schemas accept, always as JSON', async () => {
    const organizations = await api('GET', '/organizations', { noOrganization: true });
    assert.equal(organizations.status, 200);
    assert.match(organizations.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(OrganizationListResponse.parse(organizations.body).organizations[0]!.organization_id, fx.connection.organizationId);

    const contacts = await api('GET', '/contacts', { query: { per_page: 5 } });
    const contactList = ContactListResponse.parse(contacts.body);
    assert.equal(contactList.contacts.length, 5);
    assert.deepEqual(contactList.page_context, {
      page: 1,
      per_page: 5,
      has_more_page: true,
      applied_filter: 'Status.All',
      sort_column: 'contact_name',
      sort_order: 'A',
    });
    const contact = ContactResponse.parse((await api('GET', `/contacts/${contactList.contacts[0]!.contact_id}`)).body).contact;
    assert.ok(contact.contact_persons.length >= 1);
    assert.match(contact.contact_id, /^\d{15}$/, 'ids are long numeric strings');
    assert.match(contact.last_modified_time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-0800$/, 'timestamps in the organization’s zone');

    const invoices = InvoiceListResponse.parse((await api('GET', '/invoices', { query: { per_page: 3 } })).body);
    assert.ok(invoices.invoices.every((i) => !('line_items' in i)), 'list entries have no line items');
    const invoice = InvoiceResponse.parse((await api('GET', `/invoices/${invoices.invoices[0]!.invoice_id}`)).body).invoice;
    assert.ok(invoice.line_items.length >= 1);

    const payments = PaymentListResponse.parse((await api('GET', '/customerpayments', { query: { per_page: 3 } })).body);
    const payment = PaymentResponse.parse((await api('GET', `/customerpayments/${payments.customerpayments[0]!.payment_id}`)).body).payment;
    assert.ok(Array.isArray(payment.invoices));

    const unknown = await api('GET', '/no-such-thing');
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(unknown.body.code, 5);
  });

  it('1002 "<Resource> does not exist." for unknown records', async () => {
    for (const [path, message] of [
      ['/invoices/460000000000001', 'Invoice does not exist.'],
      ['/contacts/460000000000001', 'Contact does not exist.'],
      ['/customerpayments/460000000000001', 'Payment does not exist.'],
    ] as const) {
      const answer = await api('GET', path);
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { code: 1002, message });
    }
  });

  it('needs organization_id on every call but GET /organizations, and names an unknown one', async () => {
    const missing = await api('GET', '/invoices', { noOrganization: true });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { code: 2, message: 'Invalid value passed for organization_id' });
    const unknown = await api('GET', '/invoices', { query: { organization_id: '111' } });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, { code: 6041, message: 'This user is not associated with the CompanyID/CompanyName:111.' });
  });

  it('takes only `Zoho-oauthtoken`, refuses expired tokens and missing scopes with 401 and code 57', async () => {
    for (const authorization of [null, 'Bearer whatever', 'Zoho-oauthtoken 1000.unknown']) {
      const answer = await api('GET', '/invoices', { authorization });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.body, NOT_AUTHORIZED);
    }
    const session = await accessToken(fx);
    const bearer = await api('GET', '/invoices', { authorization: `Bearer ${session.token}` });
    assert.equal(bearer.status, 401, 'the header scheme is Zoho-oauthtoken (§2)');

    const readContacts = await fx.admin.mintRefreshToken(['ZohoBooks.contacts.READ']);
    const limited = apiCaller(fx, await accessToken(fx, readContacts));
    assert.equal((await limited('GET', '/contacts')).status, 200);
    assert.deepEqual((await limited('GET', '/invoices')).body, NOT_AUTHORIZED);
    assert.equal((await limited('POST', '/contacts', { body: { contact_name: 'X' } })).status, 401, 'READ does not allow CREATE');
    assert.equal((await limited('GET', '/organizations', { noOrganization: true })).status, 401, 'organizations need settings');

    const expiring = apiCaller(fx, await accessToken(fx));
    fx.clock.advance(3_600_000);
    assert.deepEqual((await expiring('GET', '/contacts')).body, NOT_AUTHORIZED);
    // The tests after this one need a live token again.
    api = apiCaller(fx, await accessToken(fx));
  });

  it('pages by page/per_page, clamps per_page to 200, and refuses bad paging and sort values with code 2', async () => {
    const big = await api('GET', '/invoices', { query: { per_page: 500 } });
    assert.equal(big.body.page_context.per_page, 200);
    assert.equal(big.body.invoices.length, 200);
    const last = await api('GET', '/invoices', { query: { page: 3 } });
    assert.equal(last.body.invoices.length, 100);
    assert.equal(last.body.page_context.has_more_page, false);
    const beyond = await api('GET', '/invoices', { query: { page: 4 } });
    assert.deepEqual(beyond.body.invoices, []);
    for (const [name, value] of [
      ['page', '0'],
      ['per_page', 'x'],
      ['sort_column', 'colour'],
      ['sort_order', 'up'],
      ['last_modified_time', 'yesterday'],
      ['filter_by', 'Status.Nope'],
    ]) {
      const answer = await api('GET', '/invoices', { query: { [name!]: value! } });
      assert.equal(answer.status, 400, name);
      assert.deepEqual(answer.body, { code: 2, message: `Invalid value passed for ${name}` });
    }
  });

  it('sorts by last_modified_time both ways with ties by id, and filters "modified at or after"', async () => {
    const ascending = (await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', sort_order: 'A' } })).body.invoices as Array<{
      invoice_id: string;
      last_modified_time: string;
    }>;
    const ids = ascending.slice(10, 14).map((i) => i.invoice_id);
    const at = ascending[10]!.last_modified_time;
    await fx.admin.setModifiedTime('invoices', [...ids].reverse(), at);
    const tied = (await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', sort_order: 'A', last_modified_time: at, per_page: 4 } }))
      .body.invoices as Array<{ invoice_id: string; last_modified_time: string }>;
    assert.deepEqual(tied.map((i) => i.invoice_id), [...ids].sort(), 'the filter includes the instant itself; ties go by id');
    const descending = (await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', sort_order: 'D', per_page: 200 } })).body.invoices as Array<{
      last_modified_time: string;
    }>;
    const times = descending.map((i) => parseZohoTimestamp(i.last_modified_time)!);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));

    // The filter reads any offset: the same instant in UTC selects the same records.
    const utc = new Date(parseZohoTimestamp(at)!).toISOString().replace(/\.000Z$/, '+0000');
    const same = (await api('GET', '/invoices', { query: { sort_column: 'last_modified_time', last_modified_time: utc, per_page: 4 } })).body.invoices as Array<{
      invoice_id: string;
    }>;
    assert.deepEqual(same.map((i) => i.invoice_id), [...ids].sort());
  });

  it('filters contacts by type and status, invoices by customer and status', async () => {
    assert.equal((await api('GET', '/contacts', { query: { contact_type: 'vendor' } })).body.contacts.length, 0);
    const customers = (await api('GET', '/contacts', { query: { contact_type: 'customer', per_page: 200 } })).body.contacts as Array<{ contact_id: string }>;
    assert.equal(customers.length, 200);
    const customer = customers[0]!.contact_id;
    const theirs = (await api('GET', '/invoices', { query: { customer_id: customer } })).body.invoices as Array<{ customer_id: string }>;
    assert.ok(theirs.length >= 1 && theirs.every((i) => i.customer_id === customer));
    const paid = (await api('GET', '/invoices', { query: { status: 'paid', per_page: 200 } })).body.invoices as Array<{ status: string; balance: number }>;
    assert.ok(paid.length > 0 && paid.every((i) => i.status === 'paid' && i.balance === 0));
    const unpaid = (await api('GET', '/invoices', { query: { filter_by: 'Status.Unpaid', per_page: 200 } })).body.invoices as Array<{ status: string }>;
    assert.ok(unpaid.length > 0 && unpaid.every((i) => ['sent', 'overdue', 'partially_paid'].includes(i.status)));
  });
});

describe('Zoho Books sandbox: limits per organization', () => {
  it('the 101st request in a minute gets 429 with code 44; a minute later it goes through', async () => {
    const fx = await startTestSandbox();
    try {
      const api = apiCaller(fx, await accessToken(fx));
      for (let i = 0; i < 100; i++) assert.equal((await api('GET', '/contacts', { query: { per_page: 1 } })).status, 200);
      const refused = await api('GET', '/contacts');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.code, 44);
      assert.match(refused.body.message, /maximum number of requests per minute/);
      fx.clock.advance(60_000);
      assert.equal((await api('GET', '/contacts')).status, 200);
    } finally {
      await fx.close();
    }
  });

  it('the plan’s daily limit gets 429 with code 45, and can be raised', async () => {
    const fx = await startTestSandbox({ settings: { plan: 'free' } });
    try {
      await fx.admin.patchSettings({ dailyLimit: 3 });
      const api = apiCaller(fx, await accessToken(fx));
      for (let i = 0; i < 3; i++) assert.equal((await api('GET', '/organizations', { noOrganization: true })).status, 200);
      const refused = await api('GET', '/organizations', { noOrganization: true });
      assert.equal(refused.status, 429);
      assert.deepEqual(refused.body, { code: 45, message: 'The API call for this organization has exceeded the maximum call rate limit of 3.' });
      await fx.admin.patchSettings({ dailyLimit: 1_000_000_000 });
      assert.equal((await api('GET', '/organizations', { noOrganization: true })).status, 200);
      await fx.admin.patchSettings({ dailyLimit: null });
      const limits = await fx.admin.limits();
      assert.equal(limits.daily.limit, 1_000, 'back to the Free plan’s 1,000');
    } finally {
      await fx.close();
    }
  });

  it('more requests in process than the plan allows get 429 with code 1070', async () => {
    // A clock that really sleeps, so that requests held in process overlap.
    const fx = await startTestSandbox({ clock: new OffsetClock() });
    try {
      await fx.admin.patchSettings({ concurrencyLimit: 2, processingDelayMs: 200 });
      const api = apiCaller(fx, await accessToken(fx));
      const answers = await Promise.all(Array.from({ length: 6 }, () => api('GET', '/contacts', { query: { per_page: 1 } })));
      const refused = answers.filter((a) => a.status === 429);
      assert.ok(refused.length > 0, 'some were refused');
      assert.ok(answers.some((a) => a.status === 200));
      for (const answer of refused) {
        assert.deepEqual(answer.body, { code: 1070, message: 'You have reached the maximum number of in process requests allowed. Kindly try again after some time.' });
      }
    } finally {
      await fx.close();
    }
  });

  it('an injected 429 carries Zoho’s own body, and injected failures use no quota', async () => {
    const fx = await startTestSandbox();
    try {
      const api = apiCaller(fx, await accessToken(fx));
      await fx.admin.setFaults({ rate429: 1 });
      const answer = await api('GET', '/contacts');
      assert.equal(answer.status, 429);
      assert.equal(answer.body.code, 44);
      const limits = await fx.admin.limits();
      assert.equal(limits.minute.used, 0);
    } finally {
      await fx.close();
    }
  });
});

describe('Zoho Books sandbox: accounts server', () => {
  let fx: TestSandbox;
  before(async () => {
    fx = await startTestSandbox();
  });
  after(() => fx.close());

  it('answers token errors as {"error": ...}, and a revoked refresh token as invalid_code', async () => {
    const { accountsUrl, clientId, clientSecret, refreshToken } = fx.connection;
    const ok = await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.refresh_token, undefined, 'no new refresh token on a refresh');
    assert.deepEqual(
      (await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: 'nope' })).body,
      { error: 'invalid_client' },
    );
    assert.deepEqual(
      (await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: '1000.x.y', client_id: clientId, client_secret: clientSecret })).body,
      { error: 'invalid_code' },
    );
    const revoke = await fetch(`${accountsUrl}/oauth/v2/token/revoke?token=${encodeURIComponent(refreshToken)}`, { method: 'POST' });
    assert.equal(revoke.status, 200);
    const after = await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret });
    assert.equal(after.status, 200);
    assert.deepEqual(after.body, { error: 'invalid_code' });
    // The access token it issued is gone too.
    const api = apiCaller(fx, { token: ok.body.access_token, apiDomain: ok.body.api_domain });
    assert.equal((await api('GET', '/contacts')).status, 401);
    await fx.admin.reset();
    assert.equal((await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret })).status, 200);
  });

  it('keeps at most 20 refresh tokens per user: the 21st deletes the oldest', async () => {
    await fx.admin.reset();
    const { accountsUrl, clientId, clientSecret, refreshToken } = fx.connection;
    for (let i = 0; i < 19; i++) await fx.admin.mintRefreshToken(['ZohoBooks.contacts.READ']);
    const still = await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret });
    assert.ok(still.body.access_token, 'twenty tokens: the first one still works');
    await fx.admin.mintRefreshToken(['ZohoBooks.contacts.READ']);
    const gone = await tokenRequest(accountsUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret });
    assert.deepEqual(gone.body, { error: 'invalid_code' });
    await fx.admin.reset();
  });

  it('refuses a consent request for an unknown client or scope with an error page', async () => {
    const bad = await fetch(`${fx.connection.accountsUrl}/oauth/v2/auth?client_id=nope&response_type=code&redirect_uri=http://x.example/cb&scope=ZohoBooks.invoices.READ`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Invalid Client/);
    const scope = await fetch(
      `${fx.connection.accountsUrl}/oauth/v2/auth?client_id=${fx.connection.clientId}&response_type=code&redirect_uri=http://x.example/cb&scope=Everything`,
    );
    assert.equal(scope.status, 400);
    assert.match(await scope.text(), /Invalid OAuth Scope/);
  });
});
