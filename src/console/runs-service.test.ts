/**
 * "Run now" and cancel in the service layer, with a real embedded queue on a
 * real store: the run's id answers as `queued` before any worker exists; a
 * second "run now" of the same flow is refused while it waits; a queued run
 * cancelled never starts (the worker that finally takes its job skips it);
 * and none of it is reachable from another workspace.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../app/installation.ts';
import { startService } from '../app/service.ts';
import { loadConfig } from '../config.ts';
import { isConnectorError } from '../core/errors.ts';
import { createQueue } from '../queue/create-queue.ts';
import type { JobQueue } from '../queue/types.ts';
import { runFlowNow, saveFlow } from './flows-service.ts';
import { cancelRun, getRun, listRuns, progressOf } from './runs-service.ts';

const rejectsWith = (code: string) => (error: unknown) => isConnectorError(error) && error.code === code;

describe('run now and cancel, before a worker starts the run', () => {
  let dataDir: string;
  let installation: Installation;
  let queue: JobQueue;
  let flowKey: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-console-runs-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    queue = await createQueue({ store: installation.store, name: 'sync', pollIntervalMs: 20 });
    // Nothing listens there: the run must never get as far as calling anyone.
    const closed = 'http://127.0.0.1:9';
    await installation.connections.create({
      name: 'books',
      system: 'zohobooks',
      config: { accountsUrl: closed, clientId: 'id', clientSecret: 'secret', refreshToken: 'refresh', organizationId: '1' },
    });
    await installation.connections.create({ name: 'crm', system: 'hubspot', config: { baseUrl: closed, accessToken: 'token' } });
    flowKey = (await saveFlow(installation, 'default', { flow: 'zohobooks-to-hubspot', from: 'books', to: 'crm', enabled: false })).flowKey;
  });
  after(async () => {
    await queue.close();
    await installation.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a queued run answers by its id, is refused a twin, is cancelled at once, and its job never starts it', async () => {
    const { runId, jobId } = await runFlowNow(installation, queue, 'default', flowKey);
    const queued = await getRun(installation, 'default', runId);
    assert.equal(queued.status, 'queued');
    assert.equal(queued.startedAt, null);
    assert.deepEqual({ done: queued.progress.done, fraction: queued.progress.fraction }, { done: false, fraction: 0 });
    assert.equal((await queue.getJob<{ runId: string }>(jobId))?.data.runId, runId, 'the job carries the run id');

    await assert.rejects(runFlowNow(installation, queue, 'default', flowKey), rejectsWith('engine.run_in_progress'));
    // Another workspace cannot see or cancel it.
    await assert.rejects(getRun(installation, 'b', runId), rejectsWith('engine.run_not_found'));
    await assert.rejects(cancelRun(installation, 'b', runId), rejectsWith('engine.run_not_found'));
    await assert.rejects(runFlowNow(installation, queue, 'b', flowKey), rejectsWith('console.flow_not_found'));
    assert.deepEqual(await listRuns(installation, 'b'), []);

    const cancelled = await cancelRun(installation, 'default', runId);
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.cancelRequestedAt !== null);
    assert.equal(cancelled.progress.done, true);

    const worker = startService(installation, { queue, scheduler: false });
    try {
      const job = await queue.waitFor<unknown, { skipped?: string }>(jobId, { timeoutMs: 30_000 });
      assert.equal(job.state, 'completed');
      assert.match(job.result?.skipped ?? '', /cancelled/);
    } finally {
      await worker.close();
    }
    const after = await getRun(installation, 'default', runId);
    assert.equal(after.status, 'cancelled');
    assert.equal(after.startedAt, null, 'it never started');
    assert.deepEqual((await listRuns(installation, 'default')).map((r) => r.id), [runId]);
    await assert.rejects(cancelRun(installation, 'default', runId), rejectsWith('engine.run_finished'));
  });

  it('a queued run whose worker cannot start it ends failed with the reason, and the flow can run again', async () => {
    const { runId, jobId } = await runFlowNow(installation, queue, 'default', flowKey);
    // The source connection goes away before a worker takes the job.
    const books = await installation.connections.get('books');
    const config = await installation.connections.getConfig(books.id);
    await installation.store.db.updateTable('connections').set({ config: installation.vault.encrypt({ ...config, organizationId: 'not a number' }) }).where('id', '=', books.id).execute();
    const worker = startService(installation, { queue, scheduler: false });
    try {
      await queue.waitFor(jobId, { timeoutMs: 30_000 });
    } finally {
      await worker.close();
    }
    const run = await getRun(installation, 'default', runId);
    assert.equal(run.status, 'failed');
    assert.match(run.error?.message ?? '', /organizationId/);
    await installation.connections.updateConfig(books.id, config);
  });

  it('progress: streams in plan order, the current one running, the fraction by finished streams', () => {
    const base = {
      id: 'r',
      flow: 'f',
      flowKey: 'f:a:b',
      sourceConnection: 'a',
      targetConnection: 'b',
      mode: 'incremental' as const,
      trigger: 'manual',
      error: null,
      createdAt: 0,
      startedAt: 0,
      finishedAt: null,
      heartbeatAt: 0,
      owner: null,
      cancelRequestedAt: null,
    };
    const counts = { read: 5, created: 5, updated: 0, skipped: 0, failed: 0, waiting: 0 };
    const empty = { read: 0, created: 0, updated: 0, skipped: 0, failed: 0, waiting: 0 };
    const running = progressOf({ ...base, status: 'running', counts, report: { streams: { customers: counts, invoices: empty }, notes: [], plan: ['customers', 'invoices', 'payments'] } });
    assert.deepEqual(running.streams.map((s) => [s.name, s.state]), [
      ['customers', 'done'],
      ['invoices', 'running'],
      ['payments', 'pending'],
    ]);
    assert.equal(running.current, 'invoices');
    assert.equal(running.fraction, 1 / 3);
    assert.equal(running.done, false);
    const unknown = progressOf({ ...base, status: 'running', counts, report: { streams: { companies: counts }, notes: [] } });
    assert.equal(unknown.fraction, null, 'without a plan, no fraction is claimed');
  });
});
