/**
 * The HubSpot sandbox's admin surface, mounted at `/_admin/hubspot`: request
 * counts, reset, portal settings, the clock, faults, tokens, webhooks and
 * bulk data. It is ours, not HubSpot's: plain JSON, no auth, no rate limits,
 * and its answers never contain a client secret.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { resolveObjectType, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import { AdminInputError, handleAdminErrors, parseAdminBody, registerCommonAdminRoutes } from '../common/admin-surface.ts';
import type { FaultInjector } from '../common/faults.ts';
import type { RequestCounter } from '../common/request-counter.ts';
import type { TokenRegistry } from './auth.ts';
import type { PortalSettings } from './context.ts';
import { HubSpotApiError } from './errors.ts';
import type { HubSpotRateLimiter } from './rate-limits.ts';
import { WebhookConfigSchema, type WebhookDeliverer } from './webhooks.ts';

/** What the admin surface needs of the data plane (HubSpotData). */
export interface AdminData {
  readonly settings: PortalSettings;
  reset(): void;
  /** `records[i]` is `{properties, createdAt?, updatedAt?}`; returns the new ids in order. */
  bulkInsert(type: HubSpotObjectType, records: Array<Record<string, unknown>>): string[];
  count(type: HubSpotObjectType): number;
}

export interface HubSpotAdminParts {
  clock: Clock;
  data: AdminData;
  tokens: TokenRegistry;
  limits: HubSpotRateLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
  webhooks: WebhookDeliverer;
}

const SettingsPatchSchema = z
  .object({
    tier: z.enum(['free', 'starter', 'professional', 'enterprise']).optional(),
    invoiceWrites: z.boolean().optional(),
    commercePayments: z.boolean().optional(),
    searchIndexDelayMs: z.number().int().min(0).max(3_600_000).optional(),
  })
  .strict();


const TokenCreateSchema = z
  .object({
    scopes: z.array(z.string().min(1)).optional().describe('Granted scopes; every scope when absent.'),
    expiresInMs: z.number().int().optional().describe('The token expires this long from now (negative: already expired).'),
    appId: z.number().int().positive().optional().describe('The app the token belongs to (its own 10-second window).'),
  })
  .strict();

const BulkInsertSchema = z
  .object({ records: z.array(z.record(z.string(), z.unknown())).max(1_000_000) })
  .strict();

function objectTypeParam(c: Context): HubSpotObjectType {
  const raw = c.req.param('type') ?? '';
  const type = resolveObjectType(raw);
  if (!type) throw new AdminInputError('unknown_object_type', `Unknown HubSpot object type "${raw}".`, 404);
  return type;
}

export function createHubSpotAdmin(parts: HubSpotAdminParts): Hono {
  const { clock, data, tokens, limits, faults, counters, webhooks } = parts;
  const admin = new Hono();

  registerCommonAdminRoutes(admin, { counters, clock, faults, settings: data.settings, settingsPatch: SettingsPatchSchema });

  admin.post('/reset', (c) => {
    data.reset();
    limits.reset();
    counters.reset();
    faults.restore();
    webhooks.reset();
    return c.body(null, 204);
  });

  admin.get('/limits', (c) => {
    const appId = Number(c.req.query('appId') ?? tokens.defaultAppId);
    if (!Number.isSafeInteger(appId)) throw new AdminInputError('invalid_request', 'appId must be an integer.');
    return c.json({ appId, tier: data.settings.tier, ...limits.state(appId) });
  });

  admin.post('/tokens', async (c) => {
    const input = await parseAdminBody(c, TokenCreateSchema);
    const record = tokens.create(input);
    return c.json(record, 201);
  });
  admin.delete('/tokens/:token', (c) => {
    if (!tokens.revoke(c.req.param('token'))) {
      return c.json({ error: 'not_found', message: 'No such token.' }, 404);
    }
    return c.body(null, 204);
  });

  admin.get('/webhooks', (c) => c.json({ settings: webhooks.settings ?? null }));
  admin.put('/webhooks', async (c) => {
    const config = await parseAdminBody(c, WebhookConfigSchema);
    webhooks.configure(config);
    return c.json({ settings: webhooks.settings });
  });
  admin.delete('/webhooks', (c) => {
    webhooks.disable();
    return c.body(null, 204);
  });
  admin.get('/webhooks/deliveries', (c) => c.json({ deliveries: webhooks.deliveries() }));

  admin.post('/objects/:type/bulk', async (c) => {
    const type = objectTypeParam(c);
    const { records } = await parseAdminBody(c, BulkInsertSchema);
    const ids = data.bulkInsert(type, records);
    return c.json({ type, inserted: ids.length, count: data.count(type), ids }, 201);
  });
  admin.get('/objects/:type/count', (c) => {
    const type = objectTypeParam(c);
    return c.json({ type, count: data.count(type) });
  });

  handleAdminErrors(admin, 'HubSpot', (error, c) =>
    // The data plane refused the records (e.g. a bulk insert of invalid properties): pass its reason on.
    error instanceof HubSpotApiError ? c.json({ error: error.fields.category, ...error.fields }, error.status as 400) : undefined,
  );
  return admin;
}
