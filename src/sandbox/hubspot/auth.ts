/**
 * Bearer-token auth for the HubSpot sandbox: a registry of tokens (each with
 * its scopes, app and optional expiry) and the middleware that checks them
 * and the scope a request needs (reference/hubspot.md §2 auth bodies).
 */
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { OBJECT_TYPES, scopeFor, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { SeededRandom } from '../common/seeded-random.ts';
import type { HubSpotEnv, TokenInfo } from './context.ts';
import { sendError } from './errors.ts';
import { parseHubSpotPath } from './paths.ts';

export interface TokenRecord extends TokenInfo {
  /** Epoch ms after which the token is refused as expired; absent = never. */
  expiresAt?: number;
}

export interface CreateTokenOptions {
  scopes?: string[];
  expiresInMs?: number;
  appId?: number;
}

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly random: SeededRandom;
  readonly defaultAppId: number;
  /** A private-app token with every scope, the same for the same seed. */
  readonly defaultToken: string;

  constructor(
    private readonly clock: Clock,
    random: SeededRandom,
  ) {
    this.random = random.fork('tokens');
    this.defaultAppId = this.random.int(1_000_000, 9_999_999);
    this.defaultToken = this.create({}).token;
  }

  create(options: CreateTokenOptions): TokenRecord {
    // Private-app tokens look like `pat-na1-<uuid>` (§2).
    const record: TokenRecord = {
      token: `pat-na1-${this.random.uuid()}`,
      scopes: options.scopes === undefined ? undefined : [...new Set(options.scopes)],
      appId: options.appId ?? this.defaultAppId,
    };
    if (options.expiresInMs !== undefined) record.expiresAt = this.clock.now() + options.expiresInMs;
    this.tokens.set(record.token, record);
    return { ...record };
  }

  get(token: string): TokenRecord | undefined {
    const record = this.tokens.get(token);
    return record && { ...record };
  }

  revoke(token: string): boolean {
    return this.tokens.delete(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}

type Access = 'read' | 'write';

/** `crm.schemas.<object>.write`, named like the object's own scopes (notes share the contacts ones, §2). */
function schemaWriteScope(type: HubSpotObjectType): string {
  return `${OBJECT_TYPES[type].scopePrefix.replace(/^crm\.objects\./, 'crm.schemas.')}.write`;
}

function isReadOnly(method: string, rest: string[]): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  const tail = rest.slice(-2).join('/');
  // Search and batch reads are POSTs that only read (§2, §6).
  return method === 'POST' && (tail === 'batch/read' || (rest.length === 1 && rest[0] === 'search'));
}

/**
 * The scopes a request needs, from its method and path; `[]` when a valid
 * token is enough (unknown paths, unknown object types: the handler answers
 * those), `undefined` when the path needs no token at all (OAuth endpoints).
 */
export function requiredScopes(method: string, path: string): string[] | undefined {
  const upper = method.toUpperCase();
  const info = parseHubSpotPath(path);
  const access: Access = isReadOnly(upper, info.rest) ? 'read' : 'write';
  switch (info.family) {
    case 'oauth':
      return undefined;
    case 'objects':
      return info.objectType ? [scopeFor(info.objectType, access)] : [];
    case 'associations': {
      // Our choice: the same access on both ends of the association.
      const scopes = [info.objectType, info.toObjectType]
        .filter((t): t is HubSpotObjectType => t !== undefined)
        .map((t) => scopeFor(t, access));
      return [...new Set(scopes)];
    }
    case 'properties':
    case 'pipelines':
      if (!info.objectType) return [];
      return [access === 'read' ? scopeFor(info.objectType, 'read') : schemaWriteScope(info.objectType)];
    case 'automation':
      return ['automation'];
    default:
      return [];
  }
}

// Exact wording of HubSpot's replies (§2).
const INVALID_AUTHENTICATION_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';
const MISSING_SCOPES_MESSAGE =
  "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.";
const SCOPES_LINK = 'https://developers.hubspot.com/scopes';

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function authenticate(tokens: TokenRegistry, clock: Clock): MiddlewareHandler<HubSpotEnv> {
  return async (c, next) => {
    const needed = requiredScopes(c.req.method, c.req.path);
    if (needed === undefined) return next();

    const record = tokens.get(bearerToken(c.req.header('Authorization')) ?? '');
    if (!record) {
      return sendError(c, 401, { category: 'INVALID_AUTHENTICATION', message: INVALID_AUTHENTICATION_MESSAGE });
    }
    const now = clock.now();
    if (record.expiresAt !== undefined && now >= record.expiresAt) {
      const seconds = Math.floor((now - record.expiresAt) / 1000);
      return sendError(c, 401, {
        category: 'EXPIRED_AUTHENTICATION',
        message: `The OAuth token used to make this call expired ${seconds} second(s) ago.`,
      });
    }
    const missing = record.scopes === undefined ? [] : needed.filter((scope) => !record.scopes!.includes(scope));
    if (missing.length > 0) {
      return sendError(c, 403, {
        category: 'MISSING_SCOPES',
        message: MISSING_SCOPES_MESSAGE,
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: missing },
          },
        ],
        links: { scopes: SCOPES_LINK },
      });
    }
    c.set('token', { token: record.token, scopes: record.scopes, appId: record.appId });
    return next();
  };
}
