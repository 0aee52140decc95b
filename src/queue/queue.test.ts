import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectorError } from '../core/errors.ts';
import { backoffDelay, isFinalFailure, parseJobError, serializeJobError } from './job-rules.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/open-store.ts';
import { decodeJobId, encodeJobId, probeRedis } from './bullmq-queue.ts';
import { createQueue } from './create-queue.ts';
import { deleteKeys, forEachQueue, testRedisUrl } from './test-queues.ts';
import type { JobInfo } from './types.ts';

/** A promise with its resolve function, to let a test and a handler meet. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` until it is true; fails after a generous limit (no timing is asserted). */
async function eventually(check: () => Promise<boolean> | boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const transient = (message: string) => new ConnectorError({ kind: 'transient', code: 'test.flaky', message });

forEachQueue('job queue contract', ({ newQueue, errors }) => {
  it('adds, processes and completes a job', async () => {
    const queue = await newQueue();
    const seen: unknown[] = [];
    const added = await queue.add('sync', { flow: 'zohobooks-to-hubspot', n: 1 });
    assert.equal(added.state, 'waiting');
    assert.equal(added.name, 'sync');
    assert.deepEqual(added.data, { flow: 'zohobooks-to-hubspot', n: 1 });
    const worker = queue.process(async (job) => {
      seen.push({ id: job.id, name: job.name, data: job.data, attemptsMade: job.attemptsMade });
      return { read: 3 };
    });
    const done = await queue.waitFor(added.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(done.result, { read: 3 });
    assert.equal(done.attemptsMade, 1);
    assert.equal(done.maxAttempts, 1);
    assert.equal(typeof done.finishedAt, 'number');
    assert.deepEqual(seen, [{ id: added.id, name: 'sync', data: { flow: 'zohobooks-to-hubspot', n: 1 }, attemptsMade: 0 }]);
    assert.deepEqual(await queue.counts(), { waiting: 0, delayed: 0, active: 0, completed: 1, failed: 0 });
    await worker.close();
    assert.equal(await queue.getJob('no-such-job'), undefined);
    assert.deepEqual(errors, []);
  });

  it('de-duplicates by job id, in any state', async () => {
    const queue = await newQueue();
    // Deterministic ids carry ":" and may look like numbers; both are fine.
    for (const jobId of ['zohobooks-to-hubspot:invoices:4711:v3', '12345', '100%:done']) {
      const first = await queue.add('record', { version: 1 }, { jobId });
      const second = await queue.add('record', { version: 2 }, { jobId });
      assert.equal(first.id, jobId);
      assert.equal(second.id, jobId);
      assert.deepEqual(second.data, { version: 1 }, 'the first job stays as it was');
    }
    assert.equal((await queue.counts()).waiting, 3);
    const runs = new Map<string, number>();
    const worker = queue.process(async (job) => void runs.set(job.id, (runs.get(job.id) ?? 0) + 1), { concurrency: 2 });
    await queue.waitFor('zohobooks-to-hubspot:invoices:4711:v3');
    await queue.waitFor('12345');
    await queue.waitFor('100%:done');
    const again = await queue.add('record', { version: 3 }, { jobId: '12345' });
    assert.equal(again.state, 'completed', 'a finished job still de-duplicates');
    await worker.close();
    assert.deepEqual(Object.fromEntries(runs), { 'zohobooks-to-hubspot:invoices:4711:v3': 1, '12345': 1, '100%:done': 1 });
  });

  it('retries with exponential backoff until the attempts run out, then fails', async () => {
    const queue = await newQueue();
    const attemptsSeen: number[] = [];
    const worker = queue.process(async (job) => {
      attemptsSeen.push(job.attemptsMade);
      throw transient(`attempt ${job.attemptsMade + 1} failed`);
    });
    const job = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'exponential', delay: 20 } });
    const done = await queue.waitFor(job.id);
    await worker.close();
    assert.equal(done.state, 'failed');
    assert.equal(done.attemptsMade, 3);
    assert.deepEqual(attemptsSeen, [0, 1, 2]);
    assert.equal(done.error?.kind, 'transient');
    assert.equal(done.error?.code, 'test.flaky');
    assert.equal(done.error?.message, 'attempt 3 failed');
  });

  it('retries a plain error and completes on a later attempt', async () => {
    const queue = await newQueue();
    const worker = queue.process(async (job) => {
      if (job.attemptsMade === 0) throw new Error('first time unlucky');
      return 'ok';
    });
    const job = await queue.add('flaky', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    const done = await queue.waitFor(job.id);
    await worker.close();
    assert.equal(done.state, 'completed');
    assert.equal(done.result, 'ok');
    assert.equal(done.attemptsMade, 2, 'both attempts count, the failed and the completed one');
  });

  it('holds a failed attempt back for its backoff', async () => {
    const queue = await newQueue();
    const worker = queue.process(async () => {
      throw transient('try later');
    });
    const job = await queue.add('slow-retry', {}, { attempts: 2, backoff: { type: 'fixed', delay: 600_000 } });
    let info: JobInfo | undefined;
    await eventually(async () => (info = await queue.getJob(job.id))?.state === 'delayed', 'the first attempt failed');
    assert.equal(info?.attemptsMade, 1);
    assert.equal(info?.error?.message, 'try later');
    assert.equal((await queue.counts()).delayed, 1);
    await worker.close();
    assert.equal(await queue.remove(job.id), true);
  });

  it('fails at once on a non-retryable error', async () => {
    const queue = await newQueue();
    let calls = 0;
    const worker = queue.process(async (job) => {
      calls += 1;
      throw new ConnectorError({ kind: job.data as 'validation' | 'auth', code: 'test.rejected', message: 'the target said no', details: { field: 'email' } });
    });
    for (const kind of ['validation', 'auth'] as const) {
      const job = await queue.add('reject', kind, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
      const done = await queue.waitFor(job.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.attemptsMade, 1);
      assert.deepEqual(done.error, { code: 'test.rejected', kind, message: 'the target said no', details: { field: 'email' } });
    }
    await worker.close();
    assert.equal(calls, 2);
  });

  it('keeps a delayed job waiting until its time', async () => {
    const queue = await newQueue();
    const later = await queue.add('later', {}, { delay: 600_000 });
    assert.equal(later.state, 'delayed');
    const ran: string[] = [];
    const worker = queue.process(async (job) => void ran.push(job.name));
    const now = await queue.add('now', {});
    await queue.waitFor(now.id);
    const soon = await queue.add('soon', {}, { delay: 50 });
    await queue.waitFor(soon.id);
    await worker.close();
    assert.deepEqual(ran, ['now', 'soon']);
    assert.equal((await queue.getJob(later.id))?.state, 'delayed');
    assert.equal((await queue.counts()).delayed, 1);
    assert.equal(await queue.remove(later.id), true);
    assert.equal(await queue.getJob(later.id), undefined);
    assert.equal(await queue.remove(later.id), false);
  });

  it('runs higher priorities first, jobs without a priority before all', async () => {
    const queue = await newQueue();
    const order: string[] = [];
    const jobs = [];
    for (const [name, priority] of [['p3', 3], ['p1', 1], ['none', undefined], ['p2', 2]] as const) {
      jobs.push(await queue.add(name, {}, priority === undefined ? {} : { priority }));
    }
    const worker = queue.process(async (job) => void order.push(job.name), { concurrency: 1 });
    for (const job of jobs) await queue.waitFor(job.id);
    await worker.close();
    assert.deepEqual(order, ['none', 'p1', 'p2', 'p3']);
  });

  it('never runs more jobs at once than the concurrency', async () => {
    const queue = await newQueue();
    const gate = deferred();
    const twoRunning = deferred();
    let running = 0;
    let most = 0;
    let started = 0;
    const worker = queue.process(
      async () => {
        started += 1;
        running += 1;
        most = Math.max(most, running);
        if (running === 2) twoRunning.resolve();
        await gate.promise;
        running -= 1;
      },
      { concurrency: 2 },
    );
    const jobs = await Promise.all(Array.from({ length: 5 }, (_, i) => queue.add('work', { i })));
    await twoRunning.promise;
    // Give the worker every chance to (wrongly) start a third job.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(started, 2);
    assert.equal((await queue.counts()).active, 2);
    gate.resolve();
    for (const job of jobs) assert.equal((await queue.waitFor(job.id)).state, 'completed');
    await worker.close();
    assert.equal(most, 2);
  });

  it('runs each job once across several workers', async () => {
    const queue = await newQueue();
    const runs = new Map<string, number>();
    const handler = async (job: { id: string }) => void runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    const workers = [queue.process(handler, { concurrency: 3 }), queue.process(handler, { concurrency: 3 })];
    const jobs = await Promise.all(Array.from({ length: 30 }, (_, i) => queue.add('work', { i })));
    for (const job of jobs) await queue.waitFor(job.id);
    await Promise.all(workers.map((worker) => worker.close()));
    assert.equal(runs.size, 30);
    assert.ok([...runs.values()].every((count) => count === 1));
    assert.equal((await queue.counts()).completed, 30);
  });

  it('runs a job again when its worker dies mid-job', async () => {
    const queue = await newQueue();
    const firstStarted = deferred<AbortSignal>();
    const releaseFirst = deferred();
    const crashed = queue.process(
      async (job) => {
        firstStarted.resolve(job.signal);
        await releaseFirst.promise;
        return 'from the dead worker';
      },
      { lockDurationMs: 400 },
    );
    const job = await queue.add('long-run', { run: 'r1' }, { attempts: 1 });
    const signal = await firstStarted.promise;
    // A crash: the worker stops renewing its lease and never reports the job's outcome.
    await crashed.close({ force: true });
    assert.equal(signal.aborted, true, 'the abandoned handler is told to stop');

    const rescuer = queue.process(async (rerun) => `rescued ${JSON.stringify(rerun.data)}`, { lockDurationMs: 400 });
    const done = await queue.waitFor(job.id, { timeoutMs: 60_000 });
    assert.equal(done.state, 'completed');
    assert.equal(done.result, 'rescued {"run":"r1"}');

    // The dead worker's late result changes nothing.
    releaseFirst.resolve();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await queue.getJob(job.id))?.result, 'rescued {"run":"r1"}');
    await rescuer.close();
  });

  it('tells listeners and waiters about finished jobs', async () => {
    const queue = await newQueue();
    const finished: JobInfo[] = [];
    const unsubscribe = queue.onFinished((job) => finished.push(job));
    const worker = queue.process(async (job) => {
      if (job.name === 'bad') throw new ConnectorError({ kind: 'validation', code: 'test.bad', message: 'bad input' });
      return 42;
    });
    const good = await queue.add('good', {});
    const bad = await queue.add('bad', {});
    assert.equal((await queue.waitFor(good.id)).result, 42);
    assert.equal((await queue.waitFor(bad.id)).state, 'failed');
    await eventually(() => finished.length === 2, 'both jobs were announced');
    unsubscribe();
    assert.deepEqual(finished.map((job) => [job.id, job.state]).sort(), [[good.id, 'completed'], [bad.id, 'failed']].sort());
    await worker.close();

    // Waiting on a job that has already finished answers at once.
    assert.equal((await queue.waitFor(good.id)).state, 'completed');
  });

  it('gives up waiting after a timeout, and knows no unknown job', async () => {
    const queue = await newQueue();
    const job = await queue.add('nobody-works-on-this', {});
    await assert.rejects(queue.waitFor(job.id, { timeoutMs: 50 }), (error) => error instanceof ConnectorError && error.code === 'queue.wait_timeout');
    await assert.rejects(queue.waitFor('never-added'), (error) => error instanceof ConnectorError && error.kind === 'not_found');
  });

  it('refuses bad options with a validation error', async () => {
    const queue = await newQueue();
    for (const options of [{ attempts: 0 }, { delay: -1 }, { priority: 1.5 }, { jobId: '' }, { backoff: { type: 'linear' as 'fixed', delay: 1 } }]) {
      await assert.rejects(queue.add('x', {}, options), (error) => error instanceof ConnectorError && error.kind === 'validation');
    }
  });
});

