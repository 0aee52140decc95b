/**
 * The FreshBooks sandbox's authorization server over real HTTP (reference
 * §2): the authorization page and its consent form, the code exchange, the
 * single-use rotating refresh tokens, 12-hour access tokens on the sandbox
 * clock, and the refusals a wrong redirect URI, secret, code or grant get.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiCaller, consent, startTestSandbox, tokenRequest, type TestSandbox } from './test-helpers.ts';

const REDIRECT = 'http://127.0.0.1:9/freshbooks/callback';

function authorizeUrl(fx: TestSandbox, params: Record<string, string> = {}): string {
  const url = new URL(`${fx.connection.authUrl}/oauth/authorize`);
  url.searchParams.set('client_id', fx.connection.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', REDIRECT);
  url.searchParams.set('state', 'opaque-state');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

describe('FreshBooks sandbox: authorization-code grant', () => {
  let fx: TestSandbox;
  before(async () => {
    fx = await startTestSandbox();
  });
  after(() => fx.close());

  it('authorize page → consent → code → tokens: 12-hour access token, refresh token, scopes, created_at in seconds', async () => {
    const back = await consent(authorizeUrl(fx, { scope: 'user:profile:read user:clients:read' }));
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    assert.equal(back.searchParams.get('state'), 'opaque-state');
    const code = back.searchParams.get('code')!;
    assert.match(code, /^[0-9a-f]{64}$/);

    const { clientId, clientSecret, baseUrl } = fx.connection;
    const grant = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code, redirect_uri: REDIRECT });
    assert.equal(grant.status, 200);
    assert.equal(grant.body.token_type, 'Bearer');
    assert.equal(grant.body.expires_in, 43_200);
    assert.equal(grant.body.scope, 'user:profile:read user:clients:read');
    assert.equal(grant.body.created_at, Math.floor(fx.clock.now() / 1000));
    assert.ok(grant.body.access_token && grant.body.refresh_token);

    const api = apiCaller(fx, grant.body.access_token);
    const me = await api('GET', '/auth/api/v1/users/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.response.business_memberships[0].business.account_id, fx.connection.accountId);
    // The token carries only the scopes asked for.
    const invoices = await api('GET', `/accounting/account/${fx.connection.accountId}/invoices/invoices`);
    assert.equal(invoices.status, 403);
    assert.match(JSON.stringify(invoices.body), /user:invoices:read/);

    // A code works once.
    const again = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code, redirect_uri: REDIRECT });
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
  });

  it('refresh tokens are single-use: each refresh rotates it and the old one is refused', async () => {
    const { clientId, clientSecret, baseUrl } = fx.connection;
    const back = await consent(authorizeUrl(fx));
    const first = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code: back.searchParams.get('code')!, redirect_uri: REDIRECT }, 'form');
    assert.equal(first.status, 200, 'a form body works as well as JSON');
    const refreshed = await tokenRequest(baseUrl, { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: first.body.refresh_token, redirect_uri: REDIRECT });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refresh_token, first.body.refresh_token);
    assert.equal(refreshed.body.scope.split(' ').length, 8, 'no scope asked: every scope of the app');
    const replay = await tokenRequest(baseUrl, { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: first.body.refresh_token });
    assert.deepEqual([replay.status, replay.body.error], [400, 'invalid_grant']);
    assert.match(replay.body.error_description, /invalid, expired, revoked/);
    const next = await tokenRequest(baseUrl, { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshed.body.refresh_token });
    assert.equal(next.status, 200);
    const state = await fx.admin.tokens();
    assert.ok(state.grants.refresh >= 2 && state.grants.authorizationCode >= 1 && state.grants.refused >= 1);
  });

  it('access tokens expire after 12 hours on the sandbox clock; an expired or unknown token gets 401', async () => {
    const { clientId, clientSecret, baseUrl, accountId } = fx.connection;
    const back = await consent(authorizeUrl(fx));
    const grant = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
    const api = apiCaller(fx, grant.body.access_token);
    assert.equal((await api('GET', `/accounting/account/${accountId}/users/clients`)).status, 200);
    fx.clock.advance(43_200_000);
    const expired = await api('GET', `/accounting/account/${accountId}/users/clients`);
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, { error: 'unauthenticated', error_description: 'The access token expired' });
    assert.match(expired.headers.get('www-authenticate') ?? '', /invalid_token/);
    const unknown = await api('GET', '/auth/api/v1/users/me', { authorization: 'Bearer nope' });
    assert.equal(unknown.status, 401);
    const missing = await api('GET', '/auth/api/v1/users/me', { authorization: null });
    assert.equal(missing.status, 401);
  });

  it('a wrong redirect URI, secret or code, an expired code and an unknown grant get the OAuth errors', async () => {
    const { clientId, clientSecret, baseUrl } = fx.connection;
    const code = (await consent(authorizeUrl(fx))).searchParams.get('code')!;
    const wrongRedirect = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code, redirect_uri: 'http://127.0.0.1:9/other' });
    assert.deepEqual([wrongRedirect.status, wrongRedirect.body.error], [400, 'invalid_grant']);
    assert.match(wrongRedirect.body.error_description, /redirection URI/);

    const code2 = (await consent(authorizeUrl(fx))).searchParams.get('code')!;
    const wrongSecret = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: 'wrong', code: code2, redirect_uri: REDIRECT });
    assert.deepEqual([wrongSecret.status, wrongSecret.body.error], [401, 'invalid_client']);
    const basic = await fetch(`${baseUrl}/auth/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT }),
    });
    assert.equal(basic.status, 200, 'HTTP Basic client authentication works, and a refused secret did not spend the code');

    const wrongCode = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code: 'f'.repeat(64), redirect_uri: REDIRECT });
    assert.deepEqual([wrongCode.status, wrongCode.body.error], [400, 'invalid_grant']);

    const late = (await consent(authorizeUrl(fx))).searchParams.get('code')!;
    fx.clock.advance(5 * 60_000);
    const expired = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code: late, redirect_uri: REDIRECT });
    assert.equal(expired.body.error, 'invalid_grant', 'codes last 5 minutes');

    const unsupported = await tokenRequest(baseUrl, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    assert.deepEqual([unsupported.status, unsupported.body.error], [400, 'unsupported_grant_type']);
    const noCode = await tokenRequest(baseUrl, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret });
    assert.deepEqual([noCode.status, noCode.body.error], [400, 'invalid_request']);
    for (const body of [wrongRedirect.body, wrongSecret.body, wrongCode.body]) assert.ok(!JSON.stringify(body).includes(clientSecret));
  });

  it('the page refuses unknown clients and redirect URIs with a query string; a denial or a bad scope goes back as an error', async () => {
    const unknownClient = await fetch(authorizeUrl(fx, { client_id: 'nobody' }));
    assert.equal(unknownClient.status, 400);
    assert.match(await unknownClient.text(), /Unknown client/);
    const withQuery = await fetch(authorizeUrl(fx, { redirect_uri: `${REDIRECT}?next=1` }));
    assert.equal(withQuery.status, 400);
    assert.match(await withQuery.text(), /query string/);

    const denied = await consent(authorizeUrl(fx), 'deny');
    assert.deepEqual([denied.searchParams.get('error'), denied.searchParams.get('state')], ['access_denied', 'opaque-state']);
    const badScope = await fetch(authorizeUrl(fx, { scope: 'user:everything:write' }), { redirect: 'manual' });
    assert.equal(badScope.status, 302);
    assert.equal(new URL(badScope.headers.get('location')!).searchParams.get('error'), 'invalid_scope');

    // With redirect URIs registered on the app, only those are taken.
    await fx.admin.patchSettings({ redirectUris: ['https://app.example.com/oauth/freshbooks'] });
    const unregistered = await fetch(authorizeUrl(fx));
    assert.equal(unregistered.status, 400);
    assert.match(await unregistered.text(), /registered/);
    await fx.admin.patchSettings({ redirectUris: [] });
  });

  it('admin: mint, revoke and expire tokens; token requests are counted', async () => {
    const { clientId, clientSecret, baseUrl } = fx.connection;
    await fx.admin.resetCounters();
    const minted = await fx.admin.mintRefreshToken(['user:profile:read']);
    const grant = await tokenRequest(baseUrl, { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: minted });
    assert.equal(grant.body.scope, 'user:profile:read');
    assert.equal(await fx.admin.tokenCalls(), 1);
    const api = apiCaller(fx, grant.body.access_token);
    assert.equal((await api('GET', '/auth/api/v1/users/me')).status, 200);
    assert.ok((await fx.admin.expireAccessTokens()) >= 1);
    assert.equal((await api('GET', '/auth/api/v1/users/me')).status, 401);
    assert.equal(await fx.admin.revoke(grant.body.refresh_token), true);
    const revoked = await tokenRequest(baseUrl, { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: grant.body.refresh_token });
    assert.equal(revoked.body.error, 'invalid_grant');
  });
});
