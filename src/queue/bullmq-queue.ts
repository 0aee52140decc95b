/**
 * The distributed job queue: BullMQ on Redis, behind the same `JobQueue`
 * interface as the embedded queue.
 *
 * BullMQ refuses custom job ids that contain ":" or look like integers, and
 * our ids are deterministic strings built from flow, stream and natural key.
 * Ids are therefore stored encoded (`encodeJobId`) and decoded on the way
 * out, so callers see exactly the ids they chose.
 *
 * Errors cross Redis as text (`failedReason`), so a handler's error is kept
 * as its serialized JSON and parsed back. A non-retryable kind is thrown as
 * BullMQ's UnrecoverableError, which fails the job without further attempts.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { systemClock, type Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { redactUrl } from '../core/redact.ts';
import { DEFAULT_LOCK_DURATION_MS, DEFAULT_MAX_STALLED_COUNT, checkJobOptions, isFinalFailure, parseJobError, serializeJobError } from './job-rules.ts';
import type { AddJobOptions, FinishedListener, JobCounts, JobHandler, JobInfo, JobQueue, JobState, ProcessOptions, QueueWorker } from './types.ts';
import { isFinished, waitForJob } from './wait-for-job.ts';

export const DEFAULT_BULLMQ_PREFIX = 'ml-connector';
/** How long `waitFor` polls between events, as a safety net under QueueEvents. */
const WAIT_POLL_MS = 1_000;

