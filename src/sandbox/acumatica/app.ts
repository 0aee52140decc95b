/**
 * The Acumatica sandbox assembled: one Hono app playing one instance, with
 * the identity server under `/identity` and the contract-based API under
 * `/entity`, plus its admin app. Mounted at `/acumatica` by the sandbox
 * server, so the instance URL is `<server>/acumatica` (an instance name in
 * the path, as an instance not at the web root has, §1).
 *
 * Order of the middleware: the request counter is outermost (it sees
 * injected faults); every answer carries the sandbox clock's `Date`; faults
 * come before the API gate (an injected failure takes no license slot); the
 * gate checks the credential, the user's rights and the license's limits.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Clock } from '../../core/clock.ts';
import {
  ACCESS_TOKEN_LIFETIME_SECONDS,
  DEFAULT_CONCURRENT_REQUESTS,
  DEFAULT_ENDPOINT_NAME,
  DEFAULT_ENDPOINT_VERSION,
  DEFAULT_REQUESTS_PER_MINUTE,
  MAX_QUEUED_REQUESTS,
  REFRESH_CHAIN_LIFETIME_MS,
} from '../../systems/acumatica/limits.ts';
import { parseEntityPath } from '../../systems/acumatica/paths.ts';
import { FaultInjector, injectFaults, type FaultSettingsInput } from '../common/faults.ts';
import { RequestCounter, countRequests } from '../common/request-counter.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import { createAcumaticaAdmin } from './admin.ts';
import { apiGate } from './api-gate.ts';
import { buildFor, type AcumaticaEnv, type InstanceSettings } from './context.ts';
import { AcumaticaData } from './data.ts';
import { registerEntityRoutes } from './entity-routes.ts';
import { AcumaticaApiError, badRequest, httpErrorBody, licenseLimitBody, sendApiError, sendJson } from './errors.ts';
import { registerIdentityRoutes } from './identity.ts';
import { IdentityRegistry } from './identity-tokens.ts';
import { LicenseLimiter } from './license-limits.ts';
import { PushDeliverer } from './push-notifications.ts';
import type { SeedSize } from './seed.ts';
import { SessionRegistry } from './sessions.ts';

export interface AcumaticaSandboxOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
  /** Instance settings (defaults: Default/24.200.001, the default license, hour-long tokens). */
  settings?: Partial<Omit<InstanceSettings, 'tenant'>>;
  faults?: FaultSettingsInput;
}

/** What `connections add acumatica --config` takes (SPEC §7): the resource-owner grant. */
export type AcumaticaConnectionConfig = {
  baseUrl: string;
  endpointName: string;
  endpointVersion: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
};

export interface AcumaticaSandbox {
  app: Hono<AcumaticaEnv>;
  admin: Hono;
  data: AcumaticaData;
  settings: InstanceSettings;
  clock: Clock;
  identity: IdentityRegistry;
  sessions: SessionRegistry;
  limits: LicenseLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
  push: PushDeliverer;
  /** Where the app is served from (`<server>/acumatica`), once the server listens. */
  setPublicUrl(url: string): void;
  /** The connection config of the sandbox's API user; needs the public URL. */
  connection(): AcumaticaConnectionConfig;
  close(): void;
}

const DEFAULT_MOUNT = '/acumatica';
export const SANDBOX_TENANT = 'SandboxCompany';

function handleError(error: Error, c: Context): Response {
  if (error instanceof AcumaticaApiError) return sendApiError(c, error);
  if (error instanceof HTTPException && error.status < 500) return sendApiError(c, badRequest(error.message || 'Bad request'));
  console.error('Acumatica sandbox error:', error instanceof Error ? error.message : String(error));
  return sendJson(c, 500, httpErrorBody({ message: 'An error has occurred.', exceptionMessage: 'Internal error', exceptionType: 'System.Exception' }));
}

