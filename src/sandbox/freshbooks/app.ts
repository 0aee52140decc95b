/**
 * The FreshBooks sandbox assembled: one Hono app playing both FreshBooks
 * hosts (reference/freshbooks.md §1), the API host under `/api` (token
 * endpoint, users/me, the account- and business-scoped APIs, callbacks) and
 * the auth host under `/auth` (the authorization page), plus its admin app.
 * Mounted at `/freshbooks` by the sandbox server, so a connection's
 * `baseUrl` is `<server>/freshbooks/api` and its `authUrl`
 * `<server>/freshbooks/auth`.
 *
 * The sandbox's user owns two businesses: the first holds the seeded data
 * (and is the one the printed connection names), the second is empty, so
 * that a client that ignores the configured account id reads the wrong one.
 *
 * Order of the middleware: the request counter is outermost (it sees
 * injected faults and token requests); faults come before the gate (an
 * injected failure needs no token) and never strike the token endpoint or
 * the authorization page; the gate checks token, business and scope.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Clock } from '../../core/clock.ts';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';
import { ACCESS_TOKEN_LIFETIME_SECONDS } from '../../systems/freshbooks/limits.ts';
import { TOKEN_PATH } from '../../systems/freshbooks/paths.ts';
import { FaultInjector, injectFaults, type FaultSettingsInput } from '../common/faults.ts';
import { RequestCounter, countRequests } from '../common/request-counter.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import { registerAccountingRoutes } from './accounting-routes.ts';
import { createFreshBooksAdmin } from './admin.ts';
import { apiGate, parseApiPath } from './api-gate.ts';
import { registerAuthorizationRoutes } from './authorization.ts';
import { registerCallbackRoutes } from './callback-routes.ts';
import { DEFAULT_SETTINGS, type FreshBooksEnv, type FreshBooksSettings } from './context.ts';
import { BusinessData } from './data.ts';
import { accountingErrorBody, eventErrorBody, FreshBooksApiError, sendJson } from './errors.ts';
import { registerIdentityRoutes } from './identity-routes.ts';
import { identitySeed, type SeedSize } from './seed.ts';
import { FreshBooksTokenRegistry } from './tokens.ts';
import { FreshBooksWebhooks } from './webhooks.ts';

export interface FreshBooksSandboxOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
  settings?: Partial<FreshBooksSettings>;
  faults?: FaultSettingsInput;
}

/** What `connections add freshbooks --config` takes (SPEC §7). */
export type FreshBooksConnectionConfig = {
  baseUrl: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accountId: string;
  businessUuid: string;
};

export interface FreshBooksSandbox {
  app: Hono<FreshBooksEnv>;
  admin: Hono;
  /** The user's businesses; the first holds the seeded data. */
  businesses: readonly BusinessData[];
  /** The first business's data. */
  data: BusinessData;
  settings: FreshBooksSettings;
  clock: Clock;
  tokens: FreshBooksTokenRegistry;
  webhooks: FreshBooksWebhooks;
  faults: FaultInjector;
  counters: RequestCounter;
  /** Where the app is served from (`<server>/freshbooks`), once the server listens. */
  setPublicUrl(url: string): void;
  /** The connection config of the seeded business with the default refresh token; needs the public URL. */
  connection(): FreshBooksConnectionConfig;
  close(): void;
}

const DEFAULT_MOUNT = '/freshbooks';
export const API_PREFIX = '/api';
export const AUTH_PREFIX = '/auth';

/** What the request counter files a request under. */
function objectTypeOf(path: string): string | undefined {
  if (!path.startsWith(API_PREFIX)) return path.startsWith(AUTH_PREFIX) ? 'authorize' : undefined;
  const rest = path.slice(API_PREFIX.length);
  if (rest === TOKEN_PATH) return 'token';
  const parsed = parseApiPath(rest);
  if (!parsed) return undefined;
  if (parsed.family === 'identity') return 'identity';
  if (parsed.family === 'events') return 'callbacks';
  if (parsed.family === 'business') return /\/reports\//.test(rest) ? 'reports' : 'ledger_accounts';
  return parsed.resource;
}

