/**
 * Zoho Accounts OAuth and data-centre routing against the sandbox over real
 * HTTP. Client and sandbox share a VirtualClock, so an hour-long token
 * lifetime passes in no real time while both sides agree on the time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StartSandboxOptions } from '../../sandbox/index.ts';
import { drain, rejection } from '../test-outcomes.ts';
import { ZohoBooksClient } from './client.ts';
import { buildAuthorizationUrl, exchangeAuthorizationCode } from './oauth.ts';
import { SYNC_READ_SCOPES } from './scopes.ts';
import { startZohoFixture, type Fixture } from './test-fixture.ts';

const startFixture = (options: StartSandboxOptions = {}) => startZohoFixture({ seed: 11, size: 'medium' }, options);

/** The consent page's form, submitted the way a browser would. */
async function consent(authorizeUrl: string, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, 'the page has a form');
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(match[1]!, match[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
  }
  fields.set('decision', decision);
  const response = await fetch(action.replace(/&amp;/g, '&'), { method: 'POST', body: fields, redirect: 'manual' });
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location')!);
}

describe('Zoho Books OAuth: authorization code and refresh grants', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('authorizes through the consent page, exchanges the code once, and the refresh token then works', async () => {
    const { accountsUrl, clientId, clientSecret, organizationId } = fx.sandbox.systems.zohobooks;
    const redirectUri = 'http://127.0.0.1:9/zoho/callback';
    const url = buildAuthorizationUrl({ accountsUrl, clientId, redirectUri, scopes: SYNC_READ_SCOPES, state: 'st-42' });
    const back = await consent(url, 'approve');
    assert.equal(`${back.origin}${back.pathname}`, redirectUri);
    assert.equal(back.searchParams.get('state'), 'st-42');
    assert.equal(back.searchParams.get('location'), 'us');
    assert.equal(back.searchParams.get('accounts-server'), accountsUrl);
    const code = back.searchParams.get('code')!;

    const grant = await exchangeAuthorizationCode(
      { accountsUrl: back.searchParams.get('accounts-server')!, clientId, clientSecret, code, redirectUri },
      { clock: fx.clock },
    );
    assert.ok(grant.refreshToken, 'access_type=offline gives a refresh token');
    assert.match(grant.apiDomain, /\/zohobooks\/api\/us$/);
    assert.equal(grant.expiresAt, fx.clock.now() + 3_600_000);

    const reused = await rejection(exchangeAuthorizationCode({ accountsUrl, clientId, clientSecret, code, redirectUri }, { clock: fx.clock }));
    assert.equal(reused.kind, 'auth');
    assert.equal(reused.code, 'zohobooks.invalid_authorization_code');

    const client = new ZohoBooksClient({ connection: { accountsUrl, clientId, clientSecret, refreshToken: grant.refreshToken!, organizationId }, clock: fx.clock });
    const organizations = await client.listOrganizations();
    assert.deepEqual(organizations.map((o) => o.organization_id), [organizationId]);
    // The grant carried read scopes only: a write is refused with code 57.
    const invoice = (await drain(client.invoicesModifiedSince()))[0]!;
    const refused = await rejection(client.updateInvoice(invoice.id, { reference_number: 'nope' }));
    assert.equal(refused.code, 'zohobooks.not_authorized');
  });

  it('a code expires after 60 seconds; a denied consent redirects with access_denied', async () => {
    const { accountsUrl, clientId, clientSecret } = fx.sandbox.systems.zohobooks;
    const redirectUri = 'http://127.0.0.1:9/cb';
    const url = buildAuthorizationUrl({ accountsUrl, clientId, redirectUri, scopes: ['ZohoBooks.fullaccess.all'], state: 's' });
    const code = (await consent(url, 'approve')).searchParams.get('code')!;
    fx.clock.advance(61_000);
    const expired = await rejection(exchangeAuthorizationCode({ accountsUrl, clientId, clientSecret, code, redirectUri }, { clock: fx.clock }));
    assert.equal(expired.code, 'zohobooks.invalid_authorization_code');

    const denied = await consent(url, 'deny');
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('code'), null);
  });

  it('the token endpoint takes its parameters in the query string too, and names bad clients', async () => {
    const { accountsUrl, clientId, clientSecret, refreshToken } = fx.sandbox.systems.zohobooks;
    const query = new URLSearchParams({ refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret, grant_type: 'refresh_token' });
    const response = await fetch(`${accountsUrl}/oauth/v2/token?${query}`, { method: 'POST' });
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'api_domain', 'expires_in', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);

    const wrongSecret = 'wrong-secret-value';
    const error = await rejection(
      new ZohoBooksClient({ connection: { ...fx.sandbox.systems.zohobooks, clientSecret: wrongSecret }, clock: fx.clock }).listOrganizations(),
    );
    assert.equal(error.code, 'zohobooks.invalid_client');
    assert.ok(!error.message.includes(wrongSecret) && !JSON.stringify(error.toJSON()).includes(wrongSecret), 'no secret in the error');
  });
});

