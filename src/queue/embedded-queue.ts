/**
 * The embedded job queue: jobs are rows of the store's `jobs` table, worked
 * by in-process workers that poll for due jobs.
 *
 * A worker claims a job by setting a lease (`lease_owner`, `lease_until`) in
 * one atomic statement, renews the lease while its handler runs, and writes
 * the outcome only while it still holds the lease. A job whose lease ran out
 * (its worker was killed, or hung past the lease) is put back to waiting by
 * whichever worker notices first, and runs again: that is how a run survives
 * a SIGKILL of its worker. Claims are safe with several worker processes:
 * `FOR UPDATE SKIP LOCKED` on Postgres; on SQLite a single UPDATE statement
 * holds the file's write lock for its whole read-and-claim.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { fromJson, toJson, toJsonOrNull } from '../store/json.ts';
import type { Store } from '../store/open-store.ts';
import type { JobRow } from '../store/schema.ts';
import {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_STALLED_COUNT,
  backoffDelay,
  checkJobOptions,
  isFinalFailure,
  parseJobError,
  serializeJobError,
} from './job-rules.ts';
import type {
  AddJobOptions,
  BackoffOptions,
  FinishedListener,
  JobCounts,
  JobHandler,
  JobInfo,
  JobQueue,
  ProcessOptions,
  QueueWorker,
} from './types.ts';
import { isFinished, waitForJob } from './wait-for-job.ts';

export const DEFAULT_POLL_INTERVAL_MS = 200;

export interface EmbeddedQueueOptions {
  store: Store;
  name: string;
  clock?: Clock;
  /** How often an idle worker looks for due jobs. Jobs added in this process wake it at once. */
  pollIntervalMs?: number;
  /** Where a worker's own failures go (a database error while polling). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

export class EmbeddedQueue implements JobQueue {
  readonly kind = 'embedded' as const;
  readonly name: string;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly reportError: (error: unknown) => void;
  private readonly events = new EventEmitter();
  private readonly workers = new Set<EmbeddedWorker>();

  constructor(options: EmbeddedQueueOptions) {
    if (options.name === '') throw new ConnectorError({ kind: 'config', code: 'queue.bad_name', message: 'a queue needs a name' });
    this.name = options.name;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.reportError = options.onError ?? ((error) => console.error(`ml-connector: job queue "${this.name}":`, error instanceof Error ? error.message : error));
    // Many callers may await jobs at once; each listens until its job ends.
    this.events.setMaxListeners(0);
  }

  async add<Data>(name: string, data: Data, options: AddJobOptions = {}): Promise<JobInfo<Data>> {
    const checked = checkJobOptions(name, options);
    const id = options.jobId ?? randomUUID();
    const now = this.clock.now();
    await this.store.db
      .insertInto('jobs')
      .values({
        queue: this.name,
        id,
        name,
        data: toJson(data),
        state: 'waiting',
        priority: checked.priority,
        attempts_made: 0,
        max_attempts: checked.attempts,
        backoff: toJsonOrNull(checked.backoff),
        run_at: now + checked.delay,
        lease_owner: null,
        lease_until: null,
        stalled_count: 0,
        result: null,
        error: null,
        created_at: now,
        updated_at: now,
        finished_at: null,
      })
      // The same deterministic id queued twice runs once: the first row stays as it is.
      .onConflict((oc) => oc.columns(['queue', 'id']).doNothing())
      .execute();
    const job = await this.getJob<Data>(id);
    if (job === undefined) {
      // Removed between our insert and our read: as if it had run and been cleaned up.
      throw new ConnectorError({ kind: 'conflict', code: 'queue.job_removed', message: `job "${id}" was removed while being added` });
    }
    for (const worker of this.workers) worker.wake();
    return job;
  }

  async getJob<Data = unknown, Result = unknown>(id: string): Promise<JobInfo<Data, Result> | undefined> {
    const row = await this.store.db.selectFrom('jobs').selectAll().where('queue', '=', this.name).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : (toInfo(row, this.clock.now()) as JobInfo<Data, Result>);
  }

  async counts(): Promise<JobCounts> {
    const now = this.clock.now();
    const { db } = this.store;
    const byState = await db
      .selectFrom('jobs')
      .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
      .where('queue', '=', this.name)
      .groupBy('state')
      .execute();
    const later = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('queue', '=', this.name)
      .where('state', '=', 'waiting')
      .where('run_at', '>', now)
      .executeTakeFirstOrThrow();
    const count = (state: string) => Number(byState.find((row) => row.state === state)?.n ?? 0);
    const delayed = Number(later.n);
    return { waiting: count('waiting') - delayed, delayed, active: count('active'), completed: count('completed'), failed: count('failed') };
  }

  process<Data = unknown, Result = unknown>(handler: JobHandler<Data, Result>, options: ProcessOptions = {}): QueueWorker {
    const worker = new EmbeddedWorker(this.internals(), handler as JobHandler, options);
    this.workers.add(worker);
    worker.closed.then(() => this.workers.delete(worker));
    return worker;
  }

  waitFor<Data = unknown, Result = unknown>(id: string, options: { timeoutMs?: number } = {}): Promise<JobInfo<Data, Result>> {
    return waitForJob(this, id, { clock: this.clock, pollMs: this.pollIntervalMs, ...options }) as Promise<JobInfo<Data, Result>>;
  }

  onFinished(listener: FinishedListener): () => void {
    this.events.on('finished', listener);
    return () => this.events.off('finished', listener);
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.store.db
      .deleteFrom('jobs')
      .where('queue', '=', this.name)
      .where('id', '=', id)
      .where('state', '!=', 'active')
      .executeTakeFirst();
    if (Number(result.numDeletedRows) > 0) return true;
    if ((await this.getJob(id))?.state === 'active') {
      throw new ConnectorError({ kind: 'conflict', code: 'queue.job_active', message: `job "${id}" is running and cannot be removed`, details: { jobId: id } });
    }
    return false;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.close()));
    this.events.removeAllListeners();
  }

  /** What a worker needs from its queue: the statements that claim, renew and finish jobs. */
  private internals(): QueueInternals {
    const { db, dialect } = this.store;
    const queue = this.name;
    const clock = this.clock;
    return {
      clock,
      pollIntervalMs: this.pollIntervalMs,
      reportError: this.reportError,
      emitFinished: (job) => this.events.emit('finished', job),

      async claim(owner, limit, leaseMs) {
        const now = clock.now();
        const dueIds = (executor: typeof db) =>
          executor
            .selectFrom('jobs')
            .select('id')
            .where('queue', '=', queue)
            .where('state', '=', 'waiting')
            .where('run_at', '<=', now)
            // BullMQ's order: no priority first, then 1, 2, …; then the order they became due.
            .orderBy('priority')
            .orderBy('run_at')
            .orderBy('created_at')
            .orderBy('id')
            .limit(limit);
        const take = (executor: typeof db, ids: ReturnType<typeof dueIds> | readonly string[]) =>
          executor
            .updateTable('jobs')
            .set({ state: 'active', lease_owner: owner, lease_until: now + leaseMs, updated_at: now })
            .where('queue', '=', queue)
            .where('state', '=', 'waiting')
            .where('id', 'in', ids)
            .returningAll()
            .execute();
        const rows =
          dialect === 'postgres'
            ? // Postgres: lock the due rows, skipping those another worker is claiming, then take
              // them. Two statements, because a LIMIT … SKIP LOCKED subquery inside the UPDATE may
              // be evaluated more than once and claim more than `limit` rows.
              await db.transaction().execute(async (trx) => {
                const ids = (await dueIds(trx).forUpdate().skipLocked().execute()).map((row) => row.id);
                return ids.length === 0 ? [] : take(trx, ids);
              })
            : // SQLite: one statement holds the file's write lock from its read to its write, so
              // no other process can claim the same rows in between.
              await take(db, dueIds(db));
        return rows.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at || a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
      },

      async renew(id, owner, leaseMs) {
        const now = clock.now();
        const result = await db
          .updateTable('jobs')
          .set({ lease_until: now + leaseMs, updated_at: now })
          .where('queue', '=', queue)
          .where('id', '=', id)
          .where('state', '=', 'active')
          .where('lease_owner', '=', owner)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },

      async release(ids, owner) {
        if (ids.length === 0) return;
        await db
          .updateTable('jobs')
          .set({ state: 'waiting', lease_owner: null, lease_until: null, updated_at: clock.now() })
          .where('queue', '=', queue)
          .where('id', 'in', ids)
          .where('state', '=', 'active')
          .where('lease_owner', '=', owner)
          .execute();
      },

      async complete(row, owner, result) {
        const now = clock.now();
        const updated = await db
          .updateTable('jobs')
          .set((eb) => ({
            state: 'completed',
            result: toJsonOrNull(result),
            attempts_made: eb('attempts_made', '+', 1),
            lease_owner: null,
            lease_until: null,
            finished_at: now,
            updated_at: now,
          }))
          .where('queue', '=', queue)
          .where('id', '=', row.id)
          .where('state', '=', 'active')
          .where('lease_owner', '=', owner)
          .returningAll()
          .executeTakeFirst();
        return updated === undefined ? undefined : toInfo(updated, now);
      },

      async fail(row, owner, error) {
        const now = clock.now();
        const failures = row.attempts_made + 1;
        const final = isFinalFailure(error) || failures >= row.max_attempts;
        const kept = toJson(serializeJobError(error));
        const backoff = fromJson<BackoffOptions>(row.backoff);
        const updated = await db
          .updateTable('jobs')
          .set(
            final
              ? { state: 'failed', error: kept, attempts_made: failures, lease_owner: null, lease_until: null, finished_at: now, updated_at: now }
              : { state: 'waiting', error: kept, attempts_made: failures, lease_owner: null, lease_until: null, run_at: now + backoffDelay(backoff, failures), updated_at: now },
          )
          .where('queue', '=', queue)
          .where('id', '=', row.id)
          .where('state', '=', 'active')
          .where('lease_owner', '=', owner)
          .returningAll()
          .executeTakeFirst();
        return updated === undefined ? undefined : toInfo(updated, now);
      },

      async recoverStalled(maxStalledCount) {
        const now = clock.now();
        // Stalled too often: fail it, as BullMQ does, rather than loop on a job that kills its worker.
        const failed = await db
          .updateTable('jobs')
          .set({
            state: 'failed',
            error: toJson(
              new ConnectorError({
                kind: 'system',
                code: 'queue.job_stalled',
                message: `the job's worker stopped more than ${maxStalledCount} time(s) while running it`,
              }).toJSON(),
            ),
            lease_owner: null,
            lease_until: null,
            finished_at: now,
            updated_at: now,
          })
          .where('queue', '=', queue)
          .where('state', '=', 'active')
          .where('lease_until', '<', now)
          .where('stalled_count', '>=', maxStalledCount)
          .returningAll()
          .execute();
        await db
          .updateTable('jobs')
          .set((eb) => ({ state: 'waiting', lease_owner: null, lease_until: null, run_at: now, stalled_count: eb('stalled_count', '+', 1), updated_at: now }))
          .where('queue', '=', queue)
          .where('state', '=', 'active')
          .where('lease_until', '<', now)
          .where('stalled_count', '<', maxStalledCount)
          .execute();
        return failed.map((row) => toInfo(row, now));
      },
    };
  }
}

