/**
 * The HubSpot sandbox assembled: the data plane's routes behind the control
 * plane (control-plane.ts), plus the admin app and the webhook deliverer.
 */
import { Hono } from 'hono';
import type { Clock } from '../../core/clock.ts';
import type { HubSpotTier } from '../../systems/hubspot/object-types.ts';
import type { FaultInjector, FaultSettingsInput } from '../common/faults.ts';
import type { RequestCounter } from '../common/request-counter.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import { createHubSpotAdmin } from './admin.ts';
import type { TokenRegistry } from './auth.ts';
import type { HubSpotEnv, PortalSettings } from './context.ts';
import { createControlPlane, installControlPlane } from './control-plane.ts';
import { HubSpotData } from './data.ts';
import type { HubSpotRateLimiter } from './rate-limits.ts';
import { registerHubSpotRoutes } from './routes.ts';
import type { SeedSize } from './seed.ts';
import { WebhookDeliverer } from './webhooks.ts';

export type SandboxSize = SeedSize;

export interface HubSpotSandboxOptions {
  clock: Clock;
  seed: Seed;
  size: SandboxSize;
  tier: HubSpotTier;
  faults?: FaultSettingsInput;
  /** Portal settings other than the tier (defaults: invoice writes and payments on, no search delay). */
  settings?: Partial<Omit<PortalSettings, 'tier'>>;
}

export interface HubSpotSandbox {
  /** HubSpot's API, paths as on api.hubapi.com (`/crm/v3/...`). */
  app: Hono<HubSpotEnv>;
  /** The admin surface (mounted at `/_admin/hubspot` by the server). */
  admin: Hono;
  data: HubSpotData;
  clock: Clock;
  tokens: TokenRegistry;
  defaultToken: string;
  limits: HubSpotRateLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
  webhooks: WebhookDeliverer;
  /** Stops webhook deliveries; the server is closed by whoever serves the app. */
  close(): void;
}

export function createHubSpotSandbox(options: HubSpotSandboxOptions): HubSpotSandbox {
  const { clock } = options;
  const random = new SeededRandom(`hubspot/${options.seed}`);
  const settings: PortalSettings = {
    portalId: random.fork('portal').int(10_000_000, 99_999_999),
    tier: options.tier,
    invoiceWrites: true,
    commercePayments: true,
    searchIndexDelayMs: 0,
    ...options.settings,
  };
  const data = new HubSpotData({ clock, settings, seed: options.seed, size: options.size });
  const plane = createControlPlane({
    clock,
    random,
    tier: () => data.settings.tier,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const webhooks = new WebhookDeliverer({
    clock,
    random,
    portalId: () => data.settings.portalId,
    defaultAppId: plane.tokens.defaultAppId,
    subscribe: (listener) => data.onChange(listener),
    onError: (message) => console.error('HubSpot sandbox webhook delivery error:', message),
  });

  const app = new Hono<HubSpotEnv>();
  installControlPlane(app, plane, clock);
  registerHubSpotRoutes(app, data);
  const admin = createHubSpotAdmin({ clock, data, webhooks, ...plane });

  return {
    app,
    admin,
    data,
    clock,
    defaultToken: plane.tokens.defaultToken,
    ...plane,
    webhooks,
    close: () => webhooks.close(),
  };
}
