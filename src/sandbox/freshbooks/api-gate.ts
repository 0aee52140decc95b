/**
 * Everything in front of the API's handlers: the Bearer token (§2; 401 when
 * missing, unknown, revoked or expired), the business the path names (the
 * token's user must belong to it: 403 otherwise, UNCERTAIN status), and the
 * scope the call needs (403 naming the scope, UNCERTAIN body).
 */
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';
import { IDENTITY_PATH, TOKEN_PATH } from '../../systems/freshbooks/paths.ts';
import { scopeFor, type FreshBooksScope, type ScopedResource } from '../../systems/freshbooks/scopes.ts';
import type { FreshBooksEnv, FreshBooksSettings } from './context.ts';
import type { BusinessData } from './data.ts';
import { forbidden, FreshBooksApiError, sendUnauthenticated } from './errors.ts';
import type { FreshBooksTokenRegistry } from './tokens.ts';

export type ApiFamily = 'identity' | 'accounting' | 'business' | 'events';

export interface ParsedApiPath {
  family: ApiFamily;
  /** The account id or business uuid the path names. */
  scopeId?: string;
  resource?: ScopedResource;
}

const RESOURCE_OF: Record<string, ScopedResource> = { 'users/clients': 'clients', 'invoices/invoices': 'invoices', 'payments/payments': 'payments' };

/** A path below the API prefix → its family and the business it names; undefined for the token endpoint and unknown paths. */
export function parseApiPath(rest: string): ParsedApiPath | undefined {
  if (rest === TOKEN_PATH) return undefined;
  if (rest === IDENTITY_PATH) return { family: 'identity' };
  let match = /^\/accounting\/account\/([^/]+)\/([a-z_]+\/[a-z_]+)(?:\/|$)/.exec(rest);
  if (match) return { family: 'accounting', scopeId: decodeURIComponent(match[1]!), ...(RESOURCE_OF[match[2]!] ? { resource: RESOURCE_OF[match[2]!]! } : {}) };
  match = /^\/accounting\/businesses\/([^/]+)\//.exec(rest);
  if (match) return { family: 'business', scopeId: decodeURIComponent(match[1]!), resource: 'ledger' };
  match = /^\/events\/account\/([^/]+)\//.exec(rest);
  if (match) return { family: 'events', scopeId: decodeURIComponent(match[1]!) };
  return undefined;
}

export interface GateParts {
  clock: Clock;
  tokens: FreshBooksTokenRegistry;
  /** The user's businesses by account id and by business uuid. */
  byAccountId: (accountId: string) => BusinessData | undefined;
  byBusinessUuid: (uuid: string) => BusinessData | undefined;
  settings: () => FreshBooksSettings;
  /** The prefix the API is served under (`/api`). */
  prefix: string;
}

function bearer(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

export function apiGate(parts: GateParts): MiddlewareHandler<FreshBooksEnv> {
  return async (c, next) => {
    const parsed = parseApiPath(c.req.path.slice(parts.prefix.length));
    if (!parsed) return next();

    const record = parts.tokens.lookup(bearer(c.req.header('Authorization')) ?? '');
    if (record === 'expired') return sendUnauthenticated(c, 'The access token expired');
    if (record === 'unknown') return sendUnauthenticated(c, 'The access token is invalid');
    c.set('grant', record);

    if (parsed.family !== 'identity') {
      const business = parsed.family === 'business' ? parts.byBusinessUuid(parsed.scopeId!) : parts.byAccountId(parsed.scopeId!);
      if (!business) {
        const what = parsed.family === 'business' ? `business ${parsed.scopeId}` : `account ${parsed.scopeId}`;
        throw forbidden(`The user is not a member of ${what}.`);
      }
      c.set('business', business);
    }
    const needed: FreshBooksScope | undefined =
      parsed.family === 'identity' ? 'user:profile:read' : parsed.resource ? scopeFor(parsed.resource, c.req.method !== 'GET') : undefined;
    if (needed && !record.scopes.includes(needed)) {
      throw new FreshBooksApiError(403, ERRNO.forbidden, `The access token lacks the scope ${needed}.`, { field: 'scope', value: needed });
    }
    const delay = parts.settings().processingDelayMs;
    if (delay > 0) await parts.clock.sleep(delay);
    await next();
  };
}
