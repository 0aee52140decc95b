/**
 * The Zoho Books sandbox assembled: one Hono app serving Zoho Accounts under
 * `/accounts` and the Books API of every data centre under
 * `/api/<dc>/books/v3`, plus its admin app. Mounted at `/zohobooks` by the
 * sandbox server, so a token response's `api_domain` is
 * `<server>/zohobooks/api/<dc>` (reference §1: calls go to
 * `<api_domain>/books/v3`).
 *
 * Order of the middleware: the request counter is outermost (it sees
 * injected faults); faults come before the API gate (an injected failure
 * consumes no quota); the gate checks token, organization, limits and scope.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Clock } from '../../core/clock.ts';
import type { ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import { ZOHO_CODES, ZOHO_MESSAGES } from '../../systems/zohobooks/error-codes.ts';
import { ACCESS_TOKEN_LIFETIME_SECONDS, REQUESTS_PER_MINUTE } from '../../systems/zohobooks/limits.ts';
import { FaultInjector, injectFaults, type FaultSettingsInput } from '../common/faults.ts';
import { RequestCounter, countRequests } from '../common/request-counter.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import { registerAccountsRoutes } from './accounts.ts';
import { createZohoBooksAdmin } from './admin.ts';
import { apiGate, moduleOf, parseApiPath } from './api-gate.ts';
import type { OrganizationSettings } from './context.ts';
import { ZohoBooksData } from './data.ts';
import { sendZohoError, ZohoApiError } from './errors.ts';
import { ZohoRateLimiter } from './rate-limits.ts';
import { registerBooksRoutes } from './routes.ts';
import type { SeedSize } from './seed.ts';
import { ZohoTokenRegistry } from './tokens.ts';

export interface ZohoBooksSandboxOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
  /** Organization settings other than its id (defaults: us, Professional, 100/minute, PST). */
  settings?: Partial<Omit<OrganizationSettings, 'organizationId'>>;
  faults?: FaultSettingsInput;
}

/** What `connections add zohobooks --config` takes (SPEC §7); the API host comes from `api_domain`. */
export interface ZohoBooksConnectionConfig {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  organizationId: string;
}

export interface ZohoBooksSandbox {
  /** Accounts under `/accounts`, the API under `/api/<dc>/books/v3`. */
  app: Hono;
  /** The admin surface (mounted at `/_admin/zohobooks` by the server). */
  admin: Hono;
  data: ZohoBooksData;
  settings: OrganizationSettings;
  clock: Clock;
  tokens: ZohoTokenRegistry;
  limits: ZohoRateLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
  /** Where the app is served from (`<server>/zohobooks`), once the server listens. */
  setPublicUrl(url: string): void;
  /** The connection config for the default refresh token; needs the public URL. */
  connection(): ZohoBooksConnectionConfig;
  close(): void;
}

/** The mount point the sandbox server gives this app; used until `setPublicUrl` says otherwise. */
const DEFAULT_MOUNT = '/zohobooks';

function handleError(error: Error, c: Context): Response {
  if (error instanceof ZohoApiError) return sendZohoError(c, error.status, error.code, error.message);
  if (error instanceof HTTPException && error.status < 500) {
    return sendZohoError(c, error.status, ZOHO_CODES.invalidValue, error.message || 'Bad request');
  }
  console.error('Zoho Books sandbox error:', error instanceof Error ? error.message : String(error));
  return sendZohoError(c, 500, ZOHO_CODES.internalError, 'Internal Error');
}

export function createZohoBooksSandbox(options: ZohoBooksSandboxOptions): ZohoBooksSandbox {
  const { clock } = options;
  const random = new SeededRandom(`zohobooks/${options.seed}`);
  let publicUrl: string | undefined;
  const rootOf = (c: Context) => publicUrl ?? `${new URL(c.req.url).origin}${DEFAULT_MOUNT}`;

  // The organization id is part of the seed; everything else can be changed at run time.
  const placeholder: OrganizationSettings = {
    organizationId: '',
    name: 'Sandbox Traders',
    dataCentre: 'us',
    plan: 'professional',
    dailyLimit: null,
    perMinuteLimit: REQUESTS_PER_MINUTE,
    concurrencyLimit: null,
    timeZone: 'PST',
    utcOffsetMinutes: -480,
    currencyCode: 'USD',
    accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_SECONDS,
    processingDelayMs: 0,
    ...options.settings,
  };
  const data = new ZohoBooksData({ clock, seed: options.seed, size: options.size, settings: placeholder });
  const settings = data.settings;
  settings.organizationId = data.seed.organizationId;
  const organizationCreatedMs = clock.now() - 800 * 86_400_000;

  const tokens = new ZohoTokenRegistry({
    clock,
    random,
    dataCentre: () => settings.dataCentre,
    accessTokenLifetimeSeconds: () => settings.accessTokenLifetimeSeconds,
  });
  const limits = new ZohoRateLimiter(clock, () => settings);
  const faults = new FaultInjector(options.faults ?? {});
  const counters = new RequestCounter();

  const app = new Hono();
  app.use(
    '*',
    countRequests(counters, {
      objectType: (_params, c) => {
        const parsed = parseApiPath(c.req.path);
        return parsed ? moduleOf(parsed.rest) : undefined;
      },
    }),
  );
  // Faults strike the Books API only; the accounts server stays reliable (a known deviation).
  app.use(
    '/api/*',
    injectFaults(faults, clock, {
      // §7: Zoho's own 429 body for the per-minute block.
      tooManyRequests: (c) => sendZohoError(c, 429, ZOHO_CODES.perMinuteLimit, ZOHO_MESSAGES.perMinuteLimit),
      serverError: (c, status) => sendZohoError(c, status, ZOHO_CODES.internalError, 'Internal Error'),
    }),
  );
  app.use('/api/*', apiGate({ clock, tokens, limits, settings: () => settings }));

  registerAccountsRoutes(app, '/accounts', {
    tokens,
    clock,
    dataCentre: () => settings.dataCentre,
    publicUrl: rootOf,
    apiDomain: (c, dc: ZohoDataCentre) => `${rootOf(c)}/api/${dc}`,
  });
  registerBooksRoutes(app, data, organizationCreatedMs);

  app.notFound((c) =>
    parseApiPath(c.req.path)
      ? sendZohoError(c, 404, ZOHO_CODES.invalidUrl, ZOHO_MESSAGES.invalidUrl)
      : c.json({ error: 'not_found', message: `No Zoho Books sandbox route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError(handleError);

  const admin = createZohoBooksAdmin({ clock, data, tokens, limits, faults, counters });

  return {
    app,
    admin,
    data,
    settings,
    clock,
    tokens,
    limits,
    faults,
    counters,
    setPublicUrl(url) {
      publicUrl = url.replace(/\/+$/, '');
    },
    connection() {
      if (publicUrl === undefined) throw new Error('The Zoho Books sandbox has no public URL yet (setPublicUrl)');
      return {
        accountsUrl: `${publicUrl}/accounts`,
        clientId: tokens.client.clientId,
        clientSecret: tokens.client.clientSecret,
        refreshToken: tokens.defaultRefreshToken,
        organizationId: settings.organizationId,
      };
    },
    close() {},
  };
}
