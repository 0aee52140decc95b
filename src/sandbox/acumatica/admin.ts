/**
 * The Acumatica sandbox's admin surface, mounted at `/_admin/acumatica`:
 * request counts, reset, instance settings (endpoints served, license
 * limits, token lifetimes), the clock, faults, "upgrade the instance",
 * tokens (revoke a refresh token, expire access tokens), sessions, raw data
 * (bulk insert, set fields bypassing validation, move LastModifiedDateTime
 * of many records, pay an invoice) and push notifications. It is ours, not
 * Acumatica's: plain JSON, no auth, no limits, zod-checked input; its
 * answers never contain the client secret or the user's password.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { ENDPOINT_VERSION_PATTERN } from '../../systems/acumatica/limits.ts';
import { ENTITY_NAMES, type EntityName } from '../../systems/acumatica/schemas.ts';
import { formatAcumaticaDateTime } from '../../systems/acumatica/timestamps.ts';
import { AdminInputError, handleAdminErrors, parseAdminBody, registerCommonAdminRoutes } from '../common/admin-surface.ts';
import type { FaultInjector } from '../common/faults.ts';
import type { RequestCounter } from '../common/request-counter.ts';
import { buildFor, type InstanceSettings } from './context.ts';
import type { AcumaticaData, AnyRecord } from './data.ts';
import { ENTITY_SPECS, sortKeyFromNaturalKey } from './entities.ts';
import type { IdentityRegistry } from './identity-tokens.ts';
import type { LicenseLimiter } from './license-limits.ts';
import { PushConfigSchema, type PushDeliverer } from './push-notifications.ts';
import type { SessionRegistry } from './sessions.ts';

export interface AcumaticaAdminParts {
  clock: Clock;
  data: AcumaticaData;
  settings: InstanceSettings;
  identity: IdentityRegistry;
  sessions: SessionRegistry;
  limits: LicenseLimiter;
  faults: FaultInjector;
  counters: RequestCounter;
  push: PushDeliverer;
  /** Back to the settings the sandbox started with. */
  restoreSettings(): void;
}

const EndpointSchema = z.object({ name: z.string().min(1).max(100), version: z.string().regex(ENDPOINT_VERSION_PATTERN) }).strict();

const SettingsPatchSchema = z
  .object({
    endpoints: z.array(EndpointSchema).min(1).optional().describe('The endpoints the instance serves.'),
    buildVersion: z.string().min(1).max(40).optional(),
    requestsPerMinute: z.number().int().positive().optional().describe('§7: the license’s requests per minute.'),
    concurrentRequests: z.number().int().positive().max(1_000).optional().describe('§7: the license’s concurrent requests.'),
    maxQueuedRequests: z.number().int().min(0).max(10_000).optional().describe('§7: waiting requests before declining (20).'),
    processingDelayMs: z.number().int().min(0).max(600_000).optional().describe('Time each admitted request spends in process.'),
    accessTokenLifetimeSeconds: z.number().int().positive().max(86_400).optional(),
    refreshChainLifetimeDays: z.number().positive().max(3_650).optional(),
    maxSessions: z.number().int().positive().max(10_000).optional().describe('§7: cookie sessions at once (API users).'),
    deniedEntities: z.array(z.enum(ENTITY_NAMES)).optional().describe('Entities the API user may not reach (403).'),
    redirectUris: z.array(z.url()).optional().describe('Registered redirect URIs (empty: any http(s) URI).'),
  })
  .strict();

const UpgradeSchema = z
  .object({
    version: z.string().regex(ENDPOINT_VERSION_PATTERN).describe('The Default endpoint version the upgraded instance serves, e.g. 25.200.001.'),
    keepPrevious: z.boolean().default(false).describe('Keep serving the versions served before (§1: old system endpoints usually stay).'),
    buildVersion: z.string().min(1).max(40).optional(),
  })
  .strict();

const RevokeSchema = z.object({ refreshToken: z.string().min(1).describe('A refresh token: its whole chain and access tokens end.') }).strict();

const BulkInsertSchema = z
  .object({ records: z.array(z.record(z.string(), z.unknown())).max(1_000_000).describe('Records in plain form (no value objects); inserted as given.') })
  .strict();

const SetFieldsSchema = z
  .object({
    fields: z.record(z.string(), z.unknown()).describe('Plain field values to set as given, bypassing every validation.'),
    touch: z.boolean().default(true).describe('Move LastModifiedDateTime to now (unless `fields` sets it).'),
  })
  .strict();

const instant = z.union([z.number().int(), z.string().min(1)]).describe('Epoch ms, or an ISO date-time.');

const ModifiedTimeSchema = z
  .object({ keys: z.array(z.string().min(1)).min(1).max(100_000).describe('Natural keys: C0000001, 1001, Invoice/AR0000001.'), at: instant })
  .strict();

const PaySchema = z
  .object({
    invoice: z.string().min(1).describe('The invoice as <Type>/<ReferenceNbr>, e.g. Invoice/AR0000003.'),
    amount: z.number().positive().optional().describe('Default: the whole balance (the invoice becomes Closed).'),
  })
  .strict();

function entityParam(c: Context): EntityName {
  const raw = c.req.param('entity') ?? '';
  if (!(ENTITY_NAMES as readonly string[]).includes(raw)) {
    throw new AdminInputError('unknown_entity', `Unknown entity "${raw}"; entities: ${ENTITY_NAMES.join(', ')}.`, 404);
  }
  return raw as EntityName;
}

function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AdminInputError('invalid_request', `"${value}" is not a date-time.`);
  return ms;
}

