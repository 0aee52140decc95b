/**
 * Who is calling: an API key (`Authorization: Bearer mlc_…`) or the console's
 * session cookie. Both resolve to a principal of one workspace; every route
 * behind this middleware sees only that workspace's data.
 *
 * A cookie is sent by the browser on its own, so a request that arrives with
 * one and changes something must also carry the session's CSRF token (header
 * `x-csrf-token`, or the form field `_csrf`), which another site cannot read.
 * A bearer key is never sent implicitly, so API-key requests need no token.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Installation } from '../app/installation.ts';
import { createApiKeysRepository, keyOfHeader, unauthorized, type KeyRefusal } from './api-keys.ts';
import { createSessionsRepository, SESSION_COOKIE } from './sessions.ts';

export interface Principal {
  workspace: string;
  /** `key:<api key id>` or `user:<username>`. */
  actor: string;
  via: 'api_key' | 'session';
  /** Sessions only: the token forms and scripts send back. */
  csrfToken?: string;
}

export type AccessEnv = { Variables: { principal: Principal } };

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const SESSION_EXPIRED: KeyRefusal = { code: 'auth.session_expired', message: 'the console session has expired: sign in again' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isMutating = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The CSRF token a request carries: the header, else a form field (the parsed body is cached for the handler). */
async function presentedCsrf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    const field = (await c.req.parseBody())[CSRF_FIELD];
    return typeof field === 'string' ? field : undefined;
  }
  return undefined;
}

/** A request whose Origin names another site is refused outright, whatever it carries. */
function foreignOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== new URL(c.req.url).host && new URL(origin).host !== c.req.header('host');
  } catch {
    return true;
  }
}

export function requireAccess(installation: Installation, options: { onDenied?: 'json' | 'redirect' } = {}): MiddlewareHandler<AccessEnv> {
  const keys = createApiKeysRepository(installation.store, installation.clock);
  const sessions = createSessionsRepository(installation.store, installation.clock);
  const redirect = options.onDenied === 'redirect';

  const unauthenticated = (c: Context, refusal: KeyRefusal) => {
    if (!redirect) return unauthorized(c, refusal);
    const next = new URL(c.req.url).pathname;
    return c.redirect(`/ui/login${next && next !== '/ui/login' ? `?next=${encodeURIComponent(next)}` : ''}`, 302);
  };
  const forbidden = (c: Context, message: string) =>
    redirect ? c.html(`<!doctype html><title>Refused</title><p>${message}</p><p><a href="/ui">Back to the console</a></p>`, 403) : c.json({ error: { code: 'auth.csrf', kind: 'auth', message, details: {} } }, 403);

  return async (c, next) => {
    const header = c.req.header('authorization');
    const token = getCookie(c, SESSION_COOKIE);
    // A request with an Authorization header (or without any credential) is an API-key request.
    if (header !== undefined || !token) {
      const presented = await keyOfHeader(keys, header);
      if ('refusal' in presented) return unauthenticated(c, presented.refusal);
      c.set('principal', { workspace: presented.key.workspace, actor: `key:${presented.key.id}`, via: 'api_key' });
      return next();
    }
    const session = await sessions.find(token);
    if (!session) return unauthenticated(c, SESSION_EXPIRED);
    if (isMutating(c.req.method)) {
      if (foreignOrigin(c)) return forbidden(c, 'This request came from another site and was refused.');
      const presented = await presentedCsrf(c);
      if (!presented || !sameToken(presented, session.csrfToken)) {
        return forbidden(c, 'The request is missing its CSRF token (or it is stale): reload the page and try again.');
      }
    }
    c.set('principal', { workspace: session.workspace, actor: session.actor, via: 'session', csrfToken: session.csrfToken });
    return next();
  };
}

/** One console_audit row per request that changes something: who, which route, how it ended. Never a body or a query string. */
export function auditMutations(installation: Installation): MiddlewareHandler<AccessEnv> {
  return async (c, next) => {
    await next();
    if (!isMutating(c.req.method)) return;
    const principal = c.get('principal') as Principal | undefined;
    if (!principal) return;
    await installation.store.db
      .insertInto('console_audit')
      .values({
        id: randomUUID(),
        workspace: principal.workspace,
        actor: principal.actor,
        method: c.req.method.toUpperCase(),
        path: new URL(c.req.url).pathname,
        status: c.res.status,
        created_at: installation.clock.now(),
      })
      .execute();
  };
}
