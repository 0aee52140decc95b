/**
 * Picks the queue for the mode ml-connector runs in: BullMQ when a Redis URL
 * is configured (distributed), otherwise the embedded queue in the store.
 */
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/open-store.ts';
import { BullMqQueue, probeRedis, redisUnavailable } from './bullmq-queue.ts';
import { EmbeddedQueue } from './embedded-queue.ts';
import type { JobQueue } from './types.ts';

export interface CreateQueueOptions {
  store: Store;
  /** REDIS_URL: use BullMQ. */
  redisUrl?: string;
  name: string;
  /** BullMQ's key prefix (default `ml-connector`). */
  prefix?: string;
  /** The embedded queue's idle poll interval. */
  pollIntervalMs?: number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

/** A `config` error when Redis is configured but does not answer, so a worker fails at start, not on its first job. */
export async function createQueue(options: CreateQueueOptions): Promise<JobQueue> {
  const common = { name: options.name, ...(options.clock ? { clock: options.clock } : {}), ...(options.onError ? { onError: options.onError } : {}) };
  if (options.redisUrl === undefined) {
    return new EmbeddedQueue({ store: options.store, ...common, ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }) });
  }
  const unreachable = await probeRedis(options.redisUrl);
  if (unreachable !== undefined) throw redisUnavailable(options.redisUrl, unreachable);
  return new BullMqQueue({ redisUrl: options.redisUrl, ...common, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) });
}
