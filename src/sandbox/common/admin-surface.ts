/**
 * What every sandbox's admin surface shares: reading a JSON body against a
 * schema with a clear 400, the routes for request counts, portal settings,
 * the clock and faults, and the error answers. Each system adds its own
 * routes (tokens, records) on the same Hono app.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { FaultSettingsSchema, type FaultInjector } from './faults.ts';
import type { RequestCounter } from './request-counter.ts';

export class AdminInputError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly issues?: unknown,
  ) {
    super(message);
  }
}

export async function parseAdminBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let json: unknown;
  try {
    const text = await c.req.text();
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new AdminInputError('invalid_json', 'The request body is not valid JSON.');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new AdminInputError('invalid_request', z.prettifyError(result.error), 400, result.error.issues);
  return result.data;
}

const ClockAdvanceSchema = z.object({ ms: z.number().int().min(0).describe('Milliseconds to move the clock forward.') }).strict();

function isAdvanceable(clock: Clock): clock is Clock & { advance(ms: number): void } {
  return typeof (clock as { advance?: unknown }).advance === 'function';
}

export interface CommonAdminParts<Settings extends object> {
  counters: RequestCounter;
  clock: Clock;
  faults: FaultInjector;
  settings: Settings;
  settingsPatch: z.ZodType<Partial<Settings>>;
}

/** `/requests`, `/settings`, `/clock`, `/faults`: the same on every sandbox. */
export function registerCommonAdminRoutes<Settings extends object>(admin: Hono, parts: CommonAdminParts<Settings>): void {
  const { counters, clock, faults, settings } = parts;
  const now = () => ({ now: clock.now(), iso: new Date(clock.now()).toISOString() });

  admin.get('/requests', (c) => c.json(counters.snapshot()));
  admin.delete('/requests', (c) => {
    counters.reset();
    return c.body(null, 204);
  });

  admin.get('/settings', (c) => c.json(settings));
  admin.patch('/settings', async (c) => {
    const patch = await parseAdminBody(c, parts.settingsPatch);
    Object.assign(settings, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    return c.json(settings);
  });

  admin.get('/clock', (c) => c.json(now()));
  admin.post('/clock/advance', async (c) => {
    const { ms } = await parseAdminBody(c, ClockAdvanceSchema);
    if (!isAdvanceable(clock)) throw new AdminInputError('clock_fixed', 'This sandbox runs on a clock that cannot be moved.', 409);
    clock.advance(ms);
    return c.json(now());
  });

  admin.get('/faults', (c) => c.json({ settings: faults.settings, stats: faults.stats }));
  admin.put('/faults', async (c) => {
    faults.configure(await parseAdminBody(c, FaultSettingsSchema));
    return c.json({ settings: faults.settings, stats: faults.stats });
  });
}

/** The admin surface's answers for unknown routes and for errors; `system` names it in the server log. */
export function handleAdminErrors(admin: Hono, system: string, extra?: (error: Error, c: Context) => Response | undefined): void {
  admin.notFound((c) => c.json({ error: 'not_found', message: `No admin route ${c.req.method} ${c.req.path}` }, 404));
  admin.onError((error, c) => {
    if (error instanceof AdminInputError) {
      return c.json({ error: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) }, error.status as 400);
    }
    const handled = extra?.(error, c);
    if (handled) return handled;
    console.error(`${system} sandbox admin error:`, error.message);
    return c.json({ error: 'internal_error', message: error.message || 'internal error' }, 500);
  });
}