export function createFreshBooksSandbox(options: FreshBooksSandboxOptions): FreshBooksSandbox {
  const { clock } = options;
  const random = new SeededRandom(`freshbooks/${options.seed}`);
  let publicUrl: string | undefined;
  const rootOf = (c: Context) => publicUrl ?? `${new URL(c.req.url).origin}${DEFAULT_MOUNT}`;

  const initial: FreshBooksSettings = { accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_SECONDS, ...DEFAULT_SETTINGS, ...options.settings };
  const settings: FreshBooksSettings = structuredClone(initial);
  const identity = identitySeed(options.seed);
  const createdMs = clock.now() - 800 * 86_400_000;
  const businesses = [
    new BusinessData({ clock, seed: options.seed, size: options.size, business: identity.businesses[0] }),
    new BusinessData({ clock, seed: options.seed, size: 'empty', business: identity.businesses[1] }),
  ] as const;
  const byAccountId = (accountId: string) => businesses.find((b) => b.accountId === accountId);
  const byBusinessUuid = (uuid: string) => businesses.find((b) => b.business.businessUuid === uuid);

  const tokens = new FreshBooksTokenRegistry({ clock, random, accessTokenLifetimeSeconds: () => settings.accessTokenLifetimeSeconds });
  const faults = new FaultInjector(options.faults ?? {});
  const counters = new RequestCounter();
  const webhooks = new FreshBooksWebhooks({
    clock,
    random,
    settings: () => settings,
    idsOf: (accountId) => {
      const business = byAccountId(accountId);
      return business ? { businessId: business.business.id, identityId: identity.userId, userId: 1 } : undefined;
    },
    subscribe: (listener) => {
      const unsubscribes = businesses.map((b) => b.subscribe(listener));
      return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
    },
  });

  const app = new Hono<FreshBooksEnv>();
  app.use('*', countRequests(counters, { objectType: (_params, c) => objectTypeOf(c.req.path) }));
  const errorOf = (status: number, message: string) => new FreshBooksApiError(status, status === 429 ? ERRNO.rateLimited : ERRNO.internal, message);
  const faultMiddleware = injectFaults(faults, clock, {
    // FreshBooks publishes no 429 body (§7 UNCERTAIN): the accounting error in the current style, status kept.
    tooManyRequests: (c) => sendJson(c, 429, accountingErrorBody(errorOf(429, 'Too many requests (injected fault).'), settings.errorStyle === 'rpc' ? 'rpc' : 'legacy').body),
    serverError: (c, status) => sendJson(c, status, accountingErrorBody(errorOf(status, `Injected fault: HTTP ${status}`), settings.errorStyle === 'rpc' ? 'rpc' : 'legacy').body),
  });
  // Faults strike the API; the token endpoint and the authorization page stay reliable (a known deviation).
  app.use(`${API_PREFIX}/*`, (c, next) => (c.req.path === `${API_PREFIX}${TOKEN_PATH}` ? next() : faultMiddleware(c, next)));
  app.use(`${API_PREFIX}/*`, apiGate({ clock, tokens, byAccountId, byBusinessUuid, settings: () => settings, prefix: API_PREFIX }));

  registerAuthorizationRoutes(app as unknown as Hono, AUTH_PREFIX, API_PREFIX, {
    tokens,
    settings: () => settings,
    clock,
    authRoot: (c) => `${rootOf(c)}${AUTH_PREFIX}`,
    user: () => ({ name: `${identity.firstName} ${identity.lastName} <${identity.email}>`, business: identity.businesses[0].name }),
  });
  registerIdentityRoutes(app, API_PREFIX, { user: identity, businesses: () => businesses, createdMs });
  registerAccountingRoutes(app, API_PREFIX);
  registerCallbackRoutes(app, API_PREFIX, webhooks);

  app.notFound((c) =>
    c.req.path.startsWith(`${API_PREFIX}/`)
      ? sendJson(c, 404, accountingErrorBody(new FreshBooksApiError(404, ERRNO.notFound, `No API route ${c.req.method} ${c.req.path.slice(API_PREFIX.length)}.`), 'rpc').body)
      : c.json({ error: 'not_found', message: `No FreshBooks sandbox route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError((error, c) => {
    const apiError =
      error instanceof FreshBooksApiError
        ? error
        : error instanceof HTTPException && error.status < 500
          ? new FreshBooksApiError(400, ERRNO.invalidParameter, error.message || 'Bad request')
          : undefined;
    if (!apiError) {
      console.error('FreshBooks sandbox error:', error instanceof Error ? error.message : String(error));
      return sendJson(c, 500, accountingErrorBody(new FreshBooksApiError(500, ERRNO.internal, 'Internal error.'), 'rpc').body);
    }
    if (c.req.path.startsWith(`${API_PREFIX}/events/`)) return sendJson(c, apiError.status, eventErrorBody(apiError));
    const { status, body } = accountingErrorBody(apiError, settings.errorStyle);
    return sendJson(c, status, body);
  });

  const admin = createFreshBooksAdmin({
    clock,
    businesses,
    settings,
    restoreSettings: () => Object.assign(settings, structuredClone(initial)),
    tokens,
    webhooks,
    faults,
    counters,
  });

  return {
    app,
    admin,
    businesses,
    data: businesses[0],
    settings,
    clock,
    tokens,
    webhooks,
    faults,
    counters,
    setPublicUrl(url) {
      publicUrl = url.replace(/\/+$/, '');
    },
    connection() {
      if (publicUrl === undefined) throw new Error('The FreshBooks sandbox has no public URL yet (setPublicUrl)');
      return {
        baseUrl: `${publicUrl}${API_PREFIX}`,
        authUrl: `${publicUrl}${AUTH_PREFIX}`,
        clientId: tokens.app.clientId,
        clientSecret: tokens.app.clientSecret,
        refreshToken: tokens.defaultRefreshToken,
        accountId: businesses[0].accountId,
        businessUuid: businesses[0].business.businessUuid,
      };
    },
    close() {
      webhooks.close();
    },
  };
}
