/**
 * Acumatica's identity server and the credential against the sandbox over
 * real HTTP: every grant, expiry mid-read, refresh-token rotation shared by
 * concurrent clients of one connection, a revoked refresh token, and the
 * cookie login. Client and sandbox share a VirtualClock, so an hour-long
 * token passes in no real time while both sides agree on the time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { AcumaticaAdmin } from '../../sandbox/acumatica/admin-client.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { drain, rejection } from '../test-outcomes.ts';
import { AcumaticaClient, type AcumaticaClientOptions } from './client.ts';
import type { AcumaticaConnectionInput } from './connection.ts';
import { AcumaticaCredentialRegistry, buildAuthorizationUrl, exchangeAuthorizationCode, passwordGrant, pkcePair, type AcumaticaOAuthCredentials } from './oauth.ts';

interface Fixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  admin: AcumaticaAdmin;
  registry: AcumaticaCredentialRegistry;
  client(options?: Partial<AcumaticaClientOptions>): AcumaticaClient;
}

async function startFixture(): Promise<Fixture> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ port: 0, seed: 21, size: 'medium', clock });
  const registry = new AcumaticaCredentialRegistry();
  return {
    sandbox,
    clock,
    admin: new AcumaticaAdmin(`${sandbox.adminUrl}/acumatica`),
    registry,
    client: (extra = {}) => new AcumaticaClient({ connection: sandbox.systems.acumatica, clock, credentialRegistry: registry, ...extra }),
  };
}

/** A raw token request, as any client would send it. */
async function tokenCall(baseUrl: string, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/identity/connect/token`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The sign-in and consent page's form, submitted the way a browser would. */
async function consent(authorizeUrl: string, fields: Record<string, string>): Promise<URL> {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, 'the page has a form');
  const body = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    body.set(match[1]!, match[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
  }
  for (const [key, value] of Object.entries(fields)) body.set(key, value);
  const response = await fetch(action.replace(/&amp;/g, '&'), { method: 'POST', body, redirect: 'manual' });
  assert.equal(response.status, 302, 'the consent redirects back');
  return new URL(response.headers.get('location')!);
}

/** A refresh-token connection, as the UI's connect flow stores it. */
async function connectWithCode(fx: Fixture): Promise<AcumaticaConnectionInput> {
  const { baseUrl, clientId, clientSecret, username, password, endpointName, endpointVersion } = fx.sandbox.systems.acumatica;
  const redirectUri = 'http://127.0.0.1:9/acumatica/callback';
  const { verifier, challenge } = pkcePair('a-verifier-of-enough-length-for-pkce-0123456789');
  const back = await consent(buildAuthorizationUrl({ baseUrl, clientId, redirectUri, state: 's1', codeChallenge: challenge }), { username, password, decision: 'approve' });
  const grant = await exchangeAuthorizationCode({ baseUrl, clientId, clientSecret, code: back.searchParams.get('code')!, redirectUri, codeVerifier: verifier }, { clock: fx.clock });
  assert.ok(grant.refreshToken);
  return { baseUrl, endpointName, endpointVersion, clientId, clientSecret, refreshToken: grant.refreshToken };
}

describe('Acumatica OAuth: grants', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('resource-owner password grant: an hour-long token with a refresh token, and the API answers', async () => {
    const { baseUrl, clientId, clientSecret, username, password } = fx.sandbox.systems.acumatica;
    const grant = await passwordGrant({ baseUrl, clientId, clientSecret, username, password }, { clock: fx.clock });
    assert.equal(grant.expiresAt - fx.clock.now(), 3_600_000);
    assert.ok(grant.refreshToken, 'offline_access gives a refresh token');
    assert.equal(grant.scope, 'api offline_access');
    const customers = await drain(fx.client().customersModifiedSince());
    assert.equal(customers.length, 200);
  });

  it('authorization code through the sign-in and consent page, with PKCE; the code works once', async () => {
    const { baseUrl, clientId, clientSecret, username, password } = fx.sandbox.systems.acumatica;
    const redirectUri = 'http://127.0.0.1:9/acumatica/callback';
    const { verifier, challenge } = pkcePair('another-verifier-of-enough-length-0123456789abc');
    const url = buildAuthorizationUrl({ baseUrl, clientId, redirectUri, state: 'xyz', codeChallenge: challenge });

    const denied = await consent(url, { username, password, decision: 'deny' });
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('state'), 'xyz');

    const back = await consent(url, { username, password, decision: 'approve' });
    assert.equal(back.origin + back.pathname, redirectUri);
    assert.equal(back.searchParams.get('state'), 'xyz');
    const code = back.searchParams.get('code')!;
    const wrongVerifier = await rejection(exchangeAuthorizationCode({ baseUrl, clientId, clientSecret, code, redirectUri, codeVerifier: 'wrong' }, { clock: fx.clock }));
    assert.equal(wrongVerifier.code, 'acumatica.invalid_authorization_code');

    const again = await consent(url, { username, password, decision: 'approve' });
    const grant = await exchangeAuthorizationCode(
      { baseUrl, clientId, clientSecret, code: again.searchParams.get('code')!, redirectUri, codeVerifier: verifier },
      { clock: fx.clock },
    );
    assert.ok(grant.accessToken && grant.refreshToken);
    const reused = await rejection(
      exchangeAuthorizationCode({ baseUrl, clientId, clientSecret, code: again.searchParams.get('code')!, redirectUri, codeVerifier: verifier }, { clock: fx.clock }),
    );
    assert.equal(reused.kind, 'auth');
    assert.match(reused.message, /single-use/);
  });

  it('a wrong password re-renders the page instead of redirecting; bad client or grant are named', async () => {
    const { baseUrl, clientId, clientSecret, username, password } = fx.sandbox.systems.acumatica;
    const url = buildAuthorizationUrl({ baseUrl, clientId, redirectUri: 'http://127.0.0.1:9/cb', state: 'x' });
    const page = await fetch(url);
    const action = /action="([^"]+)"/.exec(await page.text())![1]!.replace(/&amp;/g, '&');
    const form = new URLSearchParams({ ...Object.fromEntries(new URL(url).searchParams), username, password: 'wrong', decision: 'approve' });
    const wrong = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(wrong.status, 200);
    assert.match(await wrong.text(), /not valid/);

    const badClient = await rejection(passwordGrant({ baseUrl, clientId: `${clientId.split('@')[0]}@OtherTenant`, clientSecret, username, password }));
    assert.equal(badClient.code, 'acumatica.invalid_client');
    assert.match(badClient.message, /@<Tenant>/);
    const badPassword = await rejection(passwordGrant({ baseUrl, clientId, clientSecret, username, password: 'nope' }));
    assert.equal(badPassword.code, 'acumatica.invalid_credentials');
    for (const error of [badClient, badPassword]) {
      assert.ok(!error.message.includes(clientSecret) && !error.message.includes(password), 'no secret in messages');
      assert.ok(!JSON.stringify(error.toJSON()).includes(clientSecret));
    }
    const unsupported = await tokenCall(baseUrl, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    assert.deepEqual([unsupported.status, unsupported.body.error], [400, 'unsupported_grant_type']);
  });
});

describe('Acumatica OAuth: refresh and rotation', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('each refresh answers with a new refresh token; the old one stops working', async () => {
    const { baseUrl, clientId, clientSecret } = fx.sandbox.systems.acumatica;
    const connection = await connectWithCode(fx);
    const first = await tokenCall(baseUrl, { grant_type: 'refresh_token', refresh_token: connection.refreshToken!, client_id: clientId, client_secret: clientSecret });
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, connection.refreshToken);
    const replay = await tokenCall(baseUrl, { grant_type: 'refresh_token', refresh_token: connection.refreshToken!, client_id: clientId, client_secret: clientSecret });
    assert.deepEqual([replay.status, replay.body.error], [400, 'invalid_grant']);
    const next = await tokenCall(baseUrl, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), client_id: clientId, client_secret: clientSecret });
    assert.equal(next.status, 200);
  });

  it('an access token expiring mid-read costs exactly one refresh, and the read goes on', async () => {
    const client = fx.client({ pageSize: 50 });
    await (client.credentials as AcumaticaOAuthCredentials).token();
    const grants = (await fx.admin.tokens()).grants;
    const read = await drain(client.invoicesModifiedSince(), (_item, index) => {
      // An hour passes on the shared clock in the middle of the read.
      if (index === 120) fx.clock.advance(3_600_000);
    });
    assert.equal(new Set(read.map((r) => r.id)).size, 500);
    const now = (await fx.admin.tokens()).grants;
    assert.equal(now.refresh + now.password - (grants.refresh + grants.password), 1, 'one token request for the expired token');

    // Server-side expiry (the instance ended the session): the 401 leads to one refresh too.
    const before401 = (await fx.admin.tokens()).grants;
    const again = await drain(client.contactsModifiedSince(), async (_item, index) => {
      if (index === 10) await fx.admin.expireAccessTokens();
    });
    assert.equal(again.length, 400);
    const after401 = (await fx.admin.tokens()).grants;
    assert.equal(after401.refresh - before401.refresh, 1);
    assert.ok((await fx.admin.calls({ status: 401 })) >= 1, 'the sandbox answered 401 once');
  });

  it('two concurrent clients of one connection spend the refresh token once and keep the rotated one', async () => {
    const connection = await connectWithCode(fx);
    const stored = { refreshToken: connection.refreshToken! };
    const rotations: string[] = [];
    const onRotate = ({ refreshToken }: { refreshToken: string }) => {
      rotations.push(refreshToken);
      stored.refreshToken = refreshToken;
    };
    const registry = new AcumaticaCredentialRegistry();
    const make = () => new AcumaticaClient({ connection, clock: fx.clock, credentialRegistry: registry, onRotate, pageSize: 100 });
    const a = make();
    const b = make();
    assert.equal(a.credentials, b.credentials, 'one credential per connection');

    const before = (await fx.admin.tokens()).grants.refresh;
    const [ra, rb] = await Promise.all([drain(a.customersModifiedSince()), drain(b.invoicesModifiedSince())]);
    assert.equal(ra.length, 200);
    assert.equal(rb.length, 500);
    assert.equal((await fx.admin.tokens()).grants.refresh - before, 1, 'one refresh for both jobs');
    assert.equal(rotations.length, 1);

    // Both tokens expire; both jobs hit it at once: still one refresh, and the newest token is kept.
    await fx.admin.expireAccessTokens();
    const spent = stored.refreshToken;
    const mid = (await fx.admin.tokens()).grants.refresh;
    await Promise.all([drain(a.contactsModifiedSince()), drain(b.paymentsModifiedSince())]);
    assert.equal((await fx.admin.tokens()).grants.refresh - mid, 1);
    assert.equal(rotations.length, 2);
    assert.notEqual(stored.refreshToken, spent);
    assert.equal((a.credentials as AcumaticaOAuthCredentials).refreshToken, stored.refreshToken);

    // A client built later from the stored config finds the same credential.
    const c = new AcumaticaClient({ connection: { ...connection, refreshToken: stored.refreshToken }, clock: fx.clock, credentialRegistry: registry });
    assert.equal(c.credentials, a.credentials);

    // The spent token is refused; the kept one refreshes.
    const { baseUrl, clientId, clientSecret } = fx.sandbox.systems.acumatica;
    const old = await tokenCall(baseUrl, { grant_type: 'refresh_token', refresh_token: spent, client_id: clientId, client_secret: clientSecret });
    assert.equal(old.body.error, 'invalid_grant');
    const kept = await tokenCall(baseUrl, { grant_type: 'refresh_token', refresh_token: stored.refreshToken, client_id: clientId, client_secret: clientSecret });
    assert.equal(kept.status, 200);
  });

  it('a revoked refresh token is an auth error that says to re-authorize; a password connection signs in again', async () => {
    const connection = await connectWithCode(fx);
    const client = new AcumaticaClient({ connection, clock: fx.clock, credentialRegistry: new AcumaticaCredentialRegistry() });
    await client.getCustomer('C0000001');
    const credential = client.credentials as AcumaticaOAuthCredentials;
    assert.ok(await fx.admin.revokeRefreshToken(credential.refreshToken!));
    const error = await rejection(client.getCustomer('C0000002'));
    assert.equal(error.kind, 'auth');
    assert.equal(error.code, 'acumatica.refresh_token_revoked');
    assert.match(error.message, /Re-authorize/);
    assert.ok(!error.message.includes(connection.refreshToken!));

    const passwordClient = fx.client({ credentialRegistry: new AcumaticaCredentialRegistry() });
    await passwordClient.getCustomer('C0000001');
    const passwordCredential = passwordClient.credentials as AcumaticaOAuthCredentials;
    await fx.admin.revokeRefreshToken(passwordCredential.refreshToken!);
    const customer = await passwordClient.getCustomer('C0000003');
    assert.equal(customer.CustomerID, 'C0000003');
    assert.equal(passwordCredential.stats.passwordGrants, 2, 'signed in again with the password');
  });
});

describe('Acumatica cookie login', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('logs in, reads with the session cookie, logs in again when the session ends, and logs out', async () => {
    const { baseUrl, endpointName, endpointVersion, clientId, username, password } = fx.sandbox.systems.acumatica;
    const client = new AcumaticaClient({ connection: { baseUrl, endpointName, endpointVersion, clientId, username, password, auth: 'cookie' }, clock: fx.clock, pageSize: 100 });
    const contacts = await drain(client.contactsModifiedSince());
    assert.equal(contacts.length, 400);
    assert.equal((await fx.admin.sessions()).open, 1);

    await fetch(`${fx.sandbox.adminUrl}/acumatica/sessions`, { method: 'DELETE' });
    const customer = await client.getCustomer('C0000004');
    assert.equal(customer.CustomerID, 'C0000004');
    assert.equal((await fx.admin.sessions()).logins, 2, 'one new login after the 401');

    await client.logout();
    assert.equal((await fx.admin.sessions()).open, 0);
  });

  it('a wrong password is an auth error without the password in it; the licence limits open sessions', async () => {
    const { baseUrl, endpointName, endpointVersion, username, password } = fx.sandbox.systems.acumatica;
    const wrong = new AcumaticaClient({ connection: { baseUrl, endpointName, endpointVersion, username, password: 'wrong-password', tenant: 'SandboxCompany', auth: 'cookie' }, clock: fx.clock });
    const error = await rejection(wrong.getCustomer('C0000001'));
    assert.equal(error.kind, 'auth');
    assert.ok(!error.message.includes('wrong-password'));

    await fx.admin.patchSettings({ maxSessions: 1 });
    const first = new AcumaticaClient({ connection: { baseUrl, endpointName, endpointVersion, username, password, tenant: 'SandboxCompany', auth: 'cookie' }, clock: fx.clock });
    await first.getCustomer('C0000001');
    const second = new AcumaticaClient({ connection: { baseUrl, endpointName, endpointVersion, username, password, tenant: 'SandboxCompany', auth: 'cookie' }, clock: fx.clock });
    const limited = await rejection(second.credentials.authorize());
    assert.equal(limited.code, 'acumatica.api_login_limit');
    await first.logout();
    await second.getCustomer('C0000001');
    await second.logout();
  });
});
