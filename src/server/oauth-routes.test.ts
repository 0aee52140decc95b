/**
 * The connect routes on our own server over real HTTP: the console starts a
 * connect (session cookie + CSRF token, audited), the browser goes through
 * the sandbox's consent page and comes back to `/oauth/callback`, and the
 * server answers the console's redirect; a connect started with an API key
 * ends on a page of its own. Nothing logged or answered holds the code, the
 * state or a token.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { openInstallation, type Installation } from '../app/installation.ts';
import { consent } from '../app/oauth-connect-test-support.ts';
import { EXPIRED_MESSAGE } from '../app/oauth-connect.ts';
import { VirtualClock } from '../core/clock.ts';
import { loadConfig } from '../config.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/index.ts';
import { FreshBooksClient } from '../systems/freshbooks/client.ts';
import { FreshBooksCredentialRegistry } from '../systems/freshbooks/oauth.ts';
import { createApiKeysRepository } from './api-keys.ts';
import { createServerApp } from './app.ts';
import { CSRF_HEADER } from './access.ts';
import { createSessionsRepository, SESSION_COOKIE } from './sessions.ts';

describe('the connect routes', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const logged: string[] = [];
  let sandbox: RunningSandbox;
  let installation: Installation;
  let dataDir: string;
  let server: ServerType;
  let url: string;
  let session: { token: string; csrfToken: string };
  let apiKey: string;

  before(async () => {
    sandbox = await startSandbox({ port: 0, seed: 5, size: 'small', clock });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-connect-routes-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    const app = createServerApp({ installation, log: (entry) => logged.push(JSON.stringify(entry)) });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    });
    url = `http://127.0.0.1:${port}`;
    session = await createSessionsRepository(installation.store, clock).create({ workspace: 'default', actor: 'user:ada' });
    apiKey = (await createApiKeysRepository(installation.store, clock).create({ name: 'ops', workspace: 'acme' })).key;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cookie = () => `${SESSION_COOKIE}=${session.token}`;
  const fromConsole = () => ({ cookie: cookie(), [CSRF_HEADER]: session.csrfToken, 'content-type': 'application/json' });
  const startRequest = (system: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${url}/api/oauth/${system}/start`, { method: 'POST', headers, body: JSON.stringify(body) });
  const startFromConsole = async (system: string, name: string, config: Record<string, unknown>): Promise<string> => {
    const response = await startRequest(system, { name, config }, fromConsole());
    const json = (await response.json()) as { authorizeUrl: string };
    assert.equal(response.status, 200, JSON.stringify(json));
    return json.authorizeUrl;
  };
  /** The browser following the system's redirect back to our callback, with or without the console cookie. */
  const callback = (location: URL, headers: Record<string, string> = { cookie: cookie() }) => fetch(location, { headers, redirect: 'manual' });
  const secretsOf = (location: URL) => [location.searchParams.get('code')!, location.searchParams.get('state')!];

  const systems = () => ({
    freshbooks: (({ baseUrl, authUrl, clientId, clientSecret, accountId }) => ({ baseUrl, authUrl, clientId, clientSecret, accountId }))(sandbox.systems.freshbooks),
    zohobooks: (({ accountsUrl, clientId, clientSecret }) => ({ accountsUrl, clientId, clientSecret }))(sandbox.systems.zohobooks),
    acumatica: (({ baseUrl, endpointName, endpointVersion, clientId, clientSecret }) => ({ baseUrl, endpointName, endpointVersion, clientId, clientSecret }))(sandbox.systems.acumatica),
  });

  for (const system of ['freshbooks', 'zohobooks', 'acumatica'] as const) {
    it(`${system}: console start → consent page → /oauth/callback → redirect to the console with the tested connection`, async () => {
      const name = `${system}-main`;
      const authorizeUrl = await startFromConsole(system, name, systems()[system]);
      assert.equal(new URL(authorizeUrl).searchParams.get('redirect_uri'), `${url}/oauth/callback`, 'the redirect URI is the request origin’s callback');
      const extra: Record<string, string> = system === 'acumatica' ? { username: sandbox.systems.acumatica.username, password: sandbox.systems.acumatica.password } : {};
      const back = await consent(authorizeUrl, 'approve', extra);
      assert.equal(`${back.origin}${back.pathname}`, `${url}/oauth/callback`);
      assert.ok(back.searchParams.get('code') && back.searchParams.get('state'));
      const response = await callback(back);
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), `/ui/connections?connected=${encodeURIComponent(name)}`);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const connection = await installation.connections.get(name, 'default');
      assert.equal(connection.status, 'ok', connection.lastError ?? '');
      assert.equal(connection.system, system);

      // Reused: the same callback again goes back to the console with the message.
      const again = await callback(back);
      assert.equal(again.status, 302);
      assert.equal(again.headers.get('location'), `/ui/connections?error=${encodeURIComponent(EXPIRED_MESSAGE)}`);
      for (const secret of secretsOf(back)) assert.ok(!logged.join('\n').includes(secret), 'nothing logged the code or the state');
    });
  }

  it('the stored FreshBooks connection is ready to sync: its own client reads users/me with the stored refresh token', async () => {
    const connection = await installation.connections.get('freshbooks-main', 'default');
    const config = await installation.connections.getConfig(connection.id);
    const client = new FreshBooksClient({ connection: config as never, clock, credentialRegistry: new FreshBooksCredentialRegistry() });
    const me = await client.me();
    assert.ok(me.business_memberships.some((m) => m.business.account_id === sandbox.systems.freshbooks.accountId));
  });

  it('the start is audited, and without its CSRF token it is refused before any state is kept', async () => {
    const audit = await installation.store.db.selectFrom('console_audit').selectAll().where('path', '=', '/api/oauth/freshbooks/start').execute();
    assert.ok(audit.some((row) => row.actor === 'user:ada' && row.status === 200 && row.method === 'POST'));
    const before = await installation.store.db.selectFrom('oauth_states').select('state_hash').execute();
    const refused = await startRequest('freshbooks', { name: 'no-csrf', config: systems().freshbooks }, { cookie: cookie(), 'content-type': 'application/json' });
    assert.equal(refused.status, 403);
    const anonymous = await startRequest('freshbooks', { name: 'anonymous', config: systems().freshbooks }, { 'content-type': 'application/json' });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await installation.store.db.selectFrom('oauth_states').select('state_hash').execute(), before);
  });

  it('start answers a clear error for a bad body, a missing field, an unknown system or a taken name', async () => {
    const headers = fromConsole();
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['freshbooks', { config: {} }, 400, /the request body needs name/],
      ['freshbooks', { name: 'x', config: { ...systems().freshbooks, clientId: '' } }, 400, /Cannot start the FreshBooks connect: clientId is missing/],
      ['intacct', { name: 'x', config: {} }, 400, /"intacct" has no connect flow/],
      ['freshbooks', { name: 'freshbooks-main', config: systems().freshbooks }, 409, /a connection named "freshbooks-main" already exists/],
    ];
    for (const [system, body, status, message] of cases) {
      const response = await startRequest(system, body, headers);
      const json = (await response.json()) as { error: { message: string } };
      assert.equal(response.status, status, JSON.stringify(json));
      assert.match(json.error.message, message);
      assert.ok(!JSON.stringify(json).includes(sandbox.systems.freshbooks.clientSecret));
    }
  });

  it('a connect started with an API key lands in the key’s workspace and ends on a page (or JSON) of its own', async () => {
    const byKey = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const started = await startRequest('zohobooks', { name: 'books-by-key', config: systems().zohobooks }, byKey);
    assert.equal(started.status, 200);
    const back = await consent(((await started.json()) as { authorizeUrl: string }).authorizeUrl, 'approve');
    const page = await callback(back, {});
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /The connection &quot;books-by-key&quot; was created; its test passed/);
    for (const secret of secretsOf(back)) assert.ok(!html.includes(secret));
    assert.equal((await installation.connections.get('books-by-key', 'acme')).status, 'ok');
    assert.equal(await installation.connections.find('books-by-key', 'default'), undefined, 'not in another workspace');

    const second = await startRequest('freshbooks', { name: 'fb-by-key', config: systems().freshbooks }, byKey);
    const json = await callback(await consent(((await second.json()) as { authorizeUrl: string }).authorizeUrl, 'approve'), { accept: 'application/json' });
    assert.equal(json.status, 200);
    const body = (await json.json()) as { connection: { name: string; status: string; workspace: string }; test: { ok: boolean } };
    assert.deepEqual([body.connection.name, body.connection.workspace, body.connection.status, body.test.ok], ['fb-by-key', 'acme', 'ok', true]);
    assert.ok(!JSON.stringify(body).includes('refreshToken'), 'the answer holds no config');
  });

  it('failures: denied consent goes back to the console with the message; without a session they end on a page', async () => {
    const denied = await consent(await startFromConsole('freshbooks', 'fb-denied', systems().freshbooks), 'deny');
    const response = await callback(denied);
    assert.equal(response.status, 302);
    const target = new URL(response.headers.get('location')!, url);
    assert.equal(target.pathname, '/ui/connections');
    assert.match(target.searchParams.get('error')!, /Access was denied on FreshBooks’s page, so nothing was connected/);
    assert.equal(await installation.connections.find('fb-denied', 'default'), undefined);

    // The console's state, followed in a browser without the console's cookie: refused, on a page.
    const approved = await consent(await startFromConsole('freshbooks', 'fb-elsewhere', systems().freshbooks), 'approve');
    const elsewhere = await callback(approved, {});
    const html = await elsewhere.text();
    assert.equal(elsewhere.status, 401);
    assert.match(html, /This connect link was started in another browser session; start again/);
    for (const secret of secretsOf(approved)) assert.ok(!html.includes(secret));
    assert.equal(await installation.connections.find('fb-elsewhere', 'default'), undefined);

    const unknown = await fetch(`${url}/oauth/callback?code=abc&state=forged`, { headers: { accept: 'application/json' } });
    assert.equal(unknown.status, 401);
    assert.equal(((await unknown.json()) as { error: { message: string } }).error.message, EXPIRED_MESSAGE);
  });
});
