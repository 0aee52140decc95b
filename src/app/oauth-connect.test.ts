/**
 * The authorization-code connect flows against the sandboxes over real HTTP,
 * with a real SQLite store: what a finished connect stores and that it is
 * ready to sync, and every way a callback is refused (unknown, tampered,
 * reused, expired, another session, denied, a refused code exchange) without
 * a connection being made or a secret being told.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../core/clock.ts';
import { isConnectorError, type ConnectorError } from '../core/errors.ts';
import { loadConfig } from '../config.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { AcumaticaClient } from '../systems/acumatica/client.ts';
import { AcumaticaCredentialRegistry } from '../systems/acumatica/oauth.ts';
import { FreshBooksClient } from '../systems/freshbooks/client.ts';
import { FreshBooksCredentialRegistry } from '../systems/freshbooks/oauth.ts';
import { ZohoBooksClient } from '../systems/zohobooks/client.ts';
import { openInstallation, type Installation } from './installation.ts';
import { consent } from './oauth-connect-test-support.ts';
import { CONNECT_STATE_TTL_MS, EXPIRED_MESSAGE, finishConnect, startConnect, type FinishConnectInput } from './oauth-connect.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback';
const SESSION = 'session-token-of-the-browser-that-started';

describe('authorization-code connect flows', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let sandbox: RunningSandbox;
  let installation: Installation;
  let dataDir: string;

  before(async () => {
    sandbox = await startSandbox({ port: 0, seed: 3, size: 'small', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-connect-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
  });
  after(async () => {
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** What the operator types for FreshBooks: everything but the tokens (the user has two businesses: the account is named). */
  const freshbooksEntered = (overrides: Record<string, unknown> = {}) => {
    const { baseUrl, authUrl, clientId, clientSecret, accountId } = sandbox.systems.freshbooks;
    return { baseUrl, authUrl, clientId, clientSecret, accountId, ...overrides };
  };
  const start = (system: string, name: string, config: Record<string, unknown>, sessionToken: string | null = SESSION) =>
    startConnect(installation, { workspace: 'default', system, name, config, redirectUri: REDIRECT_URI, ...(sessionToken ? { sessionToken } : {}) });
  const callbackOf = (location: URL): FinishConnectInput => {
    const { state, code, error, ...params } = Object.fromEntries(location.searchParams);
    return { state, code, error, params, sessionToken: SESSION };
  };
  /** The refusal finishConnect throws. */
  const refusal = async (input: FinishConnectInput): Promise<ConnectorError> => {
    try {
      await finishConnect(installation, input);
    } catch (error) {
      assert.ok(isConnectorError(error), String(error));
      return error;
    }
    assert.fail('the callback was accepted');
  };
  const states = () => installation.store.db.selectFrom('oauth_states').selectAll().execute();
  const assertNothingSecret = (error: ConnectorError, ...secrets: string[]) => {
    const told = JSON.stringify({ message: error.message, details: error.details });
    for (const secret of secrets) assert.ok(!told.includes(secret), `the error does not tell ${secret.slice(0, 4)}…`);
  };

  it('FreshBooks: the consent page sends back a code that becomes a tested connection with the business read from users/me', async () => {
    const { authorizeUrl } = await start('freshbooks', 'fb', freshbooksEntered());
    const url = new URL(authorizeUrl);
    assert.equal(url.origin + url.pathname, `${sandbox.systems.freshbooks.authUrl}/oauth/authorize`);
    assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
    const state = url.searchParams.get('state')!;
    assert.match(state, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');

    // What is kept meanwhile: the state's hash only, the entered config encrypted, bound to the session.
    const [row] = await states();
    assert.ok(row);
    assert.notEqual(row.state_hash, state);
    assert.ok(!row.config.includes(sandbox.systems.freshbooks.clientSecret), 'the client secret is encrypted');
    assert.ok(row.session_hash && !row.session_hash.includes(SESSION));
    assert.equal(row.expires_at - row.created_at, CONNECT_STATE_TTL_MS);

    const back = await consent(authorizeUrl, 'approve');
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), state);
    assert.ok(back.searchParams.get('code'));
    const { connection, test } = await finishConnect(installation, callbackOf(back));
    assert.equal(test.ok, true, JSON.stringify(test.checks));
    assert.equal(connection.status, 'ok');
    assert.equal(connection.name, 'fb');
    assert.deepEqual(await states(), [], 'the state was spent');

    const stored = await installation.connections.getConfig(connection.id);
    assert.equal(stored.accountId, sandbox.systems.freshbooks.accountId);
    assert.equal(stored.businessUuid, sandbox.systems.freshbooks.businessUuid, 'the business uuid came from users/me');
    assert.notEqual(stored.refreshToken, sandbox.systems.freshbooks.refreshToken);
    // Sync-ready: a client of its own (no credential shared in this process) spends the stored, rotated refresh token.
    const client = new FreshBooksClient({ connection: stored as never, clock, credentialRegistry: new FreshBooksCredentialRegistry() });
    const business = await client.business();
    assert.equal(business?.business_uuid, sandbox.systems.freshbooks.businessUuid);
  });

  it('FreshBooks: a user with several businesses and no accountId entered is asked to pick one; nothing is stored', async () => {
    const { authorizeUrl } = await start('freshbooks', 'fb-ambiguous', freshbooksEntered({ accountId: '' }));
    const error = await refusal(callbackOf(await consent(authorizeUrl, 'approve')));
    assert.equal(error.code, 'connect.choose_business');
    assert.match(error.message, /several businesses: .*accountId .*accountId .*Enter the accountId of the one to connect and start again/);
    assert.ok(error.message.includes(sandbox.systems.freshbooks.accountId));
    assert.equal(await installation.connections.find('fb-ambiguous'), undefined);
  });

  it('Zoho Books: the organization is read from the organizations list, and the connection reads Zoho Books', async () => {
    const { accountsUrl, clientId, clientSecret, organizationId } = sandbox.systems.zohobooks;
    const { authorizeUrl } = await start('zohobooks', 'books', { accountsUrl, clientId, clientSecret });
    const scope = new URL(authorizeUrl).searchParams.get('scope')!;
    assert.ok(scope.includes('ZohoBooks.invoices.READ') && !scope.includes('fullaccess'), 'read scopes only');
    const back = await consent(authorizeUrl, 'approve');
    assert.ok(back.searchParams.get('accounts-server'));
    const { connection, test } = await finishConnect(installation, callbackOf(back));
    assert.equal(test.ok, true, JSON.stringify(test.checks));
    assert.equal(connection.status, 'ok');
    const stored = await installation.connections.getConfig(connection.id);
    assert.equal(stored.organizationId, organizationId);
    assert.notEqual(stored.refreshToken, sandbox.systems.zohobooks.refreshToken);
    const organizations = await new ZohoBooksClient({ connection: stored as never, clock }).listOrganizations();
    assert.deepEqual(organizations.map((o) => o.organization_id), [organizationId]);
  });

  it('Acumatica: the user signs in on the identity server (PKCE S256), and the refresh token reads the tenant', async () => {
    const { baseUrl, endpointName, endpointVersion, clientId, clientSecret, username, password } = sandbox.systems.acumatica;
    const { authorizeUrl } = await start('acumatica', 'erp', { baseUrl, endpointName, endpointVersion, clientId, clientSecret });
    const url = new URL(authorizeUrl);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!(await states())[0]!.config.includes(url.searchParams.get('code_challenge')!));
    const back = await consent(authorizeUrl, 'approve', { username, password });
    const { connection, test } = await finishConnect(installation, callbackOf(back));
    assert.equal(test.ok, true, JSON.stringify(test.checks));
    assert.equal(connection.status, 'ok');
    const stored = await installation.connections.getConfig(connection.id);
    assert.equal(stored.username, undefined, 'no password is kept');
    assert.equal(typeof stored.refreshToken, 'string');
    // The test rotated the refresh token; the stored one is the live one.
    const client = new AcumaticaClient({ connection: stored as never, clock, credentialRegistry: new AcumaticaCredentialRegistry() });
    const ping = await client.ping();
    assert.equal(ping.ok, true, JSON.stringify(ping.checks));
  });

  it('an unknown or tampered state is refused with the clear message, and the real one still works once', async () => {
    const { authorizeUrl } = await start('freshbooks', 'fb-tamper', freshbooksEntered());
    const back = await consent(authorizeUrl, 'approve');
    const input = callbackOf(back);
    const tampered = `${input.state!.slice(0, -2)}${input.state!.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const state of [tampered, 'unknown-state', '', undefined]) {
      const error = await refusal({ ...input, state });
      assert.equal(error.message, EXPIRED_MESSAGE);
    }
    assert.equal((await finishConnect(installation, input)).connection.name, 'fb-tamper');
    // Reused: the same callback again.
    const again = await refusal(input);
    assert.equal(again.message, EXPIRED_MESSAGE);
    assertNothingSecret(again, input.code!, input.state!);
  });

  it('an expired state is refused and spent', async () => {
    const { authorizeUrl } = await start('freshbooks', 'fb-late', freshbooksEntered());
    const back = await consent(authorizeUrl, 'approve');
    clock.advance(CONNECT_STATE_TTL_MS + 1);
    const error = await refusal(callbackOf(back));
    assert.equal(error.message, EXPIRED_MESSAGE);
    assert.deepEqual(await states(), []);
    assert.equal(await installation.connections.find('fb-late'), undefined);
  });

  it('a callback in another browser session (or none) is refused, and the state is spent by the attempt', async () => {
    const { authorizeUrl } = await start('freshbooks', 'fb-other', freshbooksEntered());
    const input = callbackOf(await consent(authorizeUrl, 'approve'));
    const other = await refusal({ ...input, sessionToken: 'another-browser' });
    assert.equal(other.code, 'connect.other_session');
    assert.match(other.message, /another browser session; start again/);
    const reused = await refusal(input);
    assert.equal(reused.message, EXPIRED_MESSAGE, 'single use, also after a failure');
    assert.equal(await installation.connections.find('fb-other'), undefined);

    const second = await start('freshbooks', 'fb-none', freshbooksEntered());
    const { sessionToken: _dropped, ...withoutSession } = callbackOf(await consent(second.authorizeUrl, 'approve'));
    assert.equal((await refusal(withoutSession)).code, 'connect.other_session');
  });

  it('a connect started without a console session (an API key) finishes without one', async () => {
    const { authorizeUrl } = await start('freshbooks', 'fb-key', freshbooksEntered(), null);
    assert.equal((await states())[0]!.session_hash, null);
    const { sessionToken: _none, ...input } = callbackOf(await consent(authorizeUrl, 'approve'));
    assert.equal((await finishConnect(installation, input)).connection.status, 'ok');
  });

  it('the user denying access is told as such; nothing is stored', async () => {
    for (const [system, name, config, extra] of [
      ['freshbooks', 'fb-denied', freshbooksEntered(), {}],
      ['acumatica', 'erp-denied', (({ username: _u, password: _p, ...rest }) => rest)(sandbox.systems.acumatica), {}],
    ] as const) {
      const { authorizeUrl } = await start(system, name, config);
      const back = await consent(authorizeUrl, 'deny', extra);
      assert.equal(back.searchParams.get('error'), 'access_denied');
      const error = await refusal(callbackOf(back));
      assert.equal(error.code, 'connect.access_denied');
      assert.match(error.message, /Access was denied on .*’s page, so nothing was connected/);
      assert.equal(await installation.connections.find(name), undefined);
    }
    assert.deepEqual(await states(), []);
  });

  it('a wrong client secret is refused at the code exchange with a message naming the client credentials, never the secret', async () => {
    const wrongSecret = 'not-the-secret-0123456789';
    for (const [system, name, config, extra] of [
      ['freshbooks', 'fb-wrong', freshbooksEntered({ clientSecret: wrongSecret }), {}],
      ['zohobooks', 'books-wrong', { ...sandbox.systems.zohobooks, refreshToken: undefined, organizationId: undefined, clientSecret: wrongSecret }, {}],
      [
        'acumatica',
        'erp-wrong',
        { ...sandbox.systems.acumatica, username: undefined, password: undefined, clientSecret: wrongSecret },
        { username: sandbox.systems.acumatica.username, password: sandbox.systems.acumatica.password },
      ],
    ] as const) {
      const { authorizeUrl } = await start(system, name, config);
      const input = callbackOf(await consent(authorizeUrl, 'approve', extra));
      const error = await refusal(input);
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /clientId .*clientSecret/, `${system}: ${error.message}`);
      assertNothingSecret(error, wrongSecret, input.code!, input.state!);
      assert.equal(await installation.connections.find(name), undefined);
    }
  });

  it('start checks the system, the entered fields and the name before sending anybody to the consent page', async () => {
    const refusedStart = async (system: string, name: string, config: unknown): Promise<ConnectorError> => {
      try {
        await startConnect(installation, { workspace: 'default', system, name, config, redirectUri: REDIRECT_URI });
      } catch (error) {
        assert.ok(isConnectorError(error));
        return error;
      }
      assert.fail('the connect started');
    };
    const { clientSecret: _secret, ...withoutSecret } = freshbooksEntered();
    const missing = await refusedStart('freshbooks', 'x', withoutSecret);
    assert.equal(missing.message, 'Cannot start the FreshBooks connect: clientSecret is missing');
    assert.deepEqual(missing.details.fields, ['clientSecret']);
    const token = await refusedStart('freshbooks', 'x', freshbooksEntered({ refreshToken: 'r-123' }));
    assert.match(token.message, /refreshToken comes from the connect flow: leave it empty/);
    assert.match((await refusedStart('zohobooks', 'x', { clientId: 'a', clientSecret: 'b', accountsUrl: 'ftp://x' })).message, /accountsUrl: must be an http\(s\) URL/);
    assert.match((await refusedStart('acumatica', 'x', { ...sandbox.systems.acumatica })).message, /username: username and password are for the password grant/);
    assert.match((await refusedStart('hubspot', 'x', {})).message, /"hubspot" has no connect flow; the systems that do: freshbooks, zohobooks, acumatica/);
    assert.match((await refusedStart('freshbooks', '  ', freshbooksEntered())).message, /name: give the connection a name/);
    const taken = await refusedStart('freshbooks', 'fb', freshbooksEntered());
    assert.equal(taken.kind, 'conflict');
    assert.match(taken.message, /a connection named "fb" already exists/);
    for (const error of [missing, token, taken]) assertNothingSecret(error, sandbox.systems.freshbooks.clientSecret);
    assert.deepEqual(await states(), [], 'no state is kept for a refused start');
  });
});