describe('job rules', () => {
  it('doubles exponential backoff from its delay, as BullMQ does', () => {
    assert.deepEqual([1, 2, 3, 4].map((failures) => backoffDelay({ type: 'exponential', delay: 100 }, failures)), [100, 200, 400, 800]);
    assert.deepEqual([1, 2, 3].map((failures) => backoffDelay({ type: 'fixed', delay: 100 }, failures)), [100, 100, 100]);
    assert.equal(backoffDelay(undefined, 3), 0);
  });

  it('ends a job at once only for kinds no retry can fix', () => {
    const of = (kind: ConnectorError['kind']) => new ConnectorError({ kind, code: 'x', message: 'x' });
    for (const kind of ['validation', 'config', 'conflict', 'not_found', 'auth'] as const) assert.equal(isFinalFailure(of(kind)), true, kind);
    for (const kind of ['transient', 'rate_limited', 'system'] as const) assert.equal(isFinalFailure(of(kind)), false, kind);
    assert.equal(isFinalFailure(new Error('plain')), false);
  });

  it('keeps errors in a form that survives Redis and the job table', () => {
    const error = new ConnectorError({ kind: 'rate_limited', code: 'hubspot.rate_limited', message: 'slow down', details: { status: 429 } });
    assert.deepEqual(parseJobError(JSON.stringify(serializeJobError(error))), error.toJSON());
    assert.deepEqual(parseJobError(JSON.stringify(serializeJobError(new TypeError('oops')))), {
      code: 'queue.handler_failed', kind: 'system', message: 'oops', details: { name: 'TypeError' },
    });
    assert.equal(parseJobError('not json')?.message, 'not json');
    assert.equal(parseJobError(null), undefined);
  });

  it('encodes job ids reversibly into what BullMQ accepts', () => {
    for (const id of ['a:b:c', '42', '%3A', '100%', '', 'ü:%25:x']) {
      const encoded = encodeJobId(id);
      assert.ok(!encoded.includes(':'));
      assert.notEqual(`${parseInt(encoded, 10)}`, encoded);
      assert.equal(decodeJobId(encoded), id);
    }
  });
});