interface QueueInternals {
  clock: Clock;
  pollIntervalMs: number;
  reportError(error: unknown): void;
  emitFinished(job: JobInfo): void;
  /** Claims up to `limit` due jobs for `owner`. */
  claim(owner: string, limit: number, leaseMs: number): Promise<JobRow[]>;
  /** False when the lease is no longer ours. */
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Gives back claims that were never started. */
  release(ids: readonly string[], owner: string): Promise<void>;
  /** Undefined when the lease was lost meanwhile (the outcome is dropped). */
  complete(row: JobRow, owner: string, result: unknown): Promise<JobInfo | undefined>;
  fail(row: JobRow, owner: string, error: unknown): Promise<JobInfo | undefined>;
  /** Puts expired leases back to waiting; returns the jobs it failed instead. */
  recoverStalled(maxStalledCount: number): Promise<JobInfo[]>;
}

interface RunningJob {
  controller: AbortController;
  stopRenewing: AbortController;
  /** Set when the outcome must not be written: force-closed, or the lease was lost. */
  dropped: boolean;
  done: Promise<void>;
}

class EmbeddedWorker implements QueueWorker {
  /** Unique per worker, and says which process holds a job when someone looks at the table. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly running = new Map<string, RunningJob>();
  private readonly concurrency: number;
  private readonly lockDurationMs: number;
  private readonly maxStalledCount: number;
  private closing = false;
  private forced = false;
  private wakeup = new AbortController();
  private readonly loopDone: Promise<void>;
  private closeDone: Promise<void> | undefined;
  private resolveClosed!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(
    private readonly queue: QueueInternals,
    private readonly handler: JobHandler,
    options: ProcessOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.lockDurationMs = Math.max(1, options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS);
    this.maxStalledCount = Math.max(0, options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT);
    this.loopDone = this.loop();
  }

  /** Ends the current idle wait early (a job was added, or a slot freed up). */
  wake(): void {
    this.wakeup.abort();
  }