describe('Zoho Books OAuth: refreshes', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('an access token expiring in the middle of a read is refreshed once, before it is used', async () => {
    const client = fx.client();
    await fx.admin.resetCounters();
    const invoices = await drain(client.invoicesModifiedSince(), (_item, index) => {
      // Past the token's hour, on the shared clock, after the first page.
      if (index === 250) fx.clock.advance(3_601_000);
    });
    assert.equal(new Set(invoices.map((i) => i.id)).size, 500);
    assert.equal(await fx.admin.tokenCalls(), 2, 'the first token and one refresh');
    assert.equal(await fx.admin.calls({ status: 401 }), 0, 'no call went out with the lapsed token');
  });

  it('a token the server expires early is refreshed once after its 401, and the read goes on', async () => {
    const client = fx.client();
    await fx.admin.resetCounters();
    const invoices = await drain(client.invoicesModifiedSince(), async (_item, index) => {
      if (index === 250) await fx.admin.expireAccessTokens();
    });
    assert.equal(new Set(invoices.map((i) => i.id)).size, 500);
    assert.equal(await fx.admin.calls({ status: 401 }), 1);
    assert.equal(await fx.admin.tokenCalls(), 2);
  });

  it('concurrent callers hitting the same expired token share one refresh', async () => {
    const client = fx.client();
    const ids = (await drain(client.invoicesModifiedSince())).slice(0, 8).map((i) => i.id);
    await fx.admin.expireAccessTokens();
    await fx.admin.resetCounters();
    const invoices = await Promise.all(ids.map((id) => client.getInvoice(id)));
    assert.deepEqual(invoices.map((i) => i.invoice_id), ids);
    assert.equal(await fx.admin.tokenCalls(), 1, 'one refresh for eight callers');
    assert.ok((await fx.admin.calls({ status: 401 })) >= 1);

    // A fresh client's first calls, all at once, fetch one token too.
    await fx.admin.resetCounters();
    const fresh = fx.client();
    await Promise.all(ids.map((id) => fresh.getInvoice(id)));
    assert.equal(await fx.admin.tokenCalls(), 1);
  });

  it('a revoked refresh token is an auth error that says to re-authorize, and carries no secret', async () => {
    const refreshToken = await fx.admin.mintRefreshToken(['ZohoBooks.fullaccess.all']);
    const connection = { ...fx.sandbox.systems.zohobooks, refreshToken };
    const warm = new ZohoBooksClient({ connection, clock: fx.clock });
    const id = (await warm.listOrganizations())[0]!.organization_id;
    assert.ok(id);
    assert.equal(await fx.admin.revoke(refreshToken), true);

    // Revoking ends its access tokens too: the warm client gets a 401, refreshes, and is refused.
    const warmError = await rejection(warm.listOrganizations());
    const coldError = await rejection(new ZohoBooksClient({ connection, clock: fx.clock }).listOrganizations());
    for (const error of [warmError, coldError]) {
      assert.equal(error.kind, 'auth');
      assert.equal(error.code, 'zohobooks.refresh_token_revoked');
      assert.match(error.message, /re-authorize/i);
      const serialized = JSON.stringify(error.toJSON());
      for (const secret of [refreshToken, connection.clientSecret]) {
        assert.ok(!error.message.includes(secret) && !serialized.includes(secret), 'no secret in the error');
      }
    }
  });
});

describe('Zoho Books data centres: calls go where api_domain says', () => {
  it('an organization in the EU is read through the EU API host only', async () => {
    const fx = await startFixture({ zohobooksDataCentre: 'eu', size: 'small' });
    try {
      const client = fx.client();
      const organizations = await client.listOrganizations();
      assert.equal(organizations.length, 1);
      const invoices = await drain(client.invoicesModifiedSince());
      assert.equal(invoices.length, 50);
      assert.match(client.credentials.apiDomain ?? '', /\/zohobooks\/api\/eu$/);
      assert.ok((await fx.admin.calls({ dataCentre: 'eu', status: 200 })) >= 2);
      assert.equal(await fx.admin.calls({ dataCentre: 'us' }), 0, 'nothing went to the US host');

      // A token works only in its own data centre.
      const token = (await client.credentials.token()).accessToken;
      const usHost = `${fx.sandbox.url}/zohobooks/api/us/books/v3/organizations`;
      const wrongRegion = await fetch(usHost, { headers: { Authorization: `Zoho-oauthtoken ${token}` } });
      assert.equal(wrongRegion.status, 401);
      assert.deepEqual(await wrongRegion.json(), { code: 57, message: 'You are not authorized to perform this operation' });
    } finally {
      await fx.sandbox.close();
    }
  });

  it('moving the organization (admin) moves api_domain at the next refresh', async () => {
    const fx = await startFixture({ size: 'small' });
    try {
      const client = fx.client();
      await client.listOrganizations();
      assert.equal(await fx.admin.calls({ dataCentre: 'us' }), 1);
      await fx.admin.patchSettings({ dataCentre: 'au' });
      fx.clock.advance(3_601_000);
      await client.listOrganizations();
      assert.match(client.credentials.apiDomain ?? '', /\/api\/au$/);
      assert.equal(await fx.admin.calls({ dataCentre: 'au', status: 200 }), 1);
    } finally {
      await fx.sandbox.close();
    }
  });
});
