/**
 * Runs as the console shows them: a workspace's runs, one run with its
 * progress (for a live progress bar), and cancelling a run. A cancel goes
 * through the store, so it reaches the run whichever process runs it: that
 * process reads the request at the run's next heartbeat and aborts the run,
 * which ends `cancelled` (src/engine/runs.ts).
 */
import type { Installation } from '../app/installation.ts';
import { getRun as readRun, isFinished, listRuns as readRuns, requestCancel, emptyCounts, type Run, type RunCounts, type RunStatus } from '../engine/runs.ts';
import { notFound, workspaceConnectionIds } from './workspace.ts';

export interface StreamProgress {
  name: string;
  /** `pending`: not started yet; `running`: the stream the run is in; `done`: finished. */
  state: 'pending' | 'running' | 'done';
  counts: RunCounts;
}

/**
 * How far a run has come. Counts move at every committed batch (every
 * heartbeat); `fraction` is the share of the run's planned streams that are
 * finished (0 to 1, 1 once the run is over). It moves stream by stream: how
 * many records a stream will read is not known until the source has been
 * read, so no finer fraction would be honest. It is null when the run's
 * streams are not known up front (the hubspot-to-intacct flow, a run that
 * failed before it began).
 */
export interface RunProgress {
  done: boolean;
  fraction: number | null;
  /** The stream being worked on, while the run runs. */
  current: string | null;
  streams: StreamProgress[];
  counts: RunCounts;
}

export interface RunView extends Run {
  progress: RunProgress;
}

/** The progress of a run, from what its heartbeats recorded. */
export function progressOf(run: Run): RunProgress {
  const done = isFinished(run.status);
  const started = Object.keys(run.report?.streams ?? {});
  const plan = run.report?.plan;
  const names = plan ? [...plan, ...started.filter((s) => !plan.includes(s))] : started;
  const current = !done && run.status === 'running' ? (started.at(-1) ?? null) : null;
  const streams = names.map((name): StreamProgress => {
    const counts = run.report?.streams[name] ?? emptyCounts();
    const index = started.indexOf(name);
    const state = index === -1 ? 'pending' : done || name !== current ? 'done' : 'running';
    return { name, state, counts };
  });
  const finishedStreams = streams.filter((s) => s.state === 'done').length;
  const fraction = done ? 1 : plan && plan.length > 0 ? finishedStreams / plan.length : run.status === 'queued' ? 0 : null;
  return { done, fraction, current, streams, counts: run.counts };
}

const viewOf = (run: Run): RunView => ({ ...run, progress: progressOf(run) });

export interface RunFilter {
  flowKey?: string;
  status?: RunStatus;
  limit?: number;
}

/** The workspace's runs, newest first. */
export async function listRuns(installation: Installation, workspace: string, filter: RunFilter = {}): Promise<RunView[]> {
  const sources = await workspaceConnectionIds(installation, workspace);
  const runs = await readRuns(installation.store.db, { ...filter, limit: Math.min(Math.max(filter.limit ?? 50, 1), 500), sourceConnections: [...sources] });
  return runs.map(viewOf);
}

/** One of the workspace's runs; another workspace's is `not_found`. A run queued by "run now" answers as `queued` until a worker starts it. */
export async function getRun(installation: Installation, workspace: string, runId: string): Promise<RunView> {
  const run = await readRun(installation.store.db, runId);
  if (!run || !(await workspaceConnectionIds(installation, workspace)).has(run.sourceConnection)) {
    throw notFound('engine.run_not_found', `no run ${runId} in this workspace`, { runId });
  }
  return viewOf(run);
}

/**
 * Asks a run to stop: a queued one is cancelled at once; a running one stops
 * at its next heartbeat (between batches, or as its next stream starts) and
 * ends `cancelled`, keeping what it committed. A finished run is a `conflict`.
 */
export async function cancelRun(installation: Installation, workspace: string, runId: string): Promise<RunView> {
  await getRun(installation, workspace, runId);
  return viewOf(await requestCancel(installation.store.db, runId, installation.clock.now()));
}
