/**
 * The Intacct sandbox's admin surface, mounted at `/_admin/intacct`:
 * request and function counts, reset, company settings (session duration,
 * concurrency limit, latency, …), the clock, faults, sessions (expire them
 * all now), the uniqueid ledger, the concurrency gate's state, and the
 * records themselves (read them, create them without the API, set fields
 * bypassing every rule, move modification times). It is ours, not Intacct's:
 * plain JSON, no auth, zod-checked input; its answers never contain the
 * sender's or the user's password.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { OBJECT_NAMES, type ObjectName } from '../../systems/intacct/schemas.ts';
import { AdminInputError, handleAdminErrors, parseAdminBody, registerCommonAdminRoutes } from '../common/admin-surface.ts';
import type { FaultInjector } from '../common/faults.ts';
import type { IntacctSettings } from './context.ts';
import type { IntacctData } from './data.ts';
import { formatDateTime, parseIntacctDate } from './dates.ts';
import { FunctionFailure } from './errors.ts';
import type { IntacctRequestCounter } from './function-counter.ts';
import type { ExecutedFunctions } from './gateway.ts';
import type { GatewayLimiter } from './gateway-limits.ts';
import { isObjectName, OBJECT_SPECS, type StoredRecord } from './objects.ts';
import type { ResultSetRegistry } from './result-sets.ts';
import type { SessionRegistry } from './sessions.ts';
import type { RecordWriter } from './writes.ts';

export interface IntacctAdminParts {
  clock: Clock;
  data: IntacctData;
  writer: RecordWriter;
  settings: IntacctSettings;
  sessions: SessionRegistry;
  resultSets: ResultSetRegistry;
  limiter: GatewayLimiter;
  faults: FaultInjector;
  counters: IntacctRequestCounter;
  executed: ExecutedFunctions;
  /** Back to the settings the sandbox started with. */
  restoreSettings(): void;
}

const SettingsPatchSchema = z
  .object({
    sessionDurationMs: z.number().int().positive().max(30 * 86_400_000).optional().describe('§4: session lifetime, slid forward by every call.'),
    resultIdIdleMs: z.number().int().positive().max(30 * 86_400_000).optional().describe('§5.1: how long a resultId lives without readMore.'),
    concurrencyLimit: z.number().int().positive().max(1_000).optional().describe('§8: requests in flight per company before 429 / GW-0010.'),
    latencyMs: z.number().int().min(0).max(60_000).optional().describe('Real milliseconds each admitted request takes (to make requests overlap).'),
    maxRequestBytes: z.number().int().min(1_024).max(100 * 1024 * 1024).optional().describe('Largest request body accepted.'),
    senderAuthorized: z.boolean().optional().describe('false: the sender is not authorized for the company (XL03000006).'),
    gatewayErrorCount: z.number().int().min(0).max(10_000).optional().describe('The next N requests fail with GW-0011.'),
  })
  .strict();

const FieldValue = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value));

const InsertSchema = z
  .object({
    records: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(10_000)
      .describe('Records as a generic create takes them (UPPERCASE fields, groups as objects, APBILLITEMS.APBILLITEM as an array); the create rules apply.'),
  })
  .strict();

const PatchSchema = z
  .object({
    fields: z.record(z.string(), FieldValue).describe('Values by dotted path (NAME, DISPLAYCONTACT.EMAIL1), set as given, bypassing every rule.'),
    touch: z.boolean().default(true).describe('Move WHENMODIFIED to now (unless `fields` sets it).'),
  })
  .strict();

const instant = z.union([z.number().int(), z.string().min(1)]).describe('Epoch ms, an ISO date-time, or mm/dd/yyyy HH:MM:SS.');

const ModifiedTimeSchema = z
  .object({ keys: z.array(z.union([z.string(), z.number()]).transform(String)).min(1).max(100_000).describe('RECORDNOs.'), at: instant })
  .strict();

function objectParam(c: Context): ObjectName {
  const raw = (c.req.param('object') ?? '').toUpperCase();
  if (!isObjectName(raw)) throw new AdminInputError('unknown_object', `Unknown object "${c.req.param('object')}"; objects: ${OBJECT_NAMES.join(', ')}.`, 404);
  return raw;
}

function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const ms = parseIntacctDate(value) ?? Date.parse(value);
  if (Number.isNaN(ms)) throw new AdminInputError('invalid_request', `"${value}" is not a date-time.`);
  return ms;
}

/** Plain JSON as the element tree the parser would give: numbers and booleans as text. */
function asElements(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(asElements);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asElements(inner)]));
  return String(value);
}

