/**
 * When each flow runs (SPEC §3 "Schedules"): an interval or a cron
 * expression per (flow, source, target), kept in the store.
 */
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { ConnectorError } from '../core/errors.ts';
import type { Database, ScheduleRow } from '../store/schema.ts';

type Db = Kysely<Database>;

export interface Schedule {
  flowKey: string;
  flow: string;
  sourceConnection: string;
  targetConnection: string;
  intervalMs: number | null;
  cron: string | null;
  enabled: boolean;
  nextRunAt: number | null;
  lastRunId: string | null;
  options: ScheduleOptions;
}

export interface ScheduleOptions {
  /** acumatica-to-hubspot: run the closed-won seed back into Acumatica after each run. */
  reverseSeed?: boolean;
  /** hubspot-to-intacct: poll HubSpot on the schedule, or take webhook events (a delivery also starts a run). */
  changes?: 'polling' | 'webhook';
}

/** `15m`, `1h`, `30s`, `2d` → milliseconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  const units = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  if (!match) {
    throw new ConnectorError({ kind: 'config', code: 'config.invalid_interval', message: `"${text}" is not an interval: use a number and s, m, h or d, like 15m` });
  }
  const ms = Number(match[1]) * units[match[2] as keyof typeof units];
  if (ms < 10_000) throw new ConnectorError({ kind: 'config', code: 'config.invalid_interval', message: `an interval of "${text}" is too short; 10s at least` });
  return ms;
}

export function nextRunAfter(schedule: Pick<Schedule, 'intervalMs' | 'cron'>, after: number): number | null {
  if (schedule.intervalMs) return after + schedule.intervalMs;
  if (schedule.cron) return new Cron(schedule.cron, { paused: true }).nextRun(new Date(after))?.getTime() ?? null;
  return null;
}

export function validateCron(expression: string): void {
  try {
    new Cron(expression, { paused: true });
  } catch (error) {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.invalid_cron',
      message: `"${expression}" is not a cron expression: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

const fromRow = (row: ScheduleRow): Schedule => ({
  flowKey: row.flow_key,
  flow: row.flow,
  sourceConnection: row.source_connection,
  targetConnection: row.target_connection,
  intervalMs: row.interval_ms,
  cron: row.cron,
  enabled: row.enabled === 1,
  nextRunAt: row.next_run_at,
  lastRunId: row.last_run_id,
  options: JSON.parse(row.options || '{}') as ScheduleOptions,
});

export async function saveSchedule(
  db: Db,
  input: {
    flowKey: string;
    flow: string;
    sourceConnection: string;
    targetConnection: string;
    intervalMs?: number;
    cron?: string;
    enabled: boolean;
    options?: ScheduleOptions;
  },
  now: number,
): Promise<Schedule> {
  if (input.cron) validateCron(input.cron);
  const timing = { intervalMs: input.intervalMs ?? null, cron: input.cron ?? null };
  const values = {
    flow: input.flow,
    source_connection: input.sourceConnection,
    target_connection: input.targetConnection,
    interval_ms: timing.intervalMs,
    cron: timing.cron,
    enabled: (input.enabled ? 1 : 0) as 0 | 1,
    options: JSON.stringify(input.options ?? {}),
    next_run_at: input.enabled ? (nextRunAfter(timing, now) ?? null) : null,
    updated_at: now,
  };
  await db
    .insertInto('schedules')
    .values({ flow_key: input.flowKey, last_run_id: null, ...values })
    .onConflict((oc) => oc.column('flow_key').doUpdateSet(values))
    .execute();
  return (await listSchedules(db)).find((s) => s.flowKey === input.flowKey)!;
}

export async function listSchedules(db: Db): Promise<Schedule[]> {
  return (await db.selectFrom('schedules').selectAll().orderBy('flow_key').execute()).map(fromRow);
}

export async function dueSchedules(db: Db, now: number): Promise<Schedule[]> {
  return (await db.selectFrom('schedules').selectAll().where('enabled', '=', 1).where('next_run_at', '<=', now).execute()).map(fromRow);
}

/** Moves a schedule on, unless another scheduler already did: returns whether this one won. */
export async function advanceSchedule(db: Db, schedule: Schedule, now: number): Promise<boolean> {
  const next = nextRunAfter(schedule, Math.max(now, schedule.nextRunAt ?? now));
  const result = await db
    .updateTable('schedules')
    .set({ next_run_at: next, updated_at: now })
    .where('flow_key', '=', schedule.flowKey)
    .where('next_run_at', '=', schedule.nextRunAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