export function createAcumaticaSandbox(options: AcumaticaSandboxOptions): AcumaticaSandbox {
  const { clock } = options;
  const random = new SeededRandom(`acumatica/${options.seed}`);
  let publicUrl: string | undefined;
  const rootOf = (c: Context) => publicUrl ?? `${new URL(c.req.url).origin}${DEFAULT_MOUNT}`;
  const mountPath = (c: Context) => new URL(rootOf(c)).pathname.replace(/\/+$/, '');

  const initial: InstanceSettings = {
    tenant: SANDBOX_TENANT,
    endpoints: [{ name: DEFAULT_ENDPOINT_NAME, version: DEFAULT_ENDPOINT_VERSION }],
    buildVersion: buildFor(options.settings?.endpoints?.[0]?.version ?? DEFAULT_ENDPOINT_VERSION),
    requestsPerMinute: DEFAULT_REQUESTS_PER_MINUTE,
    concurrentRequests: DEFAULT_CONCURRENT_REQUESTS,
    maxQueuedRequests: MAX_QUEUED_REQUESTS,
    processingDelayMs: 0,
    accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_SECONDS,
    refreshChainLifetimeDays: REFRESH_CHAIN_LIFETIME_MS / 86_400_000,
    maxSessions: 10,
    deniedEntities: [],
    redirectUris: [],
    ...options.settings,
  };
  const settings: InstanceSettings = structuredClone(initial);

  const data = new AcumaticaData({ clock, seed: options.seed, size: options.size });
  const identity = new IdentityRegistry({
    clock,
    random,
    tenant: settings.tenant,
    accessTokenLifetimeSeconds: () => settings.accessTokenLifetimeSeconds,
    refreshChainLifetimeMs: () => settings.refreshChainLifetimeDays * 86_400_000,
  });
  const sessions = new SessionRegistry(clock, random, () => settings.maxSessions);
  const limits = new LicenseLimiter(clock, () => settings);
  const faults = new FaultInjector(options.faults ?? {});
  const counters = new RequestCounter();
  const push = new PushDeliverer({ clock, random, tenant: () => settings.tenant, subscribe: (listener) => data.subscribe(listener) });

  const app = new Hono<AcumaticaEnv>();
  app.use(
    '*',
    countRequests(counters, {
      objectType: (_params, c) => parseEntityPath(c.req.path)?.entity,
    }),
  );
  app.use('*', async (c, next) => {
    // Clients learn the instance's time from it (the incremental reader closes its windows by it).
    c.header('Date', new Date(clock.now()).toUTCString());
    await next();
  });
  // Faults strike the API; the identity server stays reliable (a known deviation).
  app.use(
    '/entity/*',
    injectFaults(faults, clock, {
      tooManyRequests: (c) => {
        c.header('Retry-After', '1');
        return sendJson(c, 429, licenseLimitBody('The request was declined (injected fault).'));
      },
      serverError: (c, status) => sendJson(c, status, httpErrorBody({ message: 'An error has occurred.', exceptionMessage: `Injected fault: HTTP ${status}`, exceptionType: 'System.Exception' })),
    }),
  );
  app.use('/entity/*', apiGate({ clock, identity, sessions, limits, settings: () => settings }));

  registerIdentityRoutes(app as unknown as Hono, { identity, settings: () => settings, publicUrl: rootOf, clock });
  registerEntityRoutes(app, { data, identity, sessions, settings: () => settings, mountPath });

  app.notFound((c) =>
    c.req.path.startsWith('/entity/')
      ? c.body(null, 404)
      : c.json({ error: 'not_found', message: `No Acumatica sandbox route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.onError(handleError);

  const admin = createAcumaticaAdmin({
    clock,
    data,
    settings,
    identity,
    sessions,
    limits,
    faults,
    counters,
    push,
    restoreSettings: () => Object.assign(settings, structuredClone(initial)),
  });

  return {
    app,
    admin,
    data,
    settings,
    clock,
    identity,
    sessions,
    limits,
    faults,
    counters,
    push,
    setPublicUrl(url) {
      publicUrl = url.replace(/\/+$/, '');
    },
    connection() {
      if (publicUrl === undefined) throw new Error('The Acumatica sandbox has no public URL yet (setPublicUrl)');
      const endpoint = settings.endpoints.find((e) => e.name === DEFAULT_ENDPOINT_NAME) ?? settings.endpoints[0]!;
      return {
        baseUrl: publicUrl,
        endpointName: endpoint.name,
        endpointVersion: endpoint.version,
        clientId: identity.app.clientId,
        clientSecret: identity.app.clientSecret,
        username: identity.user.username,
        password: identity.user.password,
      };
    },
    close() {
      push.close();
    },
  };
}
