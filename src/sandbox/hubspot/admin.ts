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
import { FaultSettingsSchema, type FaultInjector } from '../common/faults.ts';
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

const ClockAdvanceSchema = z.object({ ms: z.number().int().min(0).describe('Milliseconds to move the clock forward.') }).strict();

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

class AdminInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly issues?: unknown,
  ) {
    super(message);
  }
}

async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let json: unknown;
  try {
    const text = await c.req.text();
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new AdminInputError('invalid_json', 'The request body is not valid JSON.');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new AdminInputError('invalid_request', z.prettifyError(result.error), result.error.issues);
  return result.data;
}

function objectTypeParam(c: Context): HubSpotObjectType {
  const raw = c.req.param('type') ?? '';
  const type = resolveObjectType(raw);
  if (!type) throw new AdminInputError('unknown_object_type', `Unknown HubSpot object type "${raw}".`);
  return type;
}

function isAdvanceable(clock: Clock): clock is Clock & { advance(ms: number): void } {
  return typeof (clock as { advance?: unknown }).advance === 'function';
}

export function createHubSpotAdmin(parts: HubSpotAdminParts): Hono {
  const { clock, data, tokens, limits, faults, counters, webhooks } = parts;
  const admin = new Hono();

  admin.get('/requests', (c) => c.json(counters.snapshot()));
  admin.delete('/requests', (c) => {
    counters.reset();
    return c.body(null, 204);
  });

  admin.post('/reset', (c) => {
    data.reset();
    limits.reset();
    counters.reset();
    faults.restore();
    webhooks.reset();
    return c.body(null, 204);
  });

  admin.get('/settings', (c) => c.json(data.settings));
  admin.patch('/settings', async (c) => {
    const patch = await parseBody(c, SettingsPatchSchema);
    Object.assign(data.settings, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    return c.json(data.settings);
  });

  admin.get('/clock', (c) => c.json({ now: clock.now(), iso: new Date(clock.now()).toISOString() }));
  admin.post('/clock/advance', async (c) => {
    const { ms } = await parseBody(c, ClockAdvanceSchema);
    if (!isAdvanceable(clock)) {
      return c.json({ error: 'clock_fixed', message: 'This sandbox runs on a clock that cannot be moved.' }, 409);
    }
    clock.advance(ms);
    return c.json({ now: clock.now(), iso: new Date(clock.now()).toISOString() });
  });

  admin.get('/limits', (c) => {
    const appId = Number(c.req.query('appId') ?? tokens.defaultAppId);
    if (!Number.isSafeInteger(appId)) throw new AdminInputError('invalid_request', 'appId must be an integer.');
    return c.json({ appId, tier: data.settings.tier, ...limits.state(appId) });
  });

  admin.get('/faults', (c) => c.json({ settings: faults.settings, stats: faults.stats }));
  admin.put('/faults', async (c) => {
    const settings = await parseBody(c, FaultSettingsSchema);
    faults.configure(settings);
    return c.json({ settings: faults.settings, stats: faults.stats });
  });

  admin.post('/tokens', async (c) => {
    const input = await parseBody(c, TokenCreateSchema);
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
    const config = await parseBody(c, WebhookConfigSchema);
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
    const { records } = await parseBody(c, BulkInsertSchema);
    const ids = data.bulkInsert(type, records);
    return c.json({ type, inserted: ids.length, count: data.count(type), ids }, 201);
  });
  admin.get('/objects/:type/count', (c) => {
    const type = objectTypeParam(c);
    return c.json({ type, count: data.count(type) });
  });

  admin.notFound((c) => c.json({ error: 'not_found', message: `No admin route ${c.req.method} ${c.req.path}` }, 404));
  admin.onError((error, c) => {
    if (error instanceof AdminInputError) {
      const status = error.code === 'unknown_object_type' ? 404 : 400;
      return c.json({ error: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) }, status);
    }
    if (error instanceof HubSpotApiError) {
      // The data plane refused the records (e.g. a bulk insert of invalid properties): pass its reason on.
      return c.json({ error: error.fields.category, ...error.fields }, error.status as 400);
    }
    console.error('sandbox admin error:', error instanceof Error ? error.message : String(error));
    return c.json({ error: 'internal_error', message: error instanceof Error ? error.message : 'internal error' }, 500);
  });
  return admin;
}
