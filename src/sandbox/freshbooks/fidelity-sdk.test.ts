/**
 * Sandbox fidelity: FreshBooks' own Node SDK (`@freshbooks/api`, reference
 * §9) against the sandbox over real HTTP. The SDK is pointed at it the way
 * its guide says: `apiUrl` for every call (the token endpoint included) and
 * `FRESHBOOKS_AUTH_URL` for the authorization page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sdkModule from '@freshbooks/api';
import builders from '@freshbooks/api/dist/models/builders/index.js';
import { parseEasternTimestamp } from '../../systems/freshbooks/timestamps.ts';
import { formFields } from '../../systems/freshbooks/webhook-signature.ts';
import { consent, startReceiver, startTestSandbox, type Receiver, type TestSandbox } from './test-helpers.ts';

// The SDK is CommonJS: its classes are properties of module.exports.
const FreshBooksSdk = sdkModule.Client;
type FreshBooksSdk = InstanceType<typeof FreshBooksSdk>;
const { IncludesQueryBuilder, PaginationQueryBuilder, SearchQueryBuilder, SortQueryBuilder } = builders;

const REDIRECT = 'https://app.example.com/oauth/freshbooks';

/** The SDK reads the authorization host from the environment when it is built. */
function sdkFor(fx: TestSandbox, options: { accessToken?: string; refreshToken?: string } = {}): FreshBooksSdk {
  const saved = process.env.FRESHBOOKS_AUTH_URL;
  process.env.FRESHBOOKS_AUTH_URL = fx.connection.authUrl;
  try {
    return new FreshBooksSdk(fx.connection.clientId, {
      clientSecret: fx.connection.clientSecret,
      redirectUri: REDIRECT,
      apiUrl: fx.connection.baseUrl,
      // A failed test should fail, not wait through ten retries.
      retryOptions: { retries: 0 },
      ...options,
    });
  } finally {
    if (saved === undefined) delete process.env.FRESHBOOKS_AUTH_URL;
    else process.env.FRESHBOOKS_AUTH_URL = saved;
  }
}

async function failure(promise: Promise<unknown>): Promise<{ statusCode: string; message: string; name: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode: string; message: string; name: string };
  }
  assert.fail('expected the SDK call to fail');
}

