/**
 * The job queue every part of ml-connector uses, with BullMQ's semantics:
 * deterministic job ids de-duplicate, attempts with fixed or exponential
 * backoff, delays, priorities (1 is the highest; no priority goes first),
 * concurrency per worker, and a job whose worker died is run again.
 *
 * Two implementations: the embedded queue (a durable table in the store,
 * worked in-process) and BullMQ on Redis (distributed mode).
 */
import type { SerializedError } from '../core/errors.ts';

export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Error kinds that no retry can fix: a job failing with one fails at once. */
export const NON_RETRYABLE_KINDS = ['validation', 'config', 'conflict', 'not_found', 'auth'] as const;

/** BullMQ's highest priority value; 0 means "no priority". */
export const MAX_PRIORITY = 2_097_152;

export interface BackoffOptions {
  type: 'fixed' | 'exponential';
  /** Fixed: the wait between attempts. Exponential: the first wait, doubled after each further failure. */
  delay: number;
}

export interface AddJobOptions {
  /**
   * A deterministic id: a job with this id that is already in the queue (in
   * any state, until removed) is not added again. Any non-empty string.
   */
  jobId?: string;
  /** How many times the handler may run in all (default 1: no retry). */
  attempts?: number;
  backoff?: BackoffOptions;
  /** Milliseconds before the job may first run. */
  delay?: number;
  /** 1 (highest) to MAX_PRIORITY; jobs without a priority run before prioritized ones. */
  priority?: number;
}

export interface JobInfo<Data = unknown, Result = unknown> {
  id: string;
  name: string;
  data: Data;
  state: JobState;
  /** Attempts that finished (failed or completed); the running attempt is not counted. */
  attemptsMade: number;
  maxAttempts: number;
  priority: number;
  createdAt: number;
  finishedAt: number | null;
  /** The handler's return value, once completed. */
  result: Result | undefined;
  /** The last attempt's error, once an attempt has failed. */
  error: SerializedError | undefined;
}

export interface JobCounts {
  waiting: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
}

/** What a handler is given for one attempt. */
export interface JobContext<Data = unknown> {
  id: string;
  name: string;
  data: Data;
  /** Attempts made before this one. */
  attemptsMade: number;
  /**
   * Aborted when this attempt's result will not be kept: the worker was
   * force-closed or lost the job's lease (another worker may now run it).
   */
  signal: AbortSignal;
}

export type JobHandler<Data = unknown, Result = unknown> = (job: JobContext<Data>) => Promise<Result>;

export interface ProcessOptions {
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  /**
   * How long a job stays claimed without its worker renewing the claim. A
   * worker renews at half this; past it, the job counts as stalled and goes
   * back to waiting for another worker. Default 30 s.
   */
  lockDurationMs?: number;
  /** How many times a job may stall before it fails instead (default 1, as BullMQ). */
  maxStalledCount?: number;
}

export interface QueueWorker {
  /**
   * Stops taking jobs. Without `force`, waits for the running handlers and
   * keeps their outcomes. With `force`, returns at once and abandons them, as
   * a crash would: their jobs stay claimed until their lease expires, then run
   * again elsewhere.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

export type FinishedListener = (job: JobInfo) => void;

export interface JobQueue {
  readonly name: string;
  readonly kind: 'embedded' | 'bullmq';
  /** Adds a job, or returns the one already queued under `jobId`. */
  add<Data>(name: string, data: Data, options?: AddJobOptions): Promise<JobInfo<Data>>;
  getJob<Data = unknown, Result = unknown>(id: string): Promise<JobInfo<Data, Result> | undefined>;
  counts(): Promise<JobCounts>;
  /** Starts a worker on this queue. */
  process<Data = unknown, Result = unknown>(handler: JobHandler<Data, Result>, options?: ProcessOptions): QueueWorker;
  /**
   * Resolves with the job once it has completed or failed for good (a failed
   * job resolves too: look at `state`). Rejects after `timeoutMs` if given.
   */
  waitFor<Data = unknown, Result = unknown>(id: string, options?: { timeoutMs?: number }): Promise<JobInfo<Data, Result>>;
  /** Calls `listener` when a job completes or fails for good; returns the unsubscribe function. */
  onFinished(listener: FinishedListener): () => void;
  /** Removes a job that is not running; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Closes the workers this queue started (gracefully) and its connections. Does not close the store. */
  close(): Promise<void>;
}
