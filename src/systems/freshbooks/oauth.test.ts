/**
 * FreshBooks OAuth through the client against the sandbox over real HTTP:
 * the connect flow (authorize URL → the sandbox's offline authorization
 * page → code → tokens), a 401 in the middle of a read (one refresh, the
 * read goes on), two clients of one connection refreshing at once (one
 * refresh), single-use refresh tokens kept through `onRotate`, and a revoked
 * token. Client and sandbox share a VirtualClock, so a 12-hour token passes
 * in no real time while both sides agree on the time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consent } from '../../sandbox/freshbooks/test-helpers.ts';
import { drain, rejection } from '../test-outcomes.ts';
import { FreshBooksClient } from './client.ts';
import { testFreshBooksConnection } from './connection-test.ts';
import { authorizeUrl, exchangeCode, FreshBooksCredentialRegistry } from './oauth.ts';
import { DEFAULT_SCOPES } from './scopes.ts';
import { startFreshBooksFixture, type Fixture } from './test-fixture.ts';

const REDIRECT = 'http://127.0.0.1:9/connect/freshbooks/callback';

describe('FreshBooks OAuth: the connect flow', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFreshBooksFixture();
  });
  after(() => fx.sandbox.close());

  it('connect → the authorization page → back with a code → tokens → a working client', async () => {
    const { authUrl, baseUrl, clientId, clientSecret, accountId, businessUuid } = fx.sandbox.systems.freshbooks;
    const url = authorizeUrl({ authUrl, clientId, redirectUri: REDIRECT, state: 'connection-42', scopes: DEFAULT_SCOPES });
    assert.ok(url.startsWith(`${authUrl}/oauth/authorize?`));
    const back = await consent(url);
    assert.equal(back.searchParams.get('state'), 'connection-42');
    const tokens = await exchangeCode({ baseUrl, clientId, clientSecret, code: back.searchParams.get('code')!, redirectUri: REDIRECT }, { clock: fx.clock });
    assert.equal(tokens.expiresAt - fx.clock.now(), 43_200_000);
    assert.equal(tokens.scope, DEFAULT_SCOPES.join(' '));
    assert.ok(tokens.refreshToken);

    const stored: string[] = [];
    const client = new FreshBooksClient({
      connection: { baseUrl, authUrl, clientId, clientSecret, accountId, businessUuid, refreshToken: tokens.refreshToken, redirectUri: REDIRECT },
      clock: fx.clock,
      credentialRegistry: new FreshBooksCredentialRegistry(),
      onRotate: ({ refreshToken }) => void stored.push(refreshToken),
    });
    assert.equal((await client.me()).business_memberships[0]?.business.account_id, accountId);
    assert.equal(stored.length, 1, 'the first use rotated the refresh token and handed over the new one');
  });

  it('a denied consent, a wrong redirect URI, a reused code and a wrong secret are named', async () => {
    const { authUrl, baseUrl, clientId, clientSecret } = fx.sandbox.systems.freshbooks;
    const url = authorizeUrl({ authUrl, clientId, redirectUri: REDIRECT, state: 's' });
    const denied = await consent(url, 'deny');
    assert.equal(denied.searchParams.get('error'), 'access_denied');

    const code = (await consent(url)).searchParams.get('code')!;
    const wrongRedirect = await rejection(exchangeCode({ baseUrl, clientId, clientSecret, code, redirectUri: 'http://127.0.0.1:9/elsewhere' }));
    assert.deepEqual([wrongRedirect.kind, wrongRedirect.code], ['auth', 'freshbooks.invalid_authorization_code']);
    assert.match(wrongRedirect.message, /redirect_uri/);
    const reused = await rejection(exchangeCode({ baseUrl, clientId, clientSecret, code, redirectUri: REDIRECT }));
    assert.equal(reused.code, 'freshbooks.invalid_authorization_code');

    const code2 = (await consent(url)).searchParams.get('code')!;
    const wrongSecret = await rejection(exchangeCode({ baseUrl, clientId, clientSecret: 'not-the-secret', code: code2, redirectUri: REDIRECT }));
    assert.deepEqual([wrongSecret.kind, wrongSecret.code], ['auth', 'freshbooks.invalid_client']);
    for (const error of [wrongRedirect, reused, wrongSecret]) {
      assert.ok(!JSON.stringify(error.toJSON()).includes(clientSecret) && !error.message.includes(code), 'no secret or code in errors');
    }
  });
});

describe('FreshBooks OAuth: refresh, rotation and 401s', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFreshBooksFixture({ size: 'medium' });
  });
  after(() => fx.sandbox.close());

  it('a 401 in the middle of a read costs one refresh, and the read goes on', async () => {
    const client = fx.client(await fx.connection(), { perPage: 50 });
    await client.me();
    const before = (await fx.admin.tokens()).grants.refresh;
    await fx.admin.resetCounters();
    const read = await drain(client.listInvoices(), async (_item, index) => {
      // The server ends the token between two pages (revoked, or its 12 hours ran out there).
      if (index === 120) await fx.admin.expireAccessTokens();
    });
    assert.equal(new Set(read.map((r) => r.id)).size, 500);
    assert.equal((await fx.admin.tokens()).grants.refresh - before, 1, 'one refresh');
    assert.equal(await fx.admin.calls({ status: 401 }), 1, 'one 401');
    assert.equal(await fx.admin.tokenCalls(), 1);

    // Twelve hours pass on the shared clock mid-read: the token is refreshed before it is used again, no 401 at all.
    await fx.admin.resetCounters();
    const again = await drain(client.listClients(), (_item, index) => {
      if (index === 70) fx.clock.advance(43_200_000);
    });
    assert.equal(again.length, 200);
    assert.equal(await fx.admin.tokenCalls(), 1);
    assert.equal(await fx.admin.calls({ status: 401 }), 0);
  });

  it('two clients of one connection refreshing at once make ONE refresh; the rotated token is stored and is the one that works', async () => {
    const connection = await fx.connection();
    const stored = { refreshToken: connection.refreshToken };
    const rotations: string[] = [];
    const onRotate = ({ refreshToken }: { refreshToken: string }) => {
      rotations.push(refreshToken);
      stored.refreshToken = refreshToken;
    };
    const registry = new FreshBooksCredentialRegistry();
    const make = () => new FreshBooksClient({ connection, clock: fx.clock, credentialRegistry: registry, onRotate, perPage: 50 });
    const a = make();
    const b = make();
    assert.equal(a.credentials, b.credentials, 'one credential per connection');

    const before = (await fx.admin.tokens()).grants.refresh;
    const [clients, payments] = await Promise.all([drain(a.listClients()), drain(b.listPayments())]);
    assert.deepEqual([clients.length, payments.length], [200, 300]);
    assert.equal((await fx.admin.tokens()).grants.refresh - before, 1, 'one refresh for both workers');
    assert.equal(rotations.length, 1);

    // Both workers hit a 401 together: still one refresh, and the newest token is kept.
    await fx.admin.expireAccessTokens();
    const spent = stored.refreshToken;
    const mid = (await fx.admin.tokens()).grants.refresh;
    await Promise.all([drain(a.listInvoices()), drain(b.listClients())]);
    assert.equal((await fx.admin.tokens()).grants.refresh - mid, 1);
    assert.equal(rotations.length, 2);
    assert.notEqual(stored.refreshToken, spent);
    assert.equal(a.credentials.refreshToken, stored.refreshToken);

    // A client built later from the stored config (or the original one) finds the same credential.
    const later = new FreshBooksClient({ connection: { ...connection, refreshToken: stored.refreshToken }, clock: fx.clock, credentialRegistry: registry });
    assert.equal(later.credentials, a.credentials);
    const original = new FreshBooksClient({ connection, clock: fx.clock, credentialRegistry: registry });
    assert.equal(original.credentials, a.credentials);

    // The spent token is refused by FreshBooks; the stored one works in a new process (a new registry).
    const stale = new FreshBooksClient({ connection: { ...connection, refreshToken: spent }, clock: fx.clock, credentialRegistry: new FreshBooksCredentialRegistry() });
    assert.equal((await rejection(stale.me())).code, 'freshbooks.refresh_token_revoked');
    const fresh = new FreshBooksClient({ connection: { ...connection, refreshToken: stored.refreshToken }, clock: fx.clock, credentialRegistry: new FreshBooksCredentialRegistry() });
    assert.ok((await fresh.me()).id);
  });

  it('a revoked refresh token is an auth error that says to re-authorize, without the token in it', async () => {
    const connection = await fx.connection();
    const client = fx.client(connection);
    await client.me();
    assert.equal(await fx.admin.revoke(client.credentials.refreshToken), true);
    await fx.admin.expireAccessTokens();
    const error = await rejection(client.me());
    assert.deepEqual([error.kind, error.code], ['auth', 'freshbooks.refresh_token_revoked']);
    assert.match(error.message, /Re-authorize/);
    assert.ok(!error.message.includes(connection.refreshToken) && !error.message.includes(client.credentials.refreshToken));
  });

  it('the connection test reports each check and hands the rotated refresh token to be stored', async () => {
    const connection = await fx.connection();
    const saved: string[] = [];
    const report = await testFreshBooksConnection(connection, {
      clock: fx.clock,
      onRotate: ({ refreshToken }) => void saved.push(refreshToken),
    });
    assert.equal(report.ok, true);
    assert.deepEqual(report.checks.map((c) => [c.name, c.ok]), [['token', true], ['identity', true], ['read:account', true], ['read:business', true]]);
    assert.equal(saved.length, 1);
    const revoked = await testFreshBooksConnection({ ...connection, refreshToken: 'f'.repeat(64) }, { clock: fx.clock });
    assert.equal(revoked.ok, false);
    assert.equal(revoked.checks[0]?.name, 'token');
    assert.match(revoked.checks[0]!.detail, /Re-authorize/);
  });
});