export function createAcumaticaAdmin(parts: AcumaticaAdminParts): Hono {
  const { clock, data, settings, identity, sessions, limits, faults, counters, push } = parts;
  const admin = new Hono();
  const raw = (entity: EntityName, record: AnyRecord) => ({
    key: ENTITY_SPECS[entity].naturalKey(record.body),
    id: record.guid,
    CreatedDateTime: formatAcumaticaDateTime(record.createdMs),
    LastModifiedDateTime: formatAcumaticaDateTime(record.modifiedMs),
    body: record.body,
  });
  const recordOf = (entity: EntityName, natural: string) => {
    const key = sortKeyFromNaturalKey(ENTITY_SPECS[entity], natural);
    const record = key === undefined ? undefined : data.anyStore(entity).get(key);
    if (!record) throw new AdminInputError('not_found', `No ${entity} record ${natural}.`, 404);
    return record;
  };

  registerCommonAdminRoutes(admin, { counters, clock, faults, settings, settingsPatch: SettingsPatchSchema });

  admin.post('/reset', (c) => {
    data.reset();
    limits.reset();
    counters.reset();
    faults.restore();
    identity.reset();
    sessions.reset();
    push.reset();
    parts.restoreSettings();
    return c.body(null, 204);
  });

  admin.get('/limits', (c) => c.json(limits.state()));

  // "Upgrade the instance": the pinned version of a client may disappear (§1).
  admin.post('/upgrade', async (c) => {
    const { version, keepPrevious, buildVersion } = await parseAdminBody(c, UpgradeSchema);
    const previous = settings.endpoints;
    settings.endpoints = [...(keepPrevious ? previous.filter((e) => !(e.name === 'Default' && e.version === version)) : previous.filter((e) => e.name !== 'Default')), { name: 'Default', version }];
    settings.buildVersion = buildVersion ?? buildFor(version);
    return c.json({ endpoints: settings.endpoints, buildVersion: settings.buildVersion, previous });
  });

  admin.get('/tokens', (c) => c.json({ clientId: identity.app.clientId, username: identity.user.username, ...identity.state() }));
  admin.post('/tokens/revoke', async (c) => {
    const { refreshToken } = await parseAdminBody(c, RevokeSchema);
    return c.json({ revoked: identity.revokeRefreshToken(refreshToken) });
  });
  admin.post('/tokens/expire', (c) => c.json({ expired: identity.expireAccessTokens() }));

  admin.get('/sessions', (c) => c.json(sessions.state()));
  admin.delete('/sessions', (c) => c.json({ closed: sessions.closeAll() }));

  admin.get('/records/:entity/count', (c) => {
    const entity = entityParam(c);
    return c.json({ entity, count: data.anyStore(entity).size, inMemory: data.anyStore(entity).overlaySize });
  });
  admin.post('/records/:entity/bulk', async (c) => {
    const entity = entityParam(c);
    const { records } = await parseAdminBody(c, BulkInsertSchema);
    const keys = data.bulkInsert(entity, records);
    return c.json({ entity, inserted: keys.length, count: data.anyStore(entity).size, keys }, 201);
  });
  admin.post('/records/:entity/modified-time', async (c) => {
    const entity = entityParam(c);
    const { keys, at } = await parseAdminBody(c, ModifiedTimeSchema);
    const spec = ENTITY_SPECS[entity];
    const sortKeys = keys.map((k) => sortKeyFromNaturalKey(spec, k) ?? `\u0000${k}`);
    const found = new Set(data.setModifiedTime(entity, sortKeys, toMs(at)));
    const missing = keys.filter((_, i) => !found.has(sortKeys[i]!));
    return c.json({ entity, updated: found.size, missing, LastModifiedDateTime: formatAcumaticaDateTime(toMs(at)) });
  });
  admin.get('/records/:entity/:key{.+}', (c) => {
    const entity = entityParam(c);
    return c.json(raw(entity, recordOf(entity, c.req.param('key'))));
  });
  admin.patch('/records/:entity/:key{.+}', async (c) => {
    const entity = entityParam(c);
    const { fields, touch } = await parseAdminBody(c, SetFieldsSchema);
    const record = recordOf(entity, c.req.param('key'));
    return c.json(raw(entity, data.setFields(entity, record.key, fields, touch)!));
  });

  // A clerk's payment: moves an invoice to paid (Closed) or partially paid (Open, lower Balance).
  admin.post('/payments/apply', async (c) => {
    const { invoice, amount } = await parseAdminBody(c, PaySchema);
    const slash = invoice.indexOf('/');
    if (slash < 0) throw new AdminInputError('invalid_request', 'Name the invoice as <Type>/<ReferenceNbr>.');
    const result = data.payInvoice(invoice.slice(0, slash), invoice.slice(slash + 1), amount);
    if (typeof result === 'string') throw new AdminInputError('refused', result, 409);
    return c.json({ payment: raw('Payment', result.payment as unknown as AnyRecord), invoice: raw('SalesInvoice', result.invoice as unknown as AnyRecord) }, 201);
  });

  admin.get('/push', (c) => c.json({ settings: push.settings ?? null }));
  admin.put('/push', async (c) => {
    push.configure(await parseAdminBody(c, PushConfigSchema));
    return c.json({ settings: push.settings });
  });
  admin.delete('/push', (c) => {
    push.disable();
    return c.body(null, 204);
  });
  admin.get('/push/deliveries', async (c) => {
    if (c.req.query('wait') === 'true') await push.idle();
    return c.json({ deliveries: push.list() });
  });

  handleAdminErrors(admin, 'Acumatica');
  return admin;
}
