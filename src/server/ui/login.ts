/**
 * Signing in to the console: with an API key (its workspace becomes the
 * session's) or with an admin user's username and password. Success makes a
 * session (src/server/sessions.ts) whose token lives only in an HttpOnly
 * cookie; a failure says which kind of credential was wrong and nothing
 * more.
 *
 * The sign-in form itself is protected from cross-site posts (login CSRF,
 * which would sign a victim in to the attacker's account) with a
 * double-submit token: a random value in a SameSite cookie and in the form,
 * which another site can neither read nor set.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { Installation } from '../../app/installation.ts';
import type { AccessEnv } from '../access.ts';
import { createAdminUsersRepository } from '../admin-users.ts';
import { createApiKeysRepository } from '../api-keys.ts';
import { createSessionsRepository, SESSION_COOKIE } from '../sessions.ts';
import { isHttps, redirectWith, takeFlash, type Flash } from './flash.ts';
import { barePage } from './layout.ts';

const LOGIN_CSRF_COOKIE = 'mlc_login_csrf';

type LoginMethod = 'key' | 'password';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Only a path inside the console: `next` never sends a signed-in browser to another site. */
function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/ui') || next.startsWith('/ui/login') || /[\\\s]/.test(next) || next.startsWith('//')) return '/ui';
  return next;
}

function loginPage(c: Context, options: { flash?: Flash | undefined; method?: LoginMethod; username?: string; next?: string | undefined }) {
  // A fresh pre-session token with every form rendered.
  const token = randomBytes(24).toString('base64url');
  setCookie(c, LOGIN_CSRF_COOKIE, token, { path: '/ui', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge: 3_600 });
  const next = options.next ? html`<input type="hidden" name="next" value="${safeNext(options.next)}">` : '';
  return barePage(
    'Sign in',
    html`<h1>Sign in to ml-connector</h1>
<div class="panel">
  <form class="stack" method="post" action="/ui/login" data-testid="login-password-form">
    <input type="hidden" name="_csrf" value="${token}">${next}
    <input type="hidden" name="method" value="password">
    <div><label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" value="${options.username ?? ''}" required></div>
    <div><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
    <div><button type="submit" data-testid="login-password-submit">Sign in</button></div>
  </form>
</div>
<p class="or">or</p>
<div class="panel">
  <form class="stack" method="post" action="/ui/login" data-testid="login-key-form">
    <input type="hidden" name="_csrf" value="${token}">${next}
    <input type="hidden" name="method" value="key">
    <div>
      <label for="api-key">API key</label>
      <input id="api-key" name="apiKey" type="password" autocomplete="off" placeholder="mlc_…" required>
      <div class="help">A key from <code>ml-connector keys create</code>; you work in its workspace.</div>
    </div>
    <div><button type="submit" data-testid="login-key-submit">Sign in with API key</button></div>
  </form>
</div>
<p class="muted small">No user yet? Create one with <code>ml-connector users add &lt;username&gt; --workspace &lt;workspace&gt; --password-stdin</code>.</p>`,
    options.flash,
  );
}

export function registerLoginRoutes(app: Hono, installation: Installation): void {
  const sessions = createSessionsRepository(installation.store, installation.clock);
  const users = createAdminUsersRepository(installation.store, installation.clock);
  const keys = createApiKeysRepository(installation.store, installation.clock);

  app.get('/', (c) => c.redirect('/ui', 302));

  app.get('/ui/login', async (c) => {
    c.header('cache-control', 'no-store');
    // Already signed in: straight to the console.
    const token = getCookie(c, SESSION_COOKIE);
    if (token && (await sessions.find(token))) return c.redirect(safeNext(c.req.query('next')), 302);
    return c.html(loginPage(c, { flash: takeFlash(c), next: c.req.query('next') }));
  });

  app.post('/ui/login', async (c) => {
    c.header('cache-control', 'no-store');
    const body = await c.req.parseBody();
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const method: LoginMethod = field('method') === 'key' || (field('apiKey') && !field('username')) ? 'key' : 'password';
    const next = field('next') || undefined;
    const expected = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    if (!sameToken(field('_csrf'), expected)) {
      return c.html(loginPage(c, { flash: { kind: 'error', text: 'The sign-in form had expired (or came from another site). Please sign in again.' }, next }), 403);
    }

    let principal: { workspace: string; actor: string } | undefined;
    if (method === 'key') {
      const key = field('apiKey').trim() ? await keys.verify(field('apiKey')) : undefined;
      if (key) principal = { workspace: key.workspace, actor: `key:${key.id}` };
      if (!principal) return c.html(loginPage(c, { flash: { kind: 'error', text: 'Wrong API key.' }, method, next }), 401);
    } else {
      const user = field('username').trim() && field('password') ? await users.verify(field('username'), field('password')) : undefined;
      if (user) principal = { workspace: user.workspace, actor: `user:${user.username}` };
      if (!principal) return c.html(loginPage(c, { flash: { kind: 'error', text: 'Wrong username or password.' }, method, username: field('username'), next }), 401);
    }

    // A session the browser may already hold is ended: a sign-in always starts a fresh one.
    const previous = getCookie(c, SESSION_COOKIE);
    if (previous) await sessions.destroy(previous);
    const session = await sessions.create(principal);
    setCookie(c, SESSION_COOKIE, session.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: isHttps(c),
      maxAge: Math.max(1, Math.floor((session.expiresAt - installation.clock.now()) / 1_000)),
    });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/ui', secure: isHttps(c) });
    return c.redirect(safeNext(next), 303);
  });
}

/** `POST /ui/logout`, behind the session check (so it needs the CSRF token): ends the session. */
export function registerLogoutRoute(pages: Hono<AccessEnv>, installation: Installation): void {
  const sessions = createSessionsRepository(installation.store, installation.clock);
  pages.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await sessions.destroy(token);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
    return redirectWith(c, '/ui/login', { kind: 'ok', text: 'Signed out.' });
  });
}
