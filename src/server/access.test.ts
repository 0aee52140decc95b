/**
 * Who may call the API and the console: an API key, or a session cookie
 * whose changes carry the session's CSRF token; sessions and admin users kept
 * only as hashes; every change audited.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { openInstallation, type Installation } from '../app/installation.ts';
import { VirtualClock } from '../core/clock.ts';
import { loadConfig } from '../config.ts';
import { auditMutations, requireAccess, type AccessEnv } from './access.ts';
import { createAdminUsersRepository } from './admin-users.ts';
import { createApiKeysRepository } from './api-keys.ts';
import { createSessionsRepository, SESSION_COOKIE, SESSION_TTL_MS } from './sessions.ts';

describe('access to the API and the console', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let dataDir: string;
  let installation: Installation;
  let app: Hono;
  let key: string;
  let session: { token: string; csrfToken: string };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-access-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), { clock });
    const api = new Hono<AccessEnv>();
    api.use('*', requireAccess(installation), auditMutations(installation));
    api.get('/whoami', (c) => c.json(c.get('principal')));
    api.post('/change', async (c) => c.json({ changed: true, by: c.get('principal').actor }));
    const ui = new Hono<AccessEnv>();
    ui.use('*', requireAccess(installation, { onDenied: 'redirect' }), auditMutations(installation));
    ui.get('/page', (c) => c.text('page'));
    ui.post('/form', async (c) => c.text(`saved ${String((await c.req.parseBody()).name)}`));
    app = new Hono();
    app.route('/api', api);
    app.route('/ui', ui);
    key = (await createApiKeysRepository(installation.store, clock).create({ name: 'ops', workspace: 'acme' })).key;
    session = await createSessionsRepository(installation.store, clock).create({ workspace: 'acme', actor: 'user:ada' });
  });
  after(async () => {
    await installation.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const cookie = (token = session.token) => `${SESSION_COOKIE}=${token}`;

  it('takes an API key or a session, each as a principal of its workspace', async () => {
    const byKey = await app.request('/api/whoami', { headers: { authorization: `Bearer ${key}` } });
    assert.equal(byKey.status, 200);
    assert.deepEqual(await byKey.json(), { workspace: 'acme', actor: `key:${key.split('_')[1]}`, via: 'api_key' });
    const bySession = (await (await app.request('/api/whoami', { headers: { cookie: cookie() } })).json()) as Record<string, unknown>;
    assert.equal(bySession.workspace, 'acme');
    assert.equal(bySession.actor, 'user:ada');
  });

  it('a missing or wrong key is a 401 on the API and a redirect to the login page in the console', async () => {
    for (const headers of <Array<Record<string, string>>>[{}, { authorization: 'Bearer mlc_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { authorization: 'Basic abc' }, { cookie: cookie('not-a-session') }]) {
      const response = await app.request('/api/whoami', { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(((await response.json()) as { error: { kind: string } }).error.kind, 'auth');
    }
    const page = await app.request('/ui/page');
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/ui/login?next=%2Fui%2Fpage');
  });

  it('a change made with the session cookie needs its CSRF token; without it, or with another, it is refused and not done', async () => {
    const before = await installation.store.db.selectFrom('console_audit').select('id').execute();
    const none = await app.request('/api/change', { method: 'POST', headers: { cookie: cookie() } });
    assert.equal(none.status, 403);
    assert.match(((await none.json()) as { error: { message: string } }).error.message, /CSRF/);
    const wrong = await app.request('/api/change', { method: 'POST', headers: { cookie: cookie(), 'x-csrf-token': 'x'.repeat(43) } });
    assert.equal(wrong.status, 403);
    const form = await app.request('/ui/form', { method: 'POST', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=a' });
    assert.equal(form.status, 403);
    const foreign = await app.request('/api/change', { method: 'POST', headers: { cookie: cookie(), 'x-csrf-token': session.csrfToken, origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    // Nothing refused reached a handler, so nothing was audited either.
    assert.equal((await installation.store.db.selectFrom('console_audit').select('id').execute()).length, before.length);

    const header = await app.request('/api/change', { method: 'POST', headers: { cookie: cookie(), 'x-csrf-token': session.csrfToken } });
    assert.equal(header.status, 200);
    const field = await app.request('/ui/form', { method: 'POST', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body: `name=ok&_csrf=${session.csrfToken}` });
    assert.equal(await field.text(), 'saved ok');
    // A bearer key is never sent by a browser on its own: no token needed.
    assert.equal((await app.request('/api/change', { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status, 200);
  });

  it('audits every change: who, which route, the status — never the body or the query', async () => {
    await app.request('/api/change?secret=hunter2', { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: 'password=hunter2' });
    const rows = await installation.store.db.selectFrom('console_audit').selectAll().orderBy('created_at').execute();
    const last = rows.at(-1)!;
    assert.deepEqual({ workspace: last.workspace, method: last.method, path: last.path, status: last.status }, { workspace: 'acme', method: 'POST', path: '/api/change', status: 200 });
    assert.ok(!JSON.stringify(rows).includes('hunter2'));
    assert.ok(rows.some((r) => r.actor === 'user:ada' && r.path === '/ui/form'));
  });

  it('keeps sessions as hashes, and an expired session no longer opens anything', async () => {
    const stored = await installation.store.db.selectFrom('ui_sessions').selectAll().execute();
    assert.ok(stored.length > 0 && stored.every((s) => s.token_hash !== session.token && /^[0-9a-f]{64}$/.test(s.token_hash)));
    const short = await createSessionsRepository(installation.store, clock).create({ workspace: 'acme', actor: 'user:bob' });
    clock.advance(SESSION_TTL_MS + 1);
    const expired = await app.request('/api/whoami', { headers: { cookie: cookie(short.token) } });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { error: { message: string } }).error.message, /expired/);
  });

  it('admin users: scrypt hashes, a wrong password or an unknown user verify to nothing, weak passwords refused', async () => {
    const users = createAdminUsersRepository(installation.store, clock);
    await users.create({ username: 'ada', password: 'correct horse battery', workspace: 'acme' });
    await assert.rejects(users.create({ username: 'bob', password: 'short' }), /at least 12 characters/);
    await assert.rejects(users.create({ username: 'ada', password: 'another long password' }), /already exists/);
    assert.equal((await users.verify('ada', 'correct horse battery'))?.workspace, 'acme');
    assert.equal(await users.verify('ada', 'correct horse batterY'), undefined);
    assert.equal(await users.verify('nobody', 'correct horse battery'), undefined);
    const row = await installation.store.db.selectFrom('admin_users').selectAll().where('username', '=', 'ada').executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^scrypt\$16384\$8\$1\$/);
    assert.ok(!row.password_hash.includes('correct horse'));
  });
});
