/**
 * Test support: run one contract suite against every queue: the embedded
 * queue on each store dialect, and BullMQ on Redis (`REDIS_URL`, default
 * `redis://127.0.0.1:6379`) under a key prefix of its own that is deleted at
 * the end. A missing service fails the suite under CI and skips it elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';
import { Redis } from 'ioredis';
import { declareUnavailable, forEachStore } from '../store/test-stores.ts';
import type { Store } from '../store/open-store.ts';
import { BullMqQueue, probeRedis } from './bullmq-queue.ts';
import { EmbeddedQueue } from './embedded-queue.ts';
import type { JobQueue } from './types.ts';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export function testRedisUrl(): string {
  const fromEnv = process.env.REDIS_URL;
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_TEST_REDIS_URL : fromEnv;
}

export interface QueueTestContext {
  kind: JobQueue['kind'];
  /** A queue of its own (a fresh name, so tests never see each other's jobs); closed at the end. */
  newQueue(): Promise<JobQueue>;
  /** Failures the queues reported through `onError` (a healthy run has none). */
  errors: unknown[];
}

export function forEachQueue(name: string, body: (context: QueueTestContext) => void): void {
  forEachStore(`${name}: embedded queue`, (open) => {
    const queues: JobQueue[] = [];
    const errors: unknown[] = [];
    let store: Promise<Store> | undefined;
    after(async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    });
    body({
      kind: 'embedded',
      errors,
      async newQueue() {
        // Polling every 20 ms keeps the suite quick; production polls less often.
        const queue = new EmbeddedQueue({ store: await (store ??= open()), name: uniqueName(), pollIntervalMs: 20, onError: (error) => errors.push(error) });
        queues.push(queue);
        return queue;
      },
    });
  });

  describe(`${name}: bullmq queue [redis]`, async () => {
    const url = testRedisUrl();
    const unreachable = await probeRedis(url);
    if (unreachable !== undefined) {
      declareUnavailable({ service: 'Redis', url, envVar: 'REDIS_URL', reason: unreachable });
      return;
    }
    const prefix = `mlc-test-${randomBytes(6).toString('hex')}`;
    const queues: BullMqQueue[] = [];
    const errors: unknown[] = [];
    after(async () => {
      await Promise.all(queues.map((queue) => queue.close()));
      await deleteKeys(url, prefix);
    });
    body({
      kind: 'bullmq',
      errors,
      async newQueue() {
        const queue = new BullMqQueue({ redisUrl: url, name: uniqueName(), prefix, onError: (error) => errors.push(error) });
        queues.push(queue);
        return queue;
      },
    });
  });
}

function uniqueName(): string {
  return `test-${randomBytes(5).toString('hex')}`;
}

/** Deletes every Redis key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
