/**
 * Everything in front of the entity handlers (reference/acumatica.md §6,
 * §7, §8): the credential (a Bearer access token with the `api` scope, or a
 * cookie session), the user's rights to the entity's form (403), and the
 * license's queue and limits (429 with a Retry-After, which the reference
 * does not document: ours). Discovery (`GET /entity`), login and logout pass
 * without a credential and outside the license queue.
 */
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { DISCOVERY_PATH, LOGIN_PATH, LOGOUT_PATH, parseEntityPath } from '../../systems/acumatica/paths.ts';
import type { AcumaticaEnv, InstanceSettings } from './context.ts';
import { forbidden, licenseLimitBody, notSignedIn, sendApiError, sendJson } from './errors.ts';
import type { IdentityRegistry } from './identity-tokens.ts';
import { isDecline, type LicenseLimiter } from './license-limits.ts';
import { AUTH_COOKIE, readCookie, type SessionRegistry } from './sessions.ts';

export interface GateParts {
  clock: Clock;
  identity: IdentityRegistry;
  sessions: SessionRegistry;
  limits: LicenseLimiter;
  settings: () => InstanceSettings;
}

const OPEN_PATHS = new Set([DISCOVERY_PATH, `${DISCOVERY_PATH}/`, LOGIN_PATH, LOGOUT_PATH]);

export function apiGate(parts: GateParts): MiddlewareHandler<AcumaticaEnv> {
  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) return next();
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      const record = parts.identity.lookup(bearer);
      // A token without the `api` scope (e.g. openid only) reaches no API (§6a).
      if (typeof record === 'string' || !record.scopes.includes('api')) return sendApiError(c, notSignedIn());
      c.set('principal', { kind: 'bearer', username: record.username });
    } else {
      const session = parts.sessions.find(readCookie(c.req.header('cookie'), AUTH_COOKIE));
      if (!session) return sendApiError(c, notSignedIn());
      c.set('principal', { kind: 'session', username: session.username });
    }

    const settings = parts.settings();
    const entity = parseEntityPath(c.req.path)?.entity;
    if (entity !== undefined && settings.deniedEntities.includes(entity)) return sendApiError(c, forbidden(entity));

    const admission = await parts.limits.admit();
    if (isDecline(admission)) {
      c.header('Retry-After', String(admission.retryAfterSeconds));
      return sendJson(c, 429, licenseLimitBody(`The request was declined: ${admission.why}.`));
    }
    try {
      if (settings.processingDelayMs > 0) await parts.clock.sleep(settings.processingDelayMs);
      await next();
    } finally {
      admission.release();
    }
  };
}