  close(options: { force?: boolean } = {}): Promise<void> {
    if (options.force === true && !this.forced) {
      this.forced = true;
      // A crash, as far as the job table can tell: outcomes are dropped and leases are left to expire.
      for (const job of this.running.values()) {
        job.dropped = true;
        job.stopRenewing.abort();
        job.controller.abort(new ConnectorError({ kind: 'transient', code: 'queue.worker_closed', message: 'the worker was closed while the job ran' }));
      }
    }
    this.closing = true;
    this.wake();
    this.closeDone ??= (async () => {
      await this.loopDone;
      if (!this.forced) await Promise.all([...this.running.values()].map((job) => job.done));
      this.resolveClosed();
    })();
    return this.forced ? this.loopDone.then(() => this.resolveClosed()) : this.closeDone;
  }

  private async loop(): Promise<void> {
    const { clock } = this.queue;
    let nextStalledCheck = 0;
    while (!this.closing) {
      try {
        if (clock.now() >= nextStalledCheck) {
          for (const job of await this.queue.recoverStalled(this.maxStalledCount)) this.queue.emitFinished(job);
          nextStalledCheck = clock.now() + this.lockDurationMs;
        }
        const free = this.concurrency - this.running.size;
        if (free > 0) {
          const claimed = await this.queue.claim(this.owner, free, this.lockDurationMs);
          if (this.forced) {
            await this.queue.release(claimed.map((row) => row.id), this.owner);
            break;
          }
          for (const row of claimed) this.start(row);
          // There may be more due jobs than we took: look again at once while there is room.
          if (claimed.length > 0 && this.running.size < this.concurrency) continue;
        }
      } catch (error) {
        this.queue.reportError(error);
      }
      await this.idle(this.queue.pollIntervalMs);
    }
  }

