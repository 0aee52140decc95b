/**
 * Runs: one execution of a flow. A run's row says who runs it (host and
 * process), so that a run whose process died is recognised and never blocks
 * the flow for good, while two live runs of one flow never overlap (SPEC §3).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { ConnectorError, type SerializedError } from '../core/errors.ts';
import type { Database, RunRow } from '../store/schema.ts';

type Db = Kysely<Database>;

export type RunMode = 'incremental' | 'full' | 'dry_run' | 'replay';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'partial' | 'cancelled';

export interface RunCounts {
  read: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  waiting: number;
}

export const emptyCounts = (): RunCounts => ({ read: 0, created: 0, updated: 0, skipped: 0, failed: 0, waiting: 0 });

export interface RunReport {
  streams: Record<string, RunCounts>;
  notes: string[];
}

export interface Run {
  id: string;
  flow: string;
  flowKey: string;
  sourceConnection: string;
  targetConnection: string;
  mode: RunMode;
  trigger: string;
  status: RunStatus;
  counts: RunCounts;
  report: RunReport | null;
  error: SerializedError | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  heartbeatAt: number | null;
  owner: string | null;
}

/** Which process runs a run: a run whose owner is gone is abandoned. */
export const processOwner = (): string => `${hostname()}:${process.pid}`;

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    flow: row.flow,
    flowKey: row.flow_key,
    sourceConnection: row.source_connection,
    targetConnection: row.target_connection,
    mode: row.mode as RunMode,
    trigger: row.trigger,
    status: row.status as RunStatus,
    counts: JSON.parse(row.counts) as RunCounts,
    report: row.report ? (JSON.parse(row.report) as RunReport) : null,
    error: row.error ? (JSON.parse(row.error) as SerializedError) : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
    owner: row.owner,
  };
}

/** A run counts as abandoned when its process is gone (same host) or it stopped beating for `staleMs`. */
export function isAbandoned(run: Run, now: number, staleMs: number): boolean {
  if (run.status !== 'running') return false;
  const [host, pid] = (run.owner ?? '').split(':');
  if (host === hostname() && pid) {
    try {
      process.kill(Number(pid), 0);
    } catch {
      return true;
    }
    return Number(pid) !== process.pid && now - (run.heartbeatAt ?? run.startedAt ?? run.createdAt) > staleMs;
  }
  return now - (run.heartbeatAt ?? run.startedAt ?? run.createdAt) > staleMs;
}

export interface StartRunInput {
  flow: string;
  flowKey: string;
  sourceConnection: string;
  targetConnection: string;
  mode: RunMode;
  trigger: string;
}

/**
 * Starts a run unless another live run of the same flow exists; runs whose
 * process died are marked failed first, so they never block the flow.
 */
export async function startRun(db: Db, input: StartRunInput, now: number, staleMs = 120_000): Promise<Run> {
  return db.transaction().execute(async (trx) => {
    const active = (await trx.selectFrom('runs').selectAll().where('flow_key', '=', input.flowKey).where('status', '=', 'running').execute()).map(toRun);
    for (const run of active) {
      if (!isAbandoned(run, now, staleMs)) {
        throw new ConnectorError({
          kind: 'conflict',
          code: 'engine.run_in_progress',
          message: `Flow ${input.flow} already has run ${run.id} in progress (since ${new Date(run.startedAt ?? run.createdAt).toISOString()}); a flow never runs twice at once.`,
          details: { runId: run.id },
        });
      }
      await trx
        .updateTable('runs')
        .set({
          status: 'failed',
          finished_at: now,
          error: JSON.stringify({ code: 'engine.run_abandoned', kind: 'transient', message: 'The process running this run stopped; a later run took over.', details: {} }),
        })
        .where('id', '=', run.id)
        .execute();
    }
    const row = {
      id: randomUUID(),
      flow: input.flow,
      flow_key: input.flowKey,
      source_connection: input.sourceConnection,
      target_connection: input.targetConnection,
      mode: input.mode,
      trigger: input.trigger,
      status: 'running',
      counts: JSON.stringify(emptyCounts()),
      report: null,
      error: null,
      created_at: now,
      started_at: now,
      finished_at: null,
      heartbeat_at: now,
      owner: processOwner(),
    };
    await trx.insertInto('runs').values(row).execute();
    return toRun(row as RunRow);
  });
}

export async function heartbeat(db: Db, runId: string, counts: RunCounts, now: number): Promise<void> {
  await db.updateTable('runs').set({ heartbeat_at: now, counts: JSON.stringify(counts) }).where('id', '=', runId).execute();
}

export async function finishRun(
  db: Db,
  runId: string,
  result: { status: RunStatus; counts: RunCounts; report: RunReport; error?: SerializedError },
  now: number,
): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: result.status,
      counts: JSON.stringify(result.counts),
      report: JSON.stringify(result.report),
      error: result.error ? JSON.stringify(result.error) : null,
      finished_at: now,
      heartbeat_at: now,
    })
    .where('id', '=', runId)
    .execute();
}

export async function getRun(db: Db, runId: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function listRuns(db: Db, filter: { flowKey?: string; limit?: number } = {}): Promise<Run[]> {
  let query = db.selectFrom('runs').selectAll();
  if (filter.flowKey) query = query.where('flow_key', '=', filter.flowKey);
  const rows = await query.orderBy('created_at', 'desc').limit(filter.limit ?? 20).execute();
  return rows.map(toRun);
}
