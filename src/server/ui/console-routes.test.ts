/**
 * The console's routes as a browser meets them, through the whole server app
 * (`createServerApp`): signing in with a key or a password, the refusals
 * (wrong credentials, a form without its CSRF token, a sign-in form posted
 * from elsewhere), and pages that never carry a connection's secret.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { VirtualClock } from '../../core/clock.ts';
import { loadConfig } from '../../config.ts';
import { createAdminUsersRepository } from '../admin-users.ts';
import { createApiKeysRepository } from '../api-keys.ts';
import { createServerApp } from '../app.ts';
import { SESSION_COOKIE } from '../sessions.ts';

/** A browser's worth of state: its cookies, sent back with every request, and what it was last shown. */
class Browser {
  readonly cookies = new Map<string, string>();
  /** Every body and Set-Cookie header this browser received. */
  readonly received: string[] = [];
  constructor(private readonly app: Hono, private readonly origin = 'http://console.test') {}

  async request(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<{ status: number; location: string | null; body: string; setCookies: string[] }> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await this.app.request(`${this.origin}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair!.split('=');
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    const body = await response.text();
    this.received.push(body, ...setCookies);
    return { status: response.status, location: response.headers.get('location'), body, setCookies };
  }

  /** The login form's pre-session CSRF token (a fresh one with every form shown). */
  async loginToken(): Promise<string> {
    const page = await this.request('/ui/login');
    return hiddenCsrf(page.body);
  }

  async signInWithKey(key: string) {
    return this.request('/ui/login', { form: { _csrf: await this.loginToken(), method: 'key', apiKey: key } });
  }

  async signInWithPassword(username: string, password: string) {
    return this.request('/ui/login', { form: { _csrf: await this.loginToken(), method: 'password', username, password } });
  }

  /** The session's CSRF token, as the pages carry it in every form. */
  async csrf(): Promise<string> {
    return hiddenCsrf((await this.request('/ui/connections')).body);
  }
}

function hiddenCsrf(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  assert.ok(token, 'the page carries a CSRF token');
  return token;
}

describe('the console: signing in and its refusals', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  const password = 'correct horse battery';
  let dataDir: string;
  let installation: Installation;
  let app: Hono;
  let key: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-ui-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    app = createServerApp({ installation, log: () => {} });
    key = (await createApiKeysRepository(installation.store, clock).create({ name: 'console', workspace: 'acme' })).key;
    await createAdminUsersRepository(installation.store, clock).create({ username: 'ada', password, workspace: 'acme' });
  });
  after(async () => {
    await installation.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a browser that is not signed in is sent to the sign-in page; / leads to the console', async () => {
    const browser = new Browser(app);
    const root = await browser.request('/');
    assert.equal(root.status, 302);
    assert.equal(root.location, '/ui');
    for (const path of ['/ui', '/ui/connections', '/ui/flows', '/ui/runs', '/ui/records', '/ui/dead-letters', '/ui/tools', '/ui/audit']) {
      const page = await browser.request(path);
      assert.equal(page.status, 302, path);
      assert.match(page.location ?? '', /^\/ui\/login/, path);
    }
    const login = await browser.request('/ui/login');
    assert.equal(login.status, 200);
    assert.match(login.body, /Sign in to ml-connector/);
    const headers = (await app.request('http://console.test/ui/login')).headers;
    assert.match(headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(headers.get('x-frame-options'), 'DENY');
    assert.equal(headers.get('cache-control'), 'no-store');
  });

  it('a wrong API key or a wrong password is a 401 page that says which, and no session', async () => {
    const browser = new Browser(app);
    const wrongKey = await browser.signInWithKey(`${key.slice(0, -4)}AAAA`);
    assert.equal(wrongKey.status, 401);
    assert.match(wrongKey.body, /Wrong API key/);
    const wrongPassword = await browser.signInWithPassword('ada', 'not the password');
    assert.equal(wrongPassword.status, 401);
    assert.match(wrongPassword.body, /Wrong username or password/);
    const unknownUser = await browser.signInWithPassword('grace', password);
    assert.equal(unknownUser.status, 401);
    assert.match(unknownUser.body, /Wrong username or password/);
    assert.ok(!browser.cookies.has(SESSION_COOKIE));
    assert.equal((await browser.request('/ui/connections')).status, 302, 'still not signed in');
    assert.ok(!wrongPassword.body.includes('not the password'), 'the password typed is not shown again');
  });

  it('signs in with an API key and with a user, each into its workspace, with an HttpOnly SameSite cookie', async () => {
    const byKey = new Browser(app);
    const signedIn = await byKey.signInWithKey(key);
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, '/ui');
    const cookie = signedIn.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, 'plain http: the cookie could not come back if it were Secure');
    const page = await byKey.request('/ui/connections');
    assert.equal(page.status, 200);
    assert.match(page.body, /workspace acme/);
    assert.match(page.body, /No connections yet/);

    const byUser = new Browser(app);
    assert.equal((await byUser.signInWithPassword('ada', password)).status, 303);
    const userPage = await byUser.request('/ui/connections');
    assert.equal(userPage.status, 200);
    assert.match(userPage.body, /data-testid="signed-in-as">ada · workspace acme/);

    // Over https the cookie is Secure.
    const secure = new Browser(app, 'https://console.test');
    const overTls = await secure.signInWithKey(key);
    assert.match(overTls.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!, /Secure/);
  });

  it('a sign-in form without its pre-session token (posted from another site) is refused', async () => {
    const victim = new Browser(app);
    const forged = await victim.request('/ui/login', { form: { method: 'key', apiKey: key } });
    assert.equal(forged.status, 403);
    assert.ok(!victim.cookies.has(SESSION_COOKIE), 'no session was made');
    // Another browser's token is no good either: it must match this browser's own cookie.
    const attacker = new Browser(app);
    const token = await attacker.loginToken();
    const fresh = new Browser(app);
    const replayed = await fresh.request('/ui/login', { form: { _csrf: token, method: 'key', apiKey: key } });
    assert.equal(replayed.status, 403);
    assert.ok(!fresh.cookies.has(SESSION_COOKIE));
  });

  it('a form without the session CSRF token is a 403 and changes nothing; with it, the change is made and audited', async () => {
    const browser = new Browser(app);
    await browser.signInWithKey(key);
    const form = { system: 'hubspot', name: 'crm', 'config.baseUrl': 'http://127.0.0.1:9', 'config.accessToken': 'pat-na1-00000000-0000' };
    const without = await browser.request('/ui/connections', { form });
    assert.equal(without.status, 403);
    const wrong = await browser.request('/ui/connections', { form: { ...form, _csrf: 'x'.repeat(43) } });
    assert.equal(wrong.status, 403);
    assert.deepEqual(await installation.connections.list('acme'), []);

    const made = await browser.request('/ui/connections', { form: { ...form, _csrf: await browser.csrf() } });
    assert.equal(made.status, 303);
    const [connection] = await installation.connections.list('acme');
    assert.equal(connection?.name, 'crm');
    assert.equal(made.location, `/ui/connections/${connection!.id}`);
    const shown = await browser.request(made.location!);
    assert.match(shown.body, /Saved connection &quot;crm&quot;/);

    const audit = await browser.request('/ui/audit');
    assert.match(audit.body, /POST \/ui\/connections/);
    assert.match(audit.body, /key:/);
    await installation.connections.delete(connection!.id);
  });

  it('signing out ends the session: the cookie no longer opens a page', async () => {
    const browser = new Browser(app);
    await browser.signInWithKey(key);
    const token = browser.cookies.get(SESSION_COOKIE)!;
    const out = await browser.request('/ui/logout', { form: { _csrf: await browser.csrf() } });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/ui/login');
    const stale = new Browser(app);
    stale.cookies.set(SESSION_COOKIE, token);
    assert.equal((await stale.request('/ui/connections')).status, 302);
  });
});

describe('the console never shows a secret', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  // Planted in every secret field of the connections below; no page, header or flash may carry it.
  const SECRET = 'planted-SECRET-8c1f0e';
  let dataDir: string;
  let installation: Installation;
  let app: Hono;
  let browser: Browser;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-ui-secrets-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    app = createServerApp({ installation, log: () => {} });
    const key = (await createApiKeysRepository(installation.store, clock).create({ name: 'console' })).key;
    browser = new Browser(app);
    await browser.signInWithKey(key);
  });
  after(async () => {
    await installation.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists, shows, tests, rotates and re-renders forms for connections without any secret in them', async () => {
    // Unreachable hosts: the tests fail, and their messages must not quote the secret either.
    const zoho = await browser.request('/ui/connections', {
      form: {
        _csrf: await browser.csrf(),
        system: 'zohobooks',
        name: 'books',
        'config.accountsUrl': 'http://127.0.0.1:9',
        'config.clientId': '1000.CLIENTID',
        'config.clientSecret': SECRET,
        'config.refreshToken': `${SECRET}-refresh`,
        'config.organizationId': '123456',
      },
    });
    assert.equal(zoho.status, 303, zoho.body);
    await installation.connections.create({ name: 'crm', system: 'hubspot', config: { baseUrl: 'http://127.0.0.1:9', accessToken: SECRET, clientSecret: `${SECRET}-app` } });
    const [books, crm] = [await installation.connections.get('books'), await installation.connections.get('crm')];
    assert.equal((await installation.connections.getConfig(books.id)).clientSecret, SECRET, 'the secret was stored');

    const csrf = await browser.csrf();
    const list = await browser.request('/ui/connections');
    assert.match(list.body, /books/);
    assert.match(list.body, /crm/);
    for (const connection of [books, crm]) {
      const detail = await browser.request(`/ui/connections/${connection.id}`);
      assert.equal(detail.status, 200);
      assert.match(detail.body, /set \(hidden\)/);
      const rotate = await browser.request(`/ui/connections/${connection.id}/credentials`);
      assert.equal(rotate.status, 200);
      assert.match(rotate.body, /placeholder="unchanged — leave blank to keep"/);
      const tested = await browser.request(`/ui/connections/${connection.id}/test`, { form: { _csrf: csrf } });
      assert.equal(tested.status, 303);
      const after = await browser.request(tested.location!);
      assert.match(after.body, /failed its test/);
      await browser.request(`/ui/connections/${connection.id}/delete`);
    }
    // A rotation that leaves the secret blank keeps it; the page after it shows none.
    const rotated = await browser.request(`/ui/connections/${books.id}/credentials`, {
      form: { _csrf: csrf, 'config.accountsUrl': 'http://127.0.0.1:9', 'config.clientId': '1000.CLIENTID', 'config.clientSecret': '', 'config.refreshToken': '', 'config.organizationId': '654321' },
    });
    assert.equal(rotated.status, 303);
    assert.match((await browser.request(rotated.location!)).body, /Credentials of &quot;books&quot; updated/);
    const kept = await installation.connections.getConfig(books.id);
    assert.equal(kept.clientSecret, SECRET);
    assert.equal(kept.organizationId, '654321');
    // A form sent back with an error keeps what was typed, except the secret.
    const refused = await browser.request('/ui/connections', {
      form: { _csrf: csrf, system: 'hubspot', name: 'crm', 'config.baseUrl': 'http://127.0.0.1:9', 'config.accessToken': SECRET },
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /already exists/);
    assert.match(refused.body, /value="http:\/\/127.0.0.1:9"/);
    for (const path of ['/ui/connections/new/hubspot', '/ui/connections/new/zohobooks', '/ui/tools', `/ui/tools?connection=${crm.id}`, '/ui/flows', '/ui/flows/new/zohobooks-to-hubspot', '/ui/runs', '/ui/records', '/ui/dead-letters', '/ui/audit']) {
      assert.equal((await browser.request(path)).status, 200, path);
    }

    const leaks = browser.received.filter((text) => text.includes(SECRET));
    assert.deepEqual(leaks.map((text) => text.slice(Math.max(0, text.indexOf(SECRET) - 200), text.indexOf(SECRET) + 50)), []);
  });

  it('"Connect with Zoho Books" sends the browser to Zoho’s consent page, with no secret in the URL', async () => {
    const form = { _csrf: await browser.csrf(), system: 'zohobooks', name: 'books-oauth', 'config.accountsUrl': 'http://127.0.0.1:9', 'config.clientId': '1000.CLIENTID', 'config.clientSecret': SECRET };
    const started = await browser.request('/ui/connections/connect', { form });
    assert.equal(started.status, 303, started.body);
    const authorize = new URL(started.location!);
    assert.equal(`${authorize.origin}${authorize.pathname}`, 'http://127.0.0.1:9/oauth/v2/auth');
    assert.equal(authorize.searchParams.get('client_id'), '1000.CLIENTID');
    assert.equal(authorize.searchParams.get('redirect_uri'), 'http://console.test/oauth/callback');
    assert.ok(authorize.searchParams.get('state'));
    assert.ok(!started.location!.includes(SECRET));
    // A token the connect flow obtains itself may not be typed in: the form comes back saying so.
    const refused = await browser.request('/ui/connections/connect', { form: { ...form, 'config.refreshToken': `${SECRET}-typed` } });
    assert.equal(refused.status, 400);
    assert.match(refused.body, /refreshToken/);
    assert.equal(await installation.connections.find('books-oauth'), undefined, 'nothing is stored before the consent');
    assert.deepEqual(browser.received.filter((text) => text.includes(SECRET)), []);
  });

  it('saves a flow with the options its form offers, and says why Run now needs the service', async () => {
    await installation.connections.create({ name: 'ledger', system: 'intacct', config: { endpointUrl: 'http://127.0.0.1:9' } });
    await installation.connections.create({ name: 'erp', system: 'acumatica', config: { baseUrl: 'http://127.0.0.1:9' } });
    const [crm, ledger, erp] = await Promise.all(['crm', 'ledger', 'erp'].map((name) => installation.connections.get(name)));

    // hubspot-to-intacct: where changes come from, and who owns each shared field.
    const form = await browser.request('/ui/flows/new/hubspot-to-intacct');
    assert.match(form.body, /name="changes"/);
    const owners = [...form.body.matchAll(/name="(owner\.[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(owners.length > 0, 'a select per shared field');
    const csrf = await browser.csrf();
    const saved = await browser.request('/ui/flows', {
      form: { _csrf: csrf, flow: 'hubspot-to-intacct', from: crm!.id, to: ledger!.id, schedule: '1h', enabled: 'true', changes: 'webhook', ...Object.fromEntries(owners.map((o) => [o, 'hubspot'])) },
    });
    assert.equal(saved.status, 303, saved.body);
    // acumatica-to-hubspot: the reverse seed; a cron expression instead of an interval.
    assert.match((await browser.request('/ui/flows/new/acumatica-to-hubspot')).body, /name="reverseSeed"/);
    const seeded = await browser.request('/ui/flows', { form: { _csrf: csrf, flow: 'acumatica-to-hubspot', from: erp!.id, to: crm!.id, schedule: '0 * * * *', reverseSeed: 'true' } });
    assert.equal(seeded.status, 303, seeded.body);
    const { listFlows } = await import('../../console/flows-service.ts');
    const flows = await listFlows(installation, 'default');
    const reverse = flows.find((f) => f.flow === 'hubspot-to-intacct')!;
    assert.equal(reverse.enabled, true);
    assert.equal(reverse.intervalMs, 3_600_000);
    assert.equal(reverse.options.changes, 'webhook');
    assert.deepEqual(new Set(Object.values(reverse.options.fieldOwners ?? {})), new Set(['hubspot']));
    const acumatica = flows.find((f) => f.flow === 'acumatica-to-hubspot')!;
    assert.equal(acumatica.enabled, false, 'the box was left unticked');
    assert.equal(acumatica.cron, '0 * * * *');
    assert.equal(acumatica.options.reverseSeed, true);
    const page = await browser.request('/ui/flows');
    assert.match(page.body, /changes by webhook/);
    assert.match(page.body, /seeds won deals back into Acumatica/);

    // A bad interval comes back on the form, saying what is wrong; nothing else changes.
    const bad = await browser.request('/ui/flows', { form: { _csrf: csrf, flow: 'acumatica-to-hubspot', from: erp!.id, to: crm!.id, schedule: 'soon', enabled: 'true' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /&quot;soon&quot; is not an interval: use a number and s, m, h or d, like 15m/);
    // This server was made without a queue: Run now says what it needs.
    const run = await browser.request(`/ui/flows/${encodeURIComponent(reverse.flowKey)}/run`, { form: { _csrf: csrf } });
    assert.equal(run.status, 303);
    assert.match((await browser.request(run.location!)).body, /Runs are queued by the service/);
  });

  it('escapes whatever a page shows: a connection named like markup stays text', async () => {
    await installation.connections.create({ name: '<script>alert(1)</script>', system: 'hubspot', config: { baseUrl: 'http://127.0.0.1:9', accessToken: SECRET } });
    const list = await browser.request('/ui/connections');
    assert.ok(!list.body.includes('<script>alert(1)</script>'));
    assert.match(list.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});
