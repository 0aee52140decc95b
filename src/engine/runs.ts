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
/** `queued`: asked for ("run now") with its id chosen up front, not yet started by a worker. */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'partial' | 'cancelled';

/** A run that has finished, one way or another. */
export const isFinished = (status: RunStatus): boolean => status !== 'queued' && status !== 'running';

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
  /** Per stream, in the order the streams started; kept up to date at every heartbeat while the run runs. */
  streams: Record<string, RunCounts>;
  notes: string[];
  /** The streams the run means to go through, in order, when known at its start (for a progress fraction). */
  plan?: string[];
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
  /** When an operator asked to cancel it (the process running it stops at its next heartbeat). */
  cancelRequestedAt: number | null;
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
    cancelRequestedAt: row.cancel_requested_at ?? null,
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
  /**
   * The run's id, chosen by whoever asked for the run (a queued "run now"), so
   * that it can be watched before it starts. A row already `queued` under it
   * is taken over; one that was cancelled meanwhile is not started.
   */
  id?: string;
}

/** The error a cancelled run ends with; its run's status is `cancelled`, not `failed`. */
export const RUN_CANCELLED = 'engine.run_cancelled';

export function runCancelled(runId: string): ConnectorError {
  return new ConnectorError({ kind: 'conflict', code: RUN_CANCELLED, message: `Run ${runId} was cancelled by an operator.`, details: { runId } });
}

export const isCancellation = (error: SerializedError | undefined): boolean => error?.code === RUN_CANCELLED;

/** A new run's row: what it runs, and where it starts (queued or running). */
function runRow(
  input: StartRunInput,
  id: string,
  start: { status: 'queued' | 'running'; created_at: number; started_at: number | null; heartbeat_at: number | null; owner: string | null },
) {
  return {
    id,
    flow: input.flow,
    flow_key: input.flowKey,
    source_connection: input.sourceConnection,
    target_connection: input.targetConnection,
    mode: input.mode,
    trigger: input.trigger,
    counts: JSON.stringify(emptyCounts()),
    report: null,
    error: null,
    finished_at: null,
    ...start,
  };
}

/**
 * Records a run that was asked for but not started yet (status `queued`), so
 * that its id answers before a worker takes it. Its worker starts it with
 * `startRun({ id })`; `abandonQueuedRun` closes it if the worker never can.
 */
export async function queueRun(db: Db, input: StartRunInput & { id: string }, now: number): Promise<Run> {
  const row = runRow(input, input.id, { status: 'queued', created_at: now, started_at: null, heartbeat_at: null, owner: null });
  await db.insertInto('runs').values(row).execute();
  return toRun({ ...row, cancel_requested_at: null } as RunRow);
}

/** A queued run its worker could not start (the flow was busy, a connection was gone): it ends with that error. */
export async function abandonQueuedRun(db: Db, runId: string, error: SerializedError, now: number): Promise<void> {
  await db
    .updateTable('runs')
    .set({ status: isCancellation(error) ? 'cancelled' : 'failed', error: JSON.stringify(error), finished_at: now })
    .where('id', '=', runId)
    .where('status', '=', 'queued')
    .execute();
}

/**
 * Starts a run unless another live run of the same flow exists; runs whose
 * process died are marked failed first, so they never block the flow.
 */
export async function startRun(db: Db, input: StartRunInput, now: number, staleMs = 120_000): Promise<Run> {
  return db.transaction().execute(async (trx) => {
    const queued = input.id ? await trx.selectFrom('runs').selectAll().where('id', '=', input.id).executeTakeFirst() : undefined;
    if (queued && queued.status === 'cancelled') throw runCancelled(queued.id);
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
    // A queued run is started under its own id; any other id already used (a job run again) gets a new run.
    const id = input.id && (!queued || queued.status === 'queued') ? input.id : randomUUID();
    const row = runRow(input, id, { status: 'running', created_at: now, started_at: now, heartbeat_at: now, owner: processOwner() });
    if (queued?.status === 'queued' && row.id === queued.id) {
      const { id: _id, created_at: _created, ...started } = row;
      await trx.updateTable('runs').set(started).where('id', '=', row.id).execute();
      return toRun({ ...row, created_at: queued.created_at, cancel_requested_at: null } as RunRow);
    }
    await trx.insertInto('runs').values(row).execute();
    return toRun({ ...row, cancel_requested_at: null } as RunRow);
  });
}