describe('createQueue', () => {
  it('chooses the embedded queue without REDIS_URL and BullMQ with it', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mlc-queue-'));
    const store = await openStore({ dataDir: dir });
    try {
      const embedded = await createQueue({ store, name: 'runs' });
      assert.equal(embedded.kind, 'embedded');
      await embedded.close();

      const url = testRedisUrl();
      const unreachable = await probeRedis(url);
      if (unreachable !== undefined) {
        if (process.env.CI) assert.fail(`needs Redis at ${url} (REDIS_URL): ${unreachable}`);
        t.skip(`Redis is not reachable at ${url} (${unreachable}); start it or set REDIS_URL`);
        return;
      }
      const prefix = `mlc-test-create-${process.pid}`;
      const distributed = await createQueue({ store, redisUrl: url, name: 'runs', prefix });
      assert.equal(distributed.kind, 'bullmq');
      const job = await distributed.add('run', { x: 1 });
      assert.equal((await distributed.getJob(job.id))?.state, 'waiting');
      await distributed.close();
      await deleteKeys(url, prefix);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails fast with a config error when Redis does not answer, without its password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlc-queue-'));
    const store = await openStore({ dataDir: dir });
    try {
      await assert.rejects(createQueue({ store, redisUrl: 'redis://:hunter2-secret@127.0.0.1:1', name: 'runs' }), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.kind, 'config');
        assert.match(error.message, /REDIS_URL/);
        assert.match(error.message, /127\.0\.0\.1:1/);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      });
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