export interface BullMqQueueOptions {
  redisUrl: string;
  name: string;
  /** Redis key prefix; tests use their own so they can clean up after themselves. */
  prefix?: string;
  clock?: Clock;
  /** Where a worker's own failures go (a lost Redis connection). Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** Encodes a job id so BullMQ accepts it: no ":" and never all digits; reversible. */
export function encodeJobId(id: string): string {
  return `j${id.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

export function decodeJobId(encoded: string): string {
  return encoded.slice(1).replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'));
}

/** BullMQ's connection options for a URL (ioredis parses it). */
function connectionFor(redisUrl: string) {
  return { url: redisUrl };
}

export class BullMqQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  readonly name: string;
  readonly prefix: string;
  private readonly redisUrl: string;
  private readonly clock: Clock;
  private readonly reportError: (error: unknown) => void;
  private readonly queue: Queue;
  private readonly events = new EventEmitter();
  private readonly workers = new Set<BullMqWorker>();
  private queueEvents: Promise<QueueEvents> | undefined;

  constructor(options: BullMqQueueOptions) {
    this.name = options.name;
    this.prefix = options.prefix ?? DEFAULT_BULLMQ_PREFIX;
    this.redisUrl = options.redisUrl;
    this.clock = options.clock ?? systemClock;
    this.reportError = options.onError ?? ((error) => console.error(`ml-connector: job queue "${this.name}":`, error instanceof Error ? error.message : error));
    this.queue = new Queue(this.name, { connection: connectionFor(this.redisUrl), prefix: this.prefix });
    this.queue.on('error', (error) => this.reportError(error));
    this.events.setMaxListeners(0);
  }

  async add<Data>(name: string, data: Data, options: AddJobOptions = {}): Promise<JobInfo<Data>> {
    const checked = checkJobOptions(name, options);
    const id = options.jobId ?? randomUUID();
    // Someone listens for finished jobs: make sure their listener is reading before this job can finish.
    if (this.queueEvents !== undefined) await this.queueEvents.catch(() => undefined);
    const jobOptions: JobsOptions = {
      jobId: encodeJobId(id),
      attempts: checked.attempts,
      // Finished jobs are kept: they are what de-duplicates a deterministic id, as in the embedded queue.
      removeOnComplete: false,
      removeOnFail: false,
      ...(checked.backoff === undefined ? {} : { backoff: { type: checked.backoff.type, delay: checked.backoff.delay } }),
      ...(checked.delay > 0 ? { delay: checked.delay } : {}),
      ...(checked.priority > 0 ? { priority: checked.priority } : {}),
    };
    await this.queue.add(name, data, jobOptions);
    // A duplicate id leaves the first job as it was; read back what is stored, not what we sent.
    const job = await this.getJob<Data>(id);
    if (job === undefined) {
      throw new ConnectorError({ kind: 'conflict', code: 'queue.job_removed', message: `job "${id}" was removed while being added` });
    }
    return job;
  }

  async getJob<Data = unknown, Result = unknown>(id: string): Promise<JobInfo<Data, Result> | undefined> {
    // A job's state and its fields are separate reads; one that moved in between (say, finished
    // without its result yet in our copy) is read again, so the answer is one consistent moment.
    const encoded = encodeJobId(id);
    for (let attempt = 1; ; attempt++) {
      const before = await this.queue.getJobState(encoded);
      const job = await this.queue.getJob(encoded);
      const after = await this.queue.getJobState(encoded);
      if (before !== after && attempt < 5) continue;
      const state = STATES[after];
      if (state === undefined || job === undefined || job === null) return undefined;
      return toInfo(job, state) as JobInfo<Data, Result>;
    }
  }

  async counts(): Promise<JobCounts> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'waiting-children', 'delayed', 'active', 'completed', 'failed');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts['waiting-children'] ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  process<Data = unknown, Result = unknown>(handler: JobHandler<Data, Result>, options: ProcessOptions = {}): QueueWorker {
    const worker = new BullMqWorker(this, handler as JobHandler, options);
    this.workers.add(worker);
    worker.closed.then(() => this.workers.delete(worker));
    return worker;
  }

  async waitFor<Data = unknown, Result = unknown>(id: string, options: { timeoutMs?: number } = {}): Promise<JobInfo<Data, Result>> {
    return (await waitForJob(this, id, {
      clock: this.clock,
      pollMs: WAIT_POLL_MS,
      ready: async () => void (await this.listen()),
      ...options,
    })) as JobInfo<Data, Result>;
  }

  onFinished(listener: FinishedListener): () => void {
    this.events.on('finished', listener);
    void this.listen().catch((error) => this.reportError(error));
    return () => this.events.off('finished', listener);
  }

  async remove(id: string): Promise<boolean> {
    const job = await this.queue.getJob(encodeJobId(id));
    if (job === undefined || job === null) return false;
    if ((await job.getState()) === 'active') {
      throw new ConnectorError({ kind: 'conflict', code: 'queue.job_active', message: `job "${id}" is running and cannot be removed`, details: { jobId: id } });
    }
    return (await this.queue.remove(encodeJobId(id))) === 1;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.close()));
    const events = this.queueEvents;
    this.queueEvents = undefined;
    if (events !== undefined) await (await events.catch(() => undefined))?.close();
    await this.queue.close();
    this.events.removeAllListeners();
  }

  /** Deletes every key of this queue in Redis (tests, and `ml-connector` resets). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  // ------------------------------------------------------------------ for the worker

  /** @internal */
  workerOptions() {
    return { connection: connectionFor(this.redisUrl), prefix: this.prefix, reportError: this.reportError };
  }

  /** QueueEvents: one blocking connection per queue, opened when someone first listens. */
  private listen(): Promise<QueueEvents> {
    this.queueEvents ??= (async () => {
      // QueueEvents reads from "now" once its loop is running, which is a little after it is
      // ready; starting after the stream's last entry instead leaves no gap.
      const events = new QueueEvents(this.name, {
        connection: connectionFor(this.redisUrl),
        prefix: this.prefix,
        lastEventId: await this.lastEventId(),
      });
      events.on('error', (error) => this.reportError(error));
      const announce = async (encodedId: string) => {
        try {
          const job = await this.getJob(decodeJobId(encodedId));
          // 'failed' can precede a retry in some BullMQ versions; only a final state counts.
          if (job !== undefined && isFinished(job)) this.events.emit('finished', job);
        } catch (error) {
          this.reportError(error);
        }
      };
      events.on('completed', ({ jobId }) => void announce(jobId));
      events.on('failed', ({ jobId }) => void announce(jobId));
      await events.waitUntilReady();
      return events;
    })();
    return this.queueEvents;
  }

  private async lastEventId(): Promise<string> {
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1 });
    redis.on('error', (error) => this.reportError(error));
    try {
      const [last] = await redis.xrevrange(this.queue.toKey('events'), '+', '-', 'COUNT', 1);
      return last?.[0] ?? '0-0';
    } finally {
      redis.disconnect();
    }
  }
}

class BullMqWorker implements QueueWorker {
  private readonly worker: Worker;
  private readonly controllers = new Set<AbortController>();
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(queue: BullMqQueue, handler: JobHandler, options: ProcessOptions) {
    const { connection, prefix, reportError } = queue.workerOptions();
    const lockDuration = Math.max(1, options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS);
    this.worker = new Worker(
      queue.name,
      async (job: Job, _token?: string, signal?: AbortSignal) => {
        const controller = new AbortController();
        signal?.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
        this.controllers.add(controller);
        try {
          return await handler({ id: decodeJobId(job.id ?? ''), name: job.name, data: job.data, attemptsMade: job.attemptsMade, signal: controller.signal });
        } catch (error) {
          const kept = JSON.stringify(serializeJobError(error));
          throw isFinalFailure(error) ? new UnrecoverableError(kept) : new Error(kept);
        } finally {
          this.controllers.delete(controller);
        }
      },
      {
        connection,
        prefix,
        concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
        lockDuration,
        // Look for stalled jobs as often as a lease can expire, like the embedded queue.
        stalledInterval: lockDuration,
        maxStalledCount: Math.max(0, options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT),
      },
    );
    // A closed connection under a force-closed worker surfaces here; without a listener it would crash the process.
    this.worker.on('error', (error) => {
      if (this.closing === undefined) reportError(error);
    });
  }

  close(options: { force?: boolean } = {}): Promise<void> {
    if (options.force === true) {
      for (const controller of this.controllers) {
        controller.abort(new ConnectorError({ kind: 'transient', code: 'queue.worker_closed', message: 'the worker was closed while the job ran' }));
      }
    }
    this.closing ??= this.worker.close(options.force === true).finally(() => this.resolveClosed());
    return this.closing;
  }
}

const STATES: Record<string, JobState> = {
  waiting: 'waiting',
  wait: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

function toInfo(job: Job, state: JobState): JobInfo {
  return {
    id: decodeJobId(job.id ?? ''),
    name: job.name,
    data: job.data,
    state,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    priority: job.opts.priority ?? 0,
    createdAt: job.timestamp,
    finishedAt: job.finishedOn ?? null,
    // A handler's `undefined` and `null` both come back as null from Redis; both read as undefined.
    result: state === 'completed' ? (job.returnvalue ?? undefined) : undefined,
    error: parseJobError(job.failedReason),
  };
}

/** Undefined when Redis answers at `url`; otherwise why not. Used to fail fast with a clear message. */
export async function probeRedis(url: string, timeoutMs = 5_000): Promise<string | undefined> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // ioredis reports the socket's error (ECONNREFUSED, …) as an event, then rejects with "Connection is closed".
  let socketError: unknown;
  client.on('error', (error) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    const cause = (socketError ?? error) as { code?: unknown; message?: unknown };
    return String(cause.code ?? cause.message);
  } finally {
    client.disconnect();
  }
}

export function redisUnavailable(url: string, reason: string): ConnectorError {
  const location = redactUrl(url);
  return new ConnectorError({
    kind: 'config',
    code: 'queue.redis_unavailable',
    message: `cannot use Redis at ${location} for the job queue (${reason}); check REDIS_URL`,
    details: { location },
  });
}
