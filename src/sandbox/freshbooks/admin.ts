/**
 * The FreshBooks sandbox's admin surface, mounted at `/_admin/freshbooks`:
 * request counts (token requests included), reset, settings (token lifetime,
 * redirect URIs, error style, webhook retries and holding), the clock,
 * faults, tokens (mint, revoke, expire, grant counts), raw data (bulk insert,
 * read and set stored fields, move `updated`) and webhooks (callbacks,
 * events, the delivery log, re-delivery, releasing held events in any
 * order). It is ours, not FreshBooks': plain JSON, no auth, zod-checked
 * input, and its answers never contain the client secret or a verifier.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { isFreshBooksScope } from '../../systems/freshbooks/scopes.ts';
import { formatEasternTimestamp, parseEasternTimestamp } from '../../systems/freshbooks/timestamps.ts';
import { AdminInputError, handleAdminErrors, parseAdminBody, registerCommonAdminRoutes } from '../common/admin-surface.ts';
import type { FaultInjector } from '../common/faults.ts';
import type { RequestCounter } from '../common/request-counter.ts';
import type { FreshBooksSettings } from './context.ts';
import { RECORD_KINDS, type BusinessData, type RecordKind } from './data.ts';
import type { FreshBooksTokenRegistry } from './tokens.ts';
import type { FreshBooksWebhooks } from './webhooks.ts';

export interface FreshBooksAdminParts {
  clock: Clock;
  businesses: readonly BusinessData[];
  settings: FreshBooksSettings;
  restoreSettings: () => void;
  tokens: FreshBooksTokenRegistry;
  webhooks: FreshBooksWebhooks;
  faults: FaultInjector;
  counters: RequestCounter;
}

const SettingsPatchSchema = z
  .object({
    accessTokenLifetimeSeconds: z.number().int().positive().max(30 * 86_400).optional().describe('Lifetime of access tokens issued from now on (FreshBooks: 43200).'),
    redirectUris: z.array(z.url()).max(20).optional().describe('Redirect URIs registered for the app; empty: any http(s) URI without a query string.'),
    errorStyle: z.enum(['rpc', 'legacy', 'legacy-200']).optional().describe('Accounting errors in the google.rpc style, the older response.errors style, or that with HTTP 200.'),
    processingDelayMs: z.number().int().min(0).max(600_000).optional().describe('Time each API request spends in process (sandbox clock).'),
    webhookMaxAttempts: z.number().int().min(1).max(100).optional().describe('Attempts per delivery, the first included.'),
    webhookRetryDelayMs: z.number().int().min(0).max(86_400_000).optional().describe('Wait between a delivery’s attempts (sandbox clock).'),
    webhookTimeoutMs: z.number().int().min(1).max(600_000).optional().describe('A reply slower than this (real time) counts as failed.'),
    webhookDisableAfterFailures: z.number().int().min(1).max(1_000).optional().describe('Failed deliveries in a row before a callback is disabled.'),
    webhookHold: z.boolean().optional().describe('Hold new events instead of delivering them (release them with POST /webhooks/release).'),
  })
  .strict();

const MintSchema = z
  .object({ scopes: z.array(z.string().refine(isFreshBooksScope, 'not a FreshBooks scope')).min(1).optional().describe('Scopes of the new refresh token (default: all).') })
  .strict();
const RevokeSchema = z.object({ token: z.string().min(1).describe('A refresh token or an access token.') }).strict();
const BulkInsertSchema = z
  .object({ records: z.array(z.record(z.string(), z.unknown())).max(1_000_000).describe('Stored bodies (seed.ts), inserted as given; createdMs/updatedMs optional.') })
  .strict();
const SetFieldsSchema = z
  .object({
    fields: z.record(z.string(), z.unknown()).describe('Stored fields to set as given, bypassing every validation.'),
    touch: z.boolean().default(true).describe('Move `updated` to now.'),
  })
  .strict();
const instant = z.union([z.number().int(), z.string().min(1)]).describe('Epoch ms, an ISO timestamp, or an Eastern `YYYY-MM-DD hh:mm:ss`.');
const UpdatedTimeSchema = z.object({ ids: z.array(z.string().min(1)).min(1).max(100_000), at: instant }).strict();
const RedeliverSchema = z.object({ callbackId: z.number().int().positive().optional().describe('Only to this callback (default: every callback the event went to).') }).strict();
const ReleaseSchema = z
  .object({
    order: z.enum(['fifo', 'reverse']).default('fifo').describe('The held events in the order they happened, or reversed.'),
    eventIds: z.array(z.number().int().positive()).optional().describe('These events first, in this order; the rest after.'),
  })
  .strict();

function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const eastern = parseEasternTimestamp(value);
  if (eastern !== undefined && !/[TZ+]/.test(value.slice(10))) return eastern;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AdminInputError('invalid_request', `"${value}" is not a timestamp.`);
  return ms;
}

export function createFreshBooksAdmin(parts: FreshBooksAdminParts): Hono {
  const { clock, businesses, settings, tokens, webhooks, faults, counters } = parts;
  const admin = new Hono();

  const businessOf = (c: Context): BusinessData => {
    const accountId = c.req.query('accountId');
    if (accountId === undefined) return businesses[0]!;
    const found = businesses.find((b) => b.accountId === accountId);
    if (!found) throw new AdminInputError('unknown_account', `No business with account id ${accountId}; accounts: ${businesses.map((b) => b.accountId).join(', ')}.`, 404);
    return found;
  };
  const kindParam = (c: Context): RecordKind => {
    const raw = c.req.param('kind') ?? '';
    if (!(RECORD_KINDS as readonly string[]).includes(raw)) throw new AdminInputError('unknown_kind', `Unknown record kind "${raw}"; kinds: ${RECORD_KINDS.join(', ')}.`, 404);
    return raw as RecordKind;
  };
  const raw = (record: { id: string; createdMs: number; updatedMs: number; body: unknown }) => ({
    id: record.id,
    created: new Date(record.createdMs).toISOString(),
    updated: formatEasternTimestamp(record.updatedMs),
    updatedMs: record.updatedMs,
    body: record.body,
  });

  registerCommonAdminRoutes(admin, { counters, clock, faults, settings, settingsPatch: SettingsPatchSchema });

  admin.post('/reset', (c) => {
    for (const business of businesses) business.reset();
    tokens.reset();
    webhooks.reset();
    counters.reset();
    faults.restore();
    parts.restoreSettings();
    return c.body(null, 204);
  });

  admin.get('/businesses', (c) =>
    c.json({ businesses: businesses.map((b) => ({ accountId: b.accountId, businessUuid: b.business.businessUuid, businessId: b.business.id, name: b.business.name })) }),
  );

  // ------------------------------------------------------------ tokens
  admin.get('/tokens', (c) => c.json({ clientId: tokens.app.clientId, ...tokens.state() }));
  admin.post('/tokens/refresh', async (c) => {
    const { scopes } = await parseAdminBody(c, MintSchema);
    const granted = scopes ?? [...tokens.app.scopes];
    return c.json({ refreshToken: tokens.mintRefreshToken(granted), scopes: granted }, 201);
  });
  admin.post('/tokens/revoke', async (c) => {
    const { token } = await parseAdminBody(c, RevokeSchema);
    return c.json({ revoked: tokens.revoke(token) });
  });
  admin.post('/tokens/expire', (c) => c.json({ expired: tokens.expireAccessTokens() }));

  // ------------------------------------------------------------ records
  admin.get('/records/:kind/count', (c) => {
    const data = businessOf(c);
    const collection = data.collection(kindParam(c));
    return c.json({ kind: kindParam(c), accountId: data.accountId, count: collection.size, inMemory: collection.overlaySize });
  });
  admin.post('/records/:kind/bulk', async (c) => {
    const data = businessOf(c);
    const kind = kindParam(c);
    const { records } = await parseAdminBody(c, BulkInsertSchema);
    const ids = data.bulkInsert(kind, records);
    return c.json({ kind, inserted: ids.length, count: data.collection(kind).size, ids }, 201);
  });
  admin.post('/records/:kind/updated-time', async (c) => {
    const data = businessOf(c);
    const kind = kindParam(c);
    const { ids, at } = await parseAdminBody(c, UpdatedTimeSchema);
    const updated = data.setUpdatedTime(kind, ids, toMs(at));
    return c.json({ kind, updated: updated.length, missing: ids.filter((id) => !updated.includes(id)), at: formatEasternTimestamp(toMs(at)) });
  });
  admin.get('/records/:kind/:id{[0-9]+}', (c) => {
    const record = businessOf(c).collection(kindParam(c)).get(c.req.param('id'));
    if (!record) throw new AdminInputError('not_found', `No ${c.req.param('kind')} record ${c.req.param('id')}.`, 404);
    return c.json(raw(record));
  });
  admin.patch('/records/:kind/:id{[0-9]+}', async (c) => {
    const { fields, touch } = await parseAdminBody(c, SetFieldsSchema);
    const record = businessOf(c).setFields(kindParam(c), c.req.param('id'), fields, touch);
    if (!record) throw new AdminInputError('not_found', `No ${c.req.param('kind')} record ${c.req.param('id')}.`, 404);
    return c.json(raw(record));
  });

  // ------------------------------------------------------------ webhooks
  admin.get('/webhooks/callbacks', (c) => c.json({ callbacks: webhooks.callbacks() }));
  admin.post('/webhooks/callbacks/:id{[0-9]+}/enable', (c) => {
    const callback = webhooks.enable(Number(c.req.param('id')));
    if (!callback) throw new AdminInputError('not_found', `No callback ${c.req.param('id')}.`, 404);
    return c.json({ callbackId: callback.id, verified: callback.verified, disabled: callback.disabled });
  });
  admin.get('/webhooks/events', (c) => c.json({ events: webhooks.events() }));
  admin.get('/webhooks/deliveries', async (c) => {
    if (c.req.query('wait') === 'true') await webhooks.idle();
    return c.json({ deliveries: webhooks.deliveries() });
  });
  admin.post('/webhooks/events/:id{[0-9]+}/redeliver', async (c) => {
    const { callbackId } = await parseAdminBody(c, RedeliverSchema);
    try {
      return c.json({ deliveries: webhooks.redeliver(Number(c.req.param('id')), callbackId) }, 202);
    } catch (error) {
      throw new AdminInputError('not_found', (error as Error).message, 404);
    }
  });
  admin.post('/webhooks/release', async (c) => {
    const { order, eventIds } = await parseAdminBody(c, ReleaseSchema);
    return c.json({ released: webhooks.release(order, eventIds) });
  });

  handleAdminErrors(admin, 'FreshBooks');
  return admin;
}
