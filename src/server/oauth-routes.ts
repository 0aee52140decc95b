/**
 * The authorization-code connect routes (src/app/oauth-connect.ts):
 * - `POST /api/oauth/:system/start` (`{"name", "config"}` → `{"authorizeUrl"}`), behind an API key or
 *   the console session (with its CSRF token), audited like every mutating API route;
 * - `GET /oauth/callback`, public because the system sends the browser here, bound to the console
 *   session that started the connect by the `mlc_session` cookie. With a console session it redirects
 *   to `/ui/connections?connected=<name>` or `?error=<message>`; without one (a connect started with an
 *   API key) it answers a small page (or JSON) with the outcome.
 *
 * The callback's query holds a code and a state: neither is logged or echoed, and the answer tells the
 * browser to keep no copy and send no referrer.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { ConnectorError, isConnectorError, serializeError, type SerializedError } from '../core/errors.ts';
import type { Installation } from '../app/installation.ts';
import { finishConnect, startConnect } from '../app/oauth-connect.ts';
import { auditMutations, requireAccess, type AccessEnv } from './access.ts';
import { createSessionsRepository, SESSION_COOKIE } from './sessions.ts';
import type { WebhookLog } from './webhook-common.ts';

export const CALLBACK_PATH = '/oauth/callback';

const StartBody = z
  .object({
    name: z.string().describe('The new connection’s name, unique in the workspace.'),
    config: z
      .record(z.string(), z.unknown())
      .describe('The connection’s fields except what the connect flow obtains (the refresh token; FreshBooks’ business and Zoho’s organization when left empty).'),
  })
  .describe('Starts an authorization-code connect.');

export interface OAuthRouteOptions {
  /** The server's public URL; without it, the request's own origin. */
  publicUrl?: string;
  /** Structured log lines; never given a code, a state or a token. */
  log?: WebhookLog;
}

/** Where the systems send the browser back: `<public URL or the request's origin>/oauth/callback`. */
export function callbackUrl(c: Context, publicUrl?: string): string {
  const base = publicUrl ? publicUrl.replace(/\/+$/, '') : new URL(c.req.url).origin;
  return `${base}${CALLBACK_PATH}`;
}

function statusOf(error: SerializedError): 400 | 401 | 404 | 409 | 502 | 503 {
  switch (error.kind) {
    case 'validation':
    case 'config':
      return 400;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'transient':
    case 'rate_limited':
      return 503;
    case 'auth':
      return 401;
    default:
      return 502;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function outcomePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem">
<h1 style="font-size:1.3rem">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function registerOAuthRoutes(app: Hono, installation: Installation, options: OAuthRouteOptions = {}): void {
  const sessions = createSessionsRepository(installation.store, installation.clock);
  const routes = new Hono<AccessEnv>();

  routes.post('/api/oauth/:system/start', requireAccess(installation), auditMutations(installation), async (c) => {
    try {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new ConnectorError({ kind: 'validation', code: 'connect.invalid_body', message: 'the request body must be JSON: {"name": …, "config": {…}}', details: { fields: ['(body)'] } });
      }
      const parsed = StartBody.safeParse(body);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '(body)')))];
        throw new ConnectorError({ kind: 'validation', code: 'connect.invalid_body', message: `the request body needs ${fields.join(' and ')}: {"name": "<connection name>", "config": {…}}`, details: { fields } });
      }
      const principal = c.get('principal');
      // A connect started from the console must come back in the same browser session; one started with an API key has none.
      const sessionToken = principal.via === 'session' ? getCookie(c, SESSION_COOKIE) : undefined;
      const started = await startConnect(installation, {
        workspace: principal.workspace,
        ...(sessionToken ? { sessionToken } : {}),
        system: c.req.param('system'),
        name: parsed.data.name,
        config: parsed.data.config,
        redirectUri: callbackUrl(c, options.publicUrl),
      });
      c.header('cache-control', 'no-store');
      return c.json(started);
    } catch (error) {
      if (!isConnectorError(error)) throw error;
      const serialized = serializeError(error);
      return c.json({ error: serialized }, statusOf(serialized));
    }
  });

  routes.get(CALLBACK_PATH, async (c) => {
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    const { state, code, error, error_description: _description, ...params } = c.req.query();
    const sessionToken = getCookie(c, SESSION_COOKIE);
    const session = sessionToken ? await sessions.find(sessionToken) : undefined;
    let outcome: { ok: true; name: string; tested: string; body: unknown } | { ok: false; error: SerializedError };
    try {
      const result = await finishConnect(installation, { state, code, error, sessionToken, params });
      const failed = result.test.checks.find((check) => !check.ok);
      outcome = { ok: true, name: result.connection.name, tested: failed ? `its first test failed: ${failed.detail}` : 'its test passed', body: result };
    } catch (caught) {
      if (!isConnectorError(caught)) {
        // Only the kind of failure: an unexpected error's text is not ours to vouch for.
        options.log?.({ level: 'warn', event: 'oauth_callback_failed', connection: '', reason: caught instanceof Error ? caught.name : 'unknown' });
      }
      outcome = {
        ok: false,
        error: isConnectorError(caught)
          ? caught.toJSON()
          : { code: 'connect.unexpected', kind: 'system', message: 'The connect failed unexpectedly; nothing was connected. Start again', details: {} },
      };
    }
    if (session) {
      return c.redirect(outcome.ok ? `/ui/connections?connected=${encodeURIComponent(outcome.name)}` : `/ui/connections?error=${encodeURIComponent(outcome.error.message)}`, 302);
    }
    if (wantsJson(c)) return outcome.ok ? c.json(outcome.body) : c.json({ error: outcome.error }, statusOf(outcome.error));
    return outcome.ok
      ? c.html(outcomePage('Connected', `The connection "${outcome.name}" was created; ${outcome.tested}. You can close this page.`))
      : c.html(outcomePage('Not connected', outcome.error.message), statusOf(outcome.error));
  });

  app.route('/', routes);
}
