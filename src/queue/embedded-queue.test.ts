/**
 * The embedded queue's leases, with real worker processes where it matters: what the contract suite can
 * only simulate in one process (a SIGKILLed worker, claims racing across
 * processes) happens here for real, on both store dialects.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { it } from 'node:test';
import { openStore, type OpenStoreOptions } from '../store/open-store.ts';
import { forEachStore } from '../store/test-stores.ts';
import { EmbeddedQueue } from './embedded-queue.ts';

/**
 * A worker process: opens the store, works the queue and prints one line per
 * event. `hang` never finishes a job (to be killed mid-job); `work` finishes
 * each job at once.
 */
const WORKER = `
  const { openStore } = await import(process.env.MLC_OPEN_STORE);
  const { EmbeddedQueue } = await import(process.env.MLC_EMBEDDED_QUEUE);
  const store = await openStore(JSON.parse(process.env.MLC_OPTIONS));
  const queue = new EmbeddedQueue({ store, name: process.env.MLC_QUEUE, pollIntervalMs: 20 });
  const hang = process.env.MLC_MODE === 'hang';
  queue.process(async (job) => {
    console.log(JSON.stringify({ event: 'started', id: job.id, pid: process.pid }));
    if (hang) await new Promise(() => {});
    return process.pid;
  }, { concurrency: 4, lockDurationMs: 500 });
  console.log(JSON.stringify({ event: 'ready' }));
  process.on('SIGTERM', async () => { await queue.close(); await store.close(); process.exit(0); });
`;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  events: Array<{ event: string; id?: string; pid?: number }>;
  /** Resolves once the child printed an event matching `test`. */
  until(test: (event: { event: string; id?: string }) => boolean): Promise<void>;
}

function startWorker(options: OpenStoreOptions, queue: string, mode: 'hang' | 'work'): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WORKER], {
    env: {
      ...process.env,
      MLC_OPEN_STORE: new URL('../store/open-store.ts', import.meta.url).href,
      MLC_EMBEDDED_QUEUE: new URL('./embedded-queue.ts', import.meta.url).href,
      MLC_OPTIONS: JSON.stringify(options),
      MLC_QUEUE: queue,
      MLC_MODE: mode,
    },
  });
  const worker: WorkerProcess = {
    child,
    events: [],
    until: (test) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (worker.events.some(test)) {
            child.stdout.off('data', check);
            child.off('exit', onExit);
            resolve();
          }
        };
        const onExit = (code: number | null) => reject(new Error(`the worker process exited (${code}) first`));
        child.stdout.on('data', check);
        child.once('exit', onExit);
        check();
      }),
  };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) worker.events.push(JSON.parse(line));
  });
  // Keep stderr drained so the child never blocks on a full pipe.
  child.stderr.resume();
  return worker;
}

/** Stops the process and waits until everything it printed has been read. */
async function stop(worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  const { child } = worker;
  if (child.stdout.readableEnded && (child.exitCode !== null || child.signalCode !== null)) return;
  const closed = once(child, 'close');
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await closed;
}

forEachStore('embedded queue with worker processes', (open, { newDatabaseOptions }) => {
  it('runs a job again after its worker process is SIGKILLed mid-job', async () => {
    const options = await newDatabaseOptions();
    const store = await openStore(options);
    const queue = new EmbeddedQueue({ store, name: 'runs', pollIntervalMs: 20 });
    const doomed = startWorker(options, 'runs', 'hang');
    try {
      const job = await queue.add('run', { flow: 'zohobooks-to-hubspot' }, { jobId: 'run:1' });
      await doomed.until((event) => event.event === 'started' && event.id === 'run:1');
      await stop(doomed, 'SIGKILL');
      assert.equal((await queue.getJob(job.id))?.state, 'active', 'the dead worker still holds the job');

      const attempts: number[] = [];
      const rescuer = queue.process(async (rerun) => {
        attempts.push(rerun.attemptsMade);
        return 'finished after the crash';
      }, { lockDurationMs: 500 });
      const done = await queue.waitFor(job.id, { timeoutMs: 60_000 });
      await rescuer.close();
      assert.equal(done.state, 'completed');
      assert.equal(done.result, 'finished after the crash');
      assert.deepEqual(attempts, [0], 'a crash is not a failed attempt');
      const row = await store.db.selectFrom('jobs').select(['stalled_count', 'lease_owner']).where('id', '=', 'run:1').executeTakeFirstOrThrow();
      assert.deepEqual(row, { stalled_count: 1, lease_owner: null });
    } finally {
      await stop(doomed, 'SIGKILL');
      await queue.close();
      await store.close();
    }
  });

  it('tells a handler that lost its lease to stop, and drops its outcome', async () => {
    const store = await open();
    const queue = new EmbeddedQueue({ store, name: 'lease-lost', pollIntervalMs: 20 });
    try {
      let firstSignal: AbortSignal | undefined;
      const firstStarted = deferred();
      const releaseFirst = deferred();
      const slow = queue.process(async (job) => {
        if (job.attemptsMade > 0 || firstSignal !== undefined) return 'second';
        firstSignal = job.signal;
        firstStarted.resolve();
        await releaseFirst.promise;
        return 'first, too late';
      }, { lockDurationMs: 400 });
      const job = await queue.add('hangs', {});
      await firstStarted.promise;
      // As if the worker had hung past its lease and the stalled check had run: the lease is no longer its own.
      await store.db.updateTable('jobs').set({ lease_until: 0, lease_owner: 'expired' }).where('queue', '=', 'lease-lost').execute();
      const rescuer = queue.process(async () => 'taken over', { lockDurationMs: 400 });
      const done = await queue.waitFor(job.id, { timeoutMs: 60_000 });
      assert.equal(done.result, 'taken over');
      await new Promise<void>((resolve) => firstSignal!.addEventListener('abort', () => resolve(), { once: true }));
      assert.equal((firstSignal!.reason as { code?: string }).code, 'queue.lease_lost');
      releaseFirst.resolve();
      await slow.close();
      await rescuer.close();
      assert.equal((await queue.getJob(job.id))?.result, 'taken over');
    } finally {
      await queue.close();
    }
  });

  it('gives each job to exactly one of several worker processes', async () => {
    const options = await newDatabaseOptions();
    const store = await openStore(options);
    const queue = new EmbeddedQueue({ store, name: 'records', pollIntervalMs: 20 });
    const workers = [startWorker(options, 'records', 'work'), startWorker(options, 'records', 'work')];
    try {
      await Promise.all(workers.map((worker) => worker.until((event) => event.event === 'ready')));
      const jobs = await Promise.all(Array.from({ length: 60 }, (_, i) => queue.add('record', { i }, { jobId: `record:${i}` })));
      for (const job of jobs) assert.equal((await queue.waitFor(job.id, { timeoutMs: 60_000 })).state, 'completed');
      // A job can be completed in the table before its worker's output has reached us.
      await Promise.all(workers.map((worker) => stop(worker, 'SIGTERM')));
      const started = workers.flatMap((worker) => worker.events.filter((event) => event.event === 'started').map((event) => event.id));
      assert.equal(started.length, 60, 'no job ran twice');
      assert.equal(new Set(started).size, 60);
    } finally {
      await Promise.all(workers.map((worker) => stop(worker, 'SIGTERM')));
      await queue.close();
      await store.close();
    }
  });
});