describe('sandbox fidelity: @freshbooks/api', () => {
  let fx: TestSandbox;
  let sdk: FreshBooksSdk;
  let receiver: Receiver;
  let accountId: string;

  before(async () => {
    fx = await startTestSandbox({ size: 'medium' });
    await fx.admin.patchSettings({ redirectUris: [REDIRECT] });
    receiver = await startReceiver();
    accountId = fx.connection.accountId;
  });
  after(async () => {
    await fx.close();
    await receiver.close();
  });

  it('connects: getAuthRequestUrl → the authorization page → getAccessToken(code); users.me', async () => {
    const connecting = sdkFor(fx);
    const url = connecting.getAuthRequestUrl(['user:profile:read', 'user:clients:read', 'user:clients:write', 'user:invoices:read', 'user:invoices:write', 'user:payments:read', 'user:payments:write']);
    assert.ok(url.startsWith(`${fx.connection.authUrl}/oauth/authorize?client_id=`));
    const back = await consent(url);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    const tokens = await connecting.getAccessToken(back.searchParams.get('code')!);
    assert.ok(tokens?.accessToken && tokens.refreshToken);
    assert.equal(tokens.accessTokenExpiresAt.getTime(), Math.floor(fx.clock.now() / 1000) * 1000 + 43_200_000, 'created_at (seconds) + expires_in');
    sdk = sdkFor(fx, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });

    const { data: me } = await sdk.users.me();
    assert.ok(me);
    const business = me.businessMemberships!.find((m) => m.business.accountId === accountId)!.business;
    assert.equal((business as unknown as { name: string }).name, 'Sandbox Studio Inc.');
    assert.equal(me.businessMemberships!.length, 2);
  });

  it('lists clients with paging, search and sort builders', async () => {
    const { data } = await sdk.clients.list(accountId, [new PaginationQueryBuilder().page(2).perPage(25), new SortQueryBuilder().asc('updated')]);
    assert.deepEqual(data!.pages, { page: 2, pages: 8, size: 25, total: 200 });
    assert.equal(data!.clients.length, 25);
    const updated = data!.clients.map((c) => (c.updated as Date).getTime());
    assert.ok(updated.every((t, i) => i === 0 || t >= updated[i - 1]!));
    const target = data!.clients.find((c) => c.organization)!;
    const { data: found } = await sdk.clients.list(accountId, [new SearchQueryBuilder().like('organization_like', target.organization!.slice(0, 8))]);
    assert.ok(found!.clients.some((c) => c.id === target.id));
    const { data: since } = await sdk.clients.list(accountId, [new SearchQueryBuilder().between('updated', { min: '2020-01-01' }), new PaginationQueryBuilder().perPage(1)]);
    assert.equal(since!.pages.total, 200);
  });

  it('reads invoices with their lines and Eastern `updated` as the SDK converts it', async () => {
    const { data } = await sdk.invoices.list(accountId, [new IncludesQueryBuilder().includes('lines'), new PaginationQueryBuilder().perPage(100)]);
    assert.equal(data!.invoices.length, 100);
    const invoice = data!.invoices[0]!;
    assert.ok(invoice.lines!.length >= 1);
    const line = invoice.lines![0]!;
    assert.equal(typeof line.name, 'string');
    assert.match((line.unitCost as unknown as { amount: string }).amount, /^\d+\.\d{2}$/);
    // The SDK reads `updated` in America/New_York; the sandbox writes it so.
    const raw = await fetch(`${fx.connection.baseUrl}/accounting/account/${accountId}/invoices/invoices/${invoice.id}`, { headers: { authorization: `Bearer ${sdk.accessToken}` } });
    const wire = ((await raw.json()) as { response: { result: { invoice: { updated: string } } } }).response.result.invoice.updated;
    assert.equal((invoice.updated as Date).getTime(), parseEasternTimestamp(wire));
    const { data: single } = await sdk.invoices.single(accountId, String(invoice.id), [new IncludesQueryBuilder().includes('lines')]);
    assert.deepEqual(single!.lines, invoice.lines);
  });

  it('creates a client, an invoice with lines and a payment; updates and deletes with vis_state', async () => {
    const { data: client } = await sdk.clients.create({ fName: 'Grace', lName: 'Hopper', email: 'grace@navy.example', organization: 'Navy Labs' }, accountId);
    assert.equal(client!.organization, 'Navy Labs');
    const { data: invoice } = await sdk.invoices.create(
      {
        customerId: client!.id,
        createDate: new Date(2026, 2, 2),
        lines: [{ name: 'Compiler', qty: 2, unitCost: { amount: 150, code: 'USD' } }],
      } as never,
      accountId,
      [new IncludesQueryBuilder().includes('lines')],
    );
    assert.deepEqual(invoice!.amount, { amount: '300.00', code: 'USD' });
    assert.equal(invoice!.lines!.length, 1);
    const { data: payment } = await sdk.payments.create(accountId, { invoiceId: invoice!.id, amount: { amount: 120, code: 'USD' }, date: new Date(2026, 2, 2), type: 'Check' } as never);
    assert.deepEqual(payment!.amount, { amount: '120.00', code: 'USD' });
    const { data: after } = await sdk.invoices.single(accountId, String(invoice!.id));
    assert.deepEqual([after!.outstanding, after!.paymentStatus], [{ amount: '180.00', code: 'USD' }, 'partial']);

    const { data: renamed } = await sdk.clients.update({ organization: 'Navy Research Labs' }, accountId, String(client!.id));
    assert.equal(renamed!.organization, 'Navy Research Labs');
    const { data: deleted } = await sdk.clients.delete(accountId, String(client!.id));
    assert.equal(deleted!.visState, 1);
    const { data: payments } = await sdk.payments.list(accountId, [new SearchQueryBuilder().equals('invoiceid', String(invoice!.id))]);
    assert.deepEqual(payments!.payments.map((p) => p.id), [payment!.id]);
  });

  it('registers, verifies, lists and deletes a webhook callback', async () => {
    const { data: callback } = await sdk.callbacks.create({ event: 'invoice.create', uri: receiver.url } as never, accountId);
    assert.equal(callback!.verified, false);
    await fx.admin.deliveries();
    const verifier = Object.fromEntries(formFields(receiver.received.at(-1)!.body)).verifier!;
    const { data: verified } = await sdk.callbacks.verify(accountId, String(callback!.callbackId), verifier);
    assert.equal(verified!.verified, true);
    const { data: listed } = await sdk.callbacks.list(accountId);
    assert.ok(listed!.callbacks.some((c) => c.callbackId === callback!.callbackId && c.verified));
    await sdk.callbacks.resendVerification(accountId, String(callback!.callbackId));
    await sdk.callbacks.delete(accountId, String(callback!.callbackId));
    const gone = await failure(sdk.callbacks.single(accountId, String(callback!.callbackId)));
    assert.equal(gone.statusCode, '404');
  });

  it('reads both error styles into its APIClientError', async () => {
    const missing = await failure(sdk.clients.single(accountId, '1'));
    assert.deepEqual([missing.name, missing.statusCode, missing.message], ['Get Client', '404', 'Client not found.']);
    await fx.admin.patchSettings({ errorStyle: 'legacy' });
    const legacy = await failure(sdk.clients.single(accountId, '1'));
    assert.deepEqual([legacy.statusCode, legacy.message], ['404', 'Client not found.']);
    await fx.admin.patchSettings({ errorStyle: 'rpc' });
    const invalid = await failure(sdk.clients.create({ note: 'nobody' }, accountId));
    assert.equal(invalid.statusCode, '422');
  });

  it('refreshes: a new refresh token each time, the spent one refused', async () => {
    const spent = sdk.refreshToken!;
    const refreshed = await sdk.refreshAccessToken();
    assert.ok(refreshed?.refreshToken && refreshed.refreshToken !== spent);
    const { data: me } = await sdk.users.me();
    assert.ok(me!.id);
    const stale = sdkFor(fx);
    const refused = await failure(stale.refreshAccessToken(spent));
    assert.equal(refused.statusCode, '400');
  });
});