  private async idle(ms: number): Promise<void> {
    const wakeup = this.wakeup;
    if (!wakeup.signal.aborted) await this.queue.clock.sleep(ms, wakeup.signal).catch(() => undefined);
    if (wakeup.signal.aborted) this.wakeup = new AbortController();
  }

  private start(row: JobRow): void {
    const { clock } = this.queue;
    const job: RunningJob = { controller: new AbortController(), stopRenewing: new AbortController(), dropped: false, done: Promise.resolve() };
    const renewing = (async () => {
      while (!job.stopRenewing.signal.aborted) {
        // BullMQ renews at half the lock duration: one missed renewal still leaves time for the next.
        const slept = await clock.sleep(this.lockDurationMs / 2, job.stopRenewing.signal).then(() => true, () => false);
        if (!slept) return;
        try {
          if (!(await this.queue.renew(row.id, this.owner, this.lockDurationMs))) {
            // Someone else has the job now (we hung past the lease): our outcome would overwrite theirs.
            job.dropped = true;
            job.controller.abort(new ConnectorError({ kind: 'transient', code: 'queue.lease_lost', message: 'the job was taken over after its lease expired' }));
            return;
          }
        } catch (error) {
          this.queue.reportError(error);
        }
      }
    })();

    job.done = (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        const result = await this.handler({
          id: row.id,
          name: row.name,
          data: fromJson(row.data),
          attemptsMade: row.attempts_made,
          signal: job.controller.signal,
        });
        outcome = { ok: true, result };
      } catch (error) {
        outcome = { ok: false, error };
      }
      job.stopRenewing.abort();
      await renewing;
      if (job.dropped) return;
      try {
        const info = outcome.ok ? await this.queue.complete(row, this.owner, outcome.result) : await this.queue.fail(row, this.owner, outcome.error);
        if (info !== undefined && isFinished(info)) this.queue.emitFinished(info);
      } catch (error) {
        this.queue.reportError(error);
      }
    })().finally(() => {
      this.running.delete(row.id);
      this.wake();
    });
    this.running.set(row.id, job);
  }
}

function toInfo(row: JobRow, now: number): JobInfo {
  return {
    id: row.id,
    name: row.name,
    data: fromJson(row.data),
    state: row.state === 'waiting' && row.run_at > now ? 'delayed' : row.state,
    attemptsMade: row.attempts_made,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    result: row.state === 'completed' ? fromJson(row.result) : undefined,
    error: parseJobError(row.error),
  };
}
