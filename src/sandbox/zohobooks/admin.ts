/**
 * The Zoho Books sandbox's admin surface, mounted at `/_admin/zohobooks`:
 * request counts, reset, organization settings (plan, limits, data centre),
 * the clock, faults, tokens (mint, revoke, expire) and raw data (bulk
 * insert, set any field bypassing validation, move modification times). It
 * is ours, not Zoho's: plain JSON, no auth, no limits, zod-checked input,
 * and its answers never contain the client secret.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ZOHO_DATA_CENTRES } from '../../systems/zohobooks/data-centres.ts';
import { ZOHO_PLANS } from '../../systems/zohobooks/limits.ts';
import { isZohoBooksScope } from '../../systems/zohobooks/scopes.ts';
import { AdminInputError, handleAdminErrors, parseAdminBody, registerCommonAdminRoutes } from '../common/admin-surface.ts';
import type { FaultInjector } from '../common/faults.ts';
import type { RequestCounter } from '../common/request-counter.ts';
import { RECORD_KINDS, type RecordKind, type ZohoBooksData } from './data.ts';
import type { ZohoRateLimiter } from './rate-limits.ts';
import type { ZohoTokenRegistry } from './tokens.ts';

export interface ZohoBooksAdminParts {
  clock: Clock;
  data: ZohoBooksData;
  tokens: ZohoTokenRegistry;
  limits: ZohoRateLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
}

const SettingsPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    dataCentre: z.enum(ZOHO_DATA_CENTRES).optional().describe('Where the organization lives; new tokens name this data centre’s API host.'),
    plan: z.enum(ZOHO_PLANS).optional().describe('Sets the daily limit and the concurrency gate.'),
    dailyLimit: z.number().int().positive().nullable().optional().describe('Overrides the plan’s daily limit (null: the plan’s).'),
    perMinuteLimit: z.number().int().positive().optional().describe('Requests per rolling minute (Zoho: 100).'),
    concurrencyLimit: z.number().int().positive().nullable().optional().describe('Overrides the plan’s concurrency gate (null: the plan’s).'),
    timeZone: z.string().min(1).max(50).optional(),
    utcOffsetMinutes: z.number().int().min(-720).max(840).optional().describe('The fixed offset timestamps are written in.'),
    accessTokenLifetimeSeconds: z.number().int().positive().max(86_400).optional(),
    processingDelayMs: z.number().int().min(0).max(600_000).optional().describe('Time each admitted API request spends in process.'),
  })
  .strict();


const MintSchema = z
  .object({
    scopes: z
      .array(z.string().refine(isZohoBooksScope, 'not a Zoho Books scope'))
      .min(1)
      .default(['ZohoBooks.fullaccess.all'])
      .describe('Scopes of the new refresh token.'),
  })
  .strict();

const RevokeSchema = z.object({ token: z.string().min(1).describe('A refresh token (its access tokens go too) or an access token.') }).strict();

const ExpireSchema = z
  .object({ refreshToken: z.string().min(1).optional().describe('Only the access tokens of this refresh token; all when absent.') })
  .strict();

const BulkInsertSchema = z
  .object({ records: z.array(z.record(z.string(), z.unknown())).max(1_000_000).describe('Records in Zoho’s shape; inserted as given.') })
  .strict();

const SetFieldsSchema = z
  .object({
    fields: z.record(z.string(), z.unknown()).describe('Field values to set as given, bypassing every validation.'),
    touch: z.boolean().default(true).describe('Move last_modified_time to now (unless `fields` sets it).'),
  })
  .strict();

const instant = z.union([z.number().int(), z.string().min(1)]).describe('Epoch ms, or a Zoho/ISO timestamp.');

const ModifiedTimeSchema = z
  .object({
    ids: z.array(z.string().min(1)).min(1).max(100_000),
    at: instant,
  })
  .strict();

function kindParam(c: Context): RecordKind {
  const raw = c.req.param('kind') ?? '';
  if (!(RECORD_KINDS as readonly string[]).includes(raw)) {
    throw new AdminInputError('unknown_kind', `Unknown record kind "${raw}"; kinds: ${RECORD_KINDS.join(', ')}.`, 404);
  }
  return raw as RecordKind;
}

function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new AdminInputError('invalid_request', `"${value}" is not a timestamp.`);
  return ms;
}

export function createZohoBooksAdmin(parts: ZohoBooksAdminParts): Hono {
  const { clock, data, tokens, limits, faults, counters } = parts;
  const admin = new Hono();
  const raw = (record: { id: string; createdMs: number; modifiedMs: number; body: unknown }) => ({
    id: record.id,
    created_time: data.timestamp(record.createdMs),
    last_modified_time: data.timestamp(record.modifiedMs),
    body: record.body,
  });

  registerCommonAdminRoutes(admin, { counters, clock, faults, settings: data.settings, settingsPatch: SettingsPatchSchema });

  admin.post('/reset', (c) => {
    data.reset();
    limits.reset();
    counters.reset();
    faults.restore();
    tokens.reset();
    return c.body(null, 204);
  });

  admin.get('/limits', (c) => c.json(limits.state()));

  admin.get('/tokens', (c) => c.json({ clientId: tokens.client.clientId, ...tokens.counts() }));
  admin.post('/tokens/refresh', async (c) => {
    const { scopes } = await parseAdminBody(c, MintSchema);
    const record = tokens.issueRefreshToken(scopes);
    return c.json({ refreshToken: record.token, scopes: record.scopes, dataCentre: record.dataCentre }, 201);
  });
  admin.post('/tokens/revoke', async (c) => {
    const { token } = await parseAdminBody(c, RevokeSchema);
    return c.json({ revoked: tokens.revoke(token) });
  });
  admin.post('/tokens/expire', async (c) => {
    const { refreshToken } = await parseAdminBody(c, ExpireSchema);
    return c.json({ expired: tokens.expireAccessTokens(refreshToken) });
  });

  admin.get('/records/:kind/count', (c) => {
    const kind = kindParam(c);
    return c.json({ kind, count: data.collection(kind).size, inMemory: data.collection(kind).overlaySize });
  });
  admin.post('/records/:kind/bulk', async (c) => {
    const kind = kindParam(c);
    const { records } = await parseAdminBody(c, BulkInsertSchema);
    const ids = data.bulkInsert(kind, records);
    return c.json({ kind, inserted: ids.length, count: data.collection(kind).size, ids }, 201);
  });
  admin.post('/records/:kind/modified-time', async (c) => {
    const kind = kindParam(c);
    const { ids, at } = await parseAdminBody(c, ModifiedTimeSchema);
    const updated = data.setModifiedTime(kind, ids, toMs(at));
    const missing = ids.filter((id) => !updated.includes(id));
    return c.json({ kind, updated: updated.length, missing, last_modified_time: data.timestamp(toMs(at)) });
  });
  admin.get('/records/:kind/:id{[0-9]+}', (c) => {
    const kind = kindParam(c);
    const record = data.collection(kind).get(c.req.param('id'));
    if (!record) throw new AdminInputError('not_found', `No ${kind} record ${c.req.param('id')}.`, 404);
    return c.json(raw(record));
  });
  admin.patch('/records/:kind/:id{[0-9]+}', async (c) => {
    const kind = kindParam(c);
    const { fields, touch } = await parseAdminBody(c, SetFieldsSchema);
    const record = data.setFields(kind, c.req.param('id'), fields, touch);
    if (!record) throw new AdminInputError('not_found', `No ${kind} record ${c.req.param('id')}.`, 404);
    return c.json(raw(record));
  });

  handleAdminErrors(admin, 'Zoho Books');
  return admin;
}