export function createIntacctAdmin(parts: IntacctAdminParts): Hono {
  const { clock, data, writer, settings, sessions, resultSets, limiter, faults, counters, executed } = parts;
  const admin = new Hono();
  const raw = (record: StoredRecord) => data.view(record, true);
  const byRecordNo = (object: ObjectName, key: string): StoredRecord => {
    const record = /^\d+$/.test(key) ? data.store.get(object, Number(key)) : undefined;
    if (!record) throw new AdminInputError('not_found', `No ${object} with RECORDNO ${key}.`, 404);
    return record;
  };
  const byId = (object: ObjectName, id: string): StoredRecord => {
    const spec = OBJECT_SPECS[object];
    const record = spec.uniqueId ? data.store.byId(object, id) : data.store.all(object).find((r) => r.fields[spec.idField] === id);
    if (!record) throw new AdminInputError('not_found', `No ${object} with ${spec.idField} "${id}".`, 404);
    return record;
  };
  /** Admin writes change the data at once: nothing of them is left for a request to roll back. */
  const committed = <T>(work: () => T): T => {
    const mark = data.store.mark();
    try {
      const result = work();
      data.store.commit();
      return result;
    } catch (error) {
      data.store.rollback(mark);
      data.store.commit();
      if (error instanceof FunctionFailure) throw new AdminInputError('refused', error.message, 400, error.errors);
      throw error;
    }
  };

  registerCommonAdminRoutes(admin, { counters, clock, faults, settings, settingsPatch: SettingsPatchSchema });

  admin.post('/reset', (c) => {
    data.reset();
    sessions.reset();
    resultSets.reset();
    executed.reset();
    limiter.reset();
    counters.reset();
    faults.restore();
    parts.restoreSettings();
    return c.body(null, 204);
  });

  admin.get('/limits', (c) => c.json({ ...limiter.state(), concurrencyLimit: settings.concurrencyLimit, openResultSets: resultSets.size }));

  admin.get('/sessions', (c) => c.json(sessions.state()));
  admin.post('/sessions/expire', (c) => c.json({ expired: sessions.expireAll() }));

  admin.get('/uniqueids', (c) => c.json({ executed: executed.size }));
  admin.delete('/uniqueids', (c) => {
    executed.reset();
    return c.body(null, 204);
  });

  admin.get('/records/:object', (c) => {
    const object = objectParam(c);
    const records = data.store.all(object).map(raw);
    return c.json({ object, count: records.length, records });
  });
  admin.get('/records/:object/count', (c) => {
    const object = objectParam(c);
    return c.json({ object, count: data.store.size(object) });
  });
  admin.get('/records/:object/by-id/:id', (c) => {
    const object = objectParam(c);
    return c.json(raw(byId(object, c.req.param('id'))));
  });
  admin.get('/records/:object/:recordNo', (c) => {
    const object = objectParam(c);
    return c.json(raw(byRecordNo(object, c.req.param('recordNo'))));
  });
  admin.post('/records/:object', async (c) => {
    const object = objectParam(c);
    const { records } = await parseAdminBody(c, InsertSchema);
    const created = committed(() => records.map((record) => writer.create(object, asElements(record))));
    return c.json({ object, created: created.map(raw) }, 201);
  });
  admin.patch('/records/:object/:recordNo', async (c) => {
    const object = objectParam(c);
    const { fields, touch } = await parseAdminBody(c, PatchSchema);
    const record = byRecordNo(object, c.req.param('recordNo'));
    return c.json(raw(committed(() => writer.patch(object, record.recordNo, fields, touch)!)));
  });
  admin.delete('/records/:object/:recordNo', (c) => {
    const object = objectParam(c);
    const record = byRecordNo(object, c.req.param('recordNo'));
    committed(() => writer.delete(object, record.recordNo));
    return c.body(null, 204);
  });
  admin.post('/records/:object/modified-time', async (c) => {
    const object = objectParam(c);
    const { keys, at } = await parseAdminBody(c, ModifiedTimeSchema);
    const ms = toMs(at);
    const missing: string[] = [];
    let updated = 0;
    committed(() => {
      for (const key of keys) {
        const record = /^\d+$/.test(key) ? data.store.get(object, Number(key)) : undefined;
        if (!record) missing.push(key);
        else {
          data.store.put({ ...record, modifiedMs: ms });
          updated += 1;
        }
      }
    });
    return c.json({ object, updated, missing, WHENMODIFIED: formatDateTime(ms) });
  });

  handleAdminErrors(admin, 'Intacct');
  return admin;
}
