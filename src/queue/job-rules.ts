/**
 * What both queue implementations decide the same way: option checks, which
 * failures end a job, backoff delays, and how errors are kept.
 */
import { ConnectorError, isConnectorError, type SerializedError } from '../core/errors.ts';
import { MAX_PRIORITY, NON_RETRYABLE_KINDS, type AddJobOptions, type BackoffOptions } from './types.ts';

export const MAX_JOB_ID_LENGTH = 1000;
/** BullMQ's defaults, used by both queues: a 30 s lease, and one stall forgiven. */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_MAX_STALLED_COUNT = 1;

export interface CheckedJobOptions {
  attempts: number;
  backoff: BackoffOptions | undefined;
  delay: number;
  priority: number;
}

function badOptions(message: string): ConnectorError {
  return new ConnectorError({ kind: 'validation', code: 'queue.bad_job_options', message });
}

const isWhole = (value: unknown, min: number): value is number => Number.isSafeInteger(value) && (value as number) >= min;

/** Checks a job's name and options; a bad one is a `validation` error naming it (a bug in the caller). */
export function checkJobOptions(name: string, options: AddJobOptions): CheckedJobOptions {
  if (typeof name !== 'string' || name === '') throw badOptions('a job needs a name');
  if (options.jobId !== undefined && (typeof options.jobId !== 'string' || options.jobId === '' || options.jobId.length > MAX_JOB_ID_LENGTH)) {
    throw badOptions(`jobId must be a non-empty string of at most ${MAX_JOB_ID_LENGTH} characters`);
  }
  const attempts = options.attempts ?? 1;
  if (!isWhole(attempts, 1)) throw badOptions(`attempts must be a whole number, 1 or more; got ${String(options.attempts)}`);
  const delay = options.delay ?? 0;
  if (!isWhole(delay, 0)) throw badOptions(`delay must be whole milliseconds, 0 or more; got ${String(options.delay)}`);
  const priority = options.priority ?? 0;
  if (!isWhole(priority, 0) || priority > MAX_PRIORITY) throw badOptions(`priority must be a whole number from 0 to ${MAX_PRIORITY}; got ${String(options.priority)}`);
  const backoff = options.backoff;
  if (backoff !== undefined && ((backoff.type !== 'fixed' && backoff.type !== 'exponential') || !isWhole(backoff.delay, 0))) {
    throw badOptions('backoff must be {type: "fixed" | "exponential", delay: whole milliseconds}');
  }
  return { attempts, backoff, delay, priority };
}

/** Whether a failure ends the job at once, whatever attempts are left. */
export function isFinalFailure(error: unknown): boolean {
  return isConnectorError(error) && (NON_RETRYABLE_KINDS as readonly string[]).includes(error.kind);
}

/**
 * The wait before the next attempt, after `failures` failed attempts (1 or
 * more). Exponential doubles from `delay`: delay, 2·delay, 4·delay, … as in
 * BullMQ, so both queues retry on the same schedule.
 */
export function backoffDelay(backoff: BackoffOptions | undefined, failures: number): number {
  if (backoff === undefined) return 0;
  if (backoff.type === 'fixed') return backoff.delay;
  return Math.round(backoff.delay * 2 ** Math.max(0, failures - 1));
}

/** The form an attempt's error is kept in (it crosses Redis, the job table and the audit). */
export function serializeJobError(error: unknown): SerializedError {
  if (isConnectorError(error)) return error.toJSON();
  if (error instanceof Error) {
    return { code: 'queue.handler_failed', kind: 'system', message: error.message, details: { name: error.name } };
  }
  return { code: 'queue.handler_failed', kind: 'system', message: String(error), details: {} };
}

/** Reads back a kept error; text that is not one of ours becomes a `system` error carrying it. */
export function parseJobError(text: string | null | undefined): SerializedError | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    const value = JSON.parse(text) as Partial<SerializedError>;
    if (typeof value === 'object' && value !== null && typeof value.code === 'string' && typeof value.kind === 'string' && typeof value.message === 'string') {
      return { code: value.code, kind: value.kind, message: value.message, details: value.details ?? {} };
    }
  } catch {
    // Not ours: fall through.
  }
  return { code: 'queue.handler_failed', kind: 'system', message: text, details: {} };
}
