/**
 * The long-running service (`ml-connector start`, `ml-connector worker`):
 * a scheduler that turns due schedules into jobs with deterministic ids, and
 * a worker that runs them. Job ids are the schedule's slot, so two
 * schedulers enqueue a slot once, and the run lock keeps two runs of one flow
 * from overlapping even when jobs do.
 */
import { isConnectorError, serializeError } from '../core/errors.ts';
import { abandonQueuedRun, RUN_CANCELLED } from '../engine/runs.ts';
import type { JobInfo, JobQueue, QueueWorker } from '../queue/types.ts';
import type { Installation } from './installation.ts';
import { runClosedWonSeed } from './closed-won-seed.ts';
import { advanceSchedule, dueSchedules } from './schedules.ts';
import { runSync, type SyncResult } from './sync.ts';

export interface SyncJob {
  flow: string;
  from: string;
  to: string;
  trigger: string;
  /** After an acumatica-to-hubspot run, seed won deals' companies back into Acumatica. */
  reverseSeed?: boolean;
  /** hubspot-to-intacct: where changes come from (a webhook-triggered run reads the events received). */
  changes?: 'polling' | 'webhook';
  /** The id of the run, queued with it (src/console/flows-service.ts `runFlowNow`), so it can be watched before it starts. */
  runId?: string;
}

export interface ServiceOptions {
  queue: JobQueue;
  /** Run the scheduler (one per deployment is enough; more are harmless). */
  scheduler?: boolean;
  /** Run a worker in this process. */
  worker?: boolean;
  tickMs?: number;
  concurrency?: number;
  onRunFinished?: (job: SyncJob, result: SyncResult | { skipped: string }) => void;
  onError?: (error: unknown) => void;
}

export interface Service {
  /** Queues a run of a flow now ("run now"). */
  runNow(job: Omit<SyncJob, 'trigger'>): Promise<JobInfo<SyncJob>>;
  /** One scheduler pass: queues every due schedule. Returns the job ids it queued. */
  tick(): Promise<string[]>;
  close(): Promise<void>;
}

export function startService(installation: Installation, options: ServiceOptions): Service {
  const { queue } = options;
  const { store, clock } = installation;
  let worker: QueueWorker | undefined;
  if (options.worker ?? true) {
    worker = queue.process<SyncJob, SyncResult | { skipped: string }>(
      async (job) => {
        try {
          const result = await runSync(installation, { ...job.data, signal: job.signal });
          options.onRunFinished?.(job.data, result);
          if (job.data.reverseSeed) await runClosedWonSeed(installation, { from: job.data.to, to: job.data.from });
          return result;
        } catch (error) {
          // A queued run that never started (the flow was busy, a connection is gone, it was cancelled) ends with the reason.
          if (job.data.runId) await abandonQueuedRun(store.db, job.data.runId, serializeError(error), clock.now());
          if (isConnectorError(error) && error.code === RUN_CANCELLED) {
            const skipped = { skipped: error.message };
            options.onRunFinished?.(job.data, skipped);
            return skipped;
          }
          // The flow is already running (a manual sync, another worker): this slot has nothing left to do.
          if (isConnectorError(error) && error.code === 'engine.run_in_progress') {
            const skipped = { skipped: error.message };
            options.onRunFinished?.(job.data, skipped);
            return skipped;
          }
          throw error;
        }
      },
      { concurrency: options.concurrency ?? 2 },
    );
  }

  async function tick(): Promise<string[]> {
    const queued: string[] = [];
    for (const schedule of await dueSchedules(store.db, clock.now())) {
      if (!(await advanceSchedule(store.db, schedule, clock.now()))) continue;
      const jobId = `sync:${schedule.flowKey}:${schedule.nextRunAt}`;
      await queue.add<SyncJob>(
        'sync',
        {
          flow: schedule.flow,
          from: schedule.sourceConnection,
          to: schedule.targetConnection,
          trigger: 'schedule',
          ...(schedule.options.reverseSeed ? { reverseSeed: true } : {}),
          ...(schedule.options.changes ? { changes: schedule.options.changes } : {}),
        },
        { jobId, attempts: 3, backoff: { type: 'exponential', delay: 30_000 } },
      );
      queued.push(jobId);
    }
    return queued;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (stopped) return;
    try {
      await tick();
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(loop, options.tickMs ?? 1_000);
  };
  if (options.scheduler ?? true) void loop();

  return {
    runNow: (job) => queue.add<SyncJob>('sync', { ...job, trigger: 'manual' }, { jobId: `sync:${job.flow}:${job.from}:${job.to}:now:${clock.now()}` }),
    tick,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await worker?.close();
    },
  };
}