// ------------------------------------------------------------------ cancelling

/**
 * The runs this process runs that can be cancelled, by id. Cancelling goes
 * through the store (`requestCancel`), so any process can ask; the process
 * running the run reads the request at its next heartbeat and aborts the
 * run's signal from here.
 */
const cancellable = new Map<string, AbortController>();

/**
 * The signal a run runs under: aborted when `parent` is (a worker losing its
 * job) or when a heartbeat finds the run's cancel request. `release` when the
 * run is over.
 */
export function cancellableRun(runId: string, parent?: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const fromParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) fromParent();
  else parent?.addEventListener('abort', fromParent, { once: true });
  cancellable.set(runId, controller);
  return {
    signal: controller.signal,
    release() {
      parent?.removeEventListener('abort', fromParent);
      if (cancellable.get(runId) === controller) cancellable.delete(runId);
    },
  };
}

/**
 * A live run's heartbeat: its counts (and, when given, its report so far, so
 * per-stream progress shows while it runs). Returns whether an operator has
 * asked to cancel it; if so, the run's signal (`cancellableRun`) is aborted.
 */
export async function heartbeat(db: Db, runId: string, counts: RunCounts, now: number, report?: RunReport): Promise<boolean> {
  await db
    .updateTable('runs')
    .set({ heartbeat_at: now, counts: JSON.stringify(counts), ...(report ? { report: JSON.stringify(report) } : {}) })
    .where('id', '=', runId)
    .execute();
  const row = await db.selectFrom('runs').select('cancel_requested_at').where('id', '=', runId).executeTakeFirst();
  const requested = row?.cancel_requested_at !== null && row?.cancel_requested_at !== undefined;
  if (requested) cancellable.get(runId)?.abort(runCancelled(runId));
  return requested;
}

/**
 * Asks for a run to stop. A queued run is cancelled at once (its worker will
 * not start it); a running one is marked, and stops at its next heartbeat; a
 * running one whose process is gone is closed as cancelled here. A finished
 * run is a `conflict`.
 */
export async function requestCancel(db: Db, runId: string, now: number, staleMs = 120_000): Promise<Run> {
  // A worker may start a queued run between the read and the write: then the write matches nothing, and is made again.
  for (let tries = 0; tries < 3; tries += 1) {
    const run = await getRun(db, runId);
    if (!run) throw new ConnectorError({ kind: 'not_found', code: 'engine.run_not_found', message: `No run ${runId}`, details: { runId } });
    if (isFinished(run.status)) {
      throw new ConnectorError({
        kind: 'conflict',
        code: 'engine.run_finished',
        message: `Run ${runId} has already finished (${run.status}); there is nothing to cancel.`,
        details: { runId, status: run.status },
      });
    }
    const closeNow = run.status === 'queued' || isAbandoned(run, now, staleMs);
    const result = await db
      .updateTable('runs')
      .set({
        cancel_requested_at: run.cancelRequestedAt ?? now,
        ...(closeNow ? { status: 'cancelled', finished_at: now, error: JSON.stringify(runCancelled(runId).toJSON()) } : {}),
      })
      .where('id', '=', runId)
      .where('status', '=', run.status)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) return (await getRun(db, runId))!;
  }
  throw new ConnectorError({ kind: 'transient', code: 'engine.run_busy', message: `Run ${runId} kept changing state; ask again.`, details: { runId } });
}

// ------------------------------------------------------------------ finishing

export async function finishRun(
  db: Db,
  runId: string,
  result: { status: RunStatus; counts: RunCounts; report: RunReport; error?: SerializedError },
  now: number,
): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      // A run stopped by its cancel request ends `cancelled` whichever code path finished it.
      status: isCancellation(result.error) ? 'cancelled' : result.status,
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

export async function listRuns(
  db: Db,
  filter: { flowKey?: string; status?: RunStatus; limit?: number; /** Only runs reading from these connections (a workspace's). */ sourceConnections?: readonly string[] } = {},
): Promise<Run[]> {
  let query = db.selectFrom('runs').selectAll();
  if (filter.flowKey) query = query.where('flow_key', '=', filter.flowKey);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.sourceConnections) {
    if (filter.sourceConnections.length === 0) return [];
    query = query.where('source_connection', 'in', [...filter.sourceConnections]);
  }
  const rows = await query.orderBy('created_at', 'desc').limit(filter.limit ?? 20).execute();
  return rows.map(toRun);
}
