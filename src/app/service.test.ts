/**
 * The service: schedules become jobs with deterministic ids, a due slot is
 * queued once however many schedulers tick, and the worker runs the flow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listRuns } from '../engine/runs.ts';
import { startFlowFixture, type FlowFixture } from '../flows/zohobooks-to-hubspot/test-support.ts';
import { createQueue } from '../queue/create-queue.ts';
import type { JobQueue } from '../queue/types.ts';
import { listSchedules, nextRunAfter, parseInterval, saveSchedule } from './schedules.ts';
import { startService } from './service.ts';

describe('schedules', () => {
  it('reads intervals and cron expressions, and refuses bad ones with a clear message', () => {
    assert.equal(parseInterval('15m'), 900_000);
    assert.equal(parseInterval('2h'), 7_200_000);
    assert.throws(() => parseInterval('soon'), /not an interval/);
    assert.throws(() => parseInterval('1s'), /too short/);
    const at = Date.UTC(2026, 0, 1, 10, 7);
    assert.equal(nextRunAfter({ intervalMs: null, cron: '0 * * * *' }, at), Date.UTC(2026, 0, 1, 11, 0));
  });
});

describe('the service', () => {
  let fx: FlowFixture;
  let queue: JobQueue;
  before(async () => {
    fx = await startFlowFixture({ seed: 31 });
    // The queue keeps real time: its leases and polls must not race a virtual clock ahead.
    queue = await createQueue({ store: fx.installation.store, name: 'sync', pollIntervalMs: 20 });
  });
  after(async () => {
    await queue.close();
    await fx.close();
  });

  it('queues a due schedule once, however many schedulers tick, and the worker runs it', async () => {
    const { installation } = fx;
    const source = await installation.connections.get('books');
    const target = await installation.connections.get('crm');
    const flowKey = `zohobooks-to-hubspot:${source.id}:${target.id}`;
    await saveSchedule(
      installation.store.db,
      { flowKey, flow: 'zohobooks-to-hubspot', sourceConnection: source.id, targetConnection: target.id, intervalMs: 900_000, enabled: true },
      fx.clock.now(),
    );
    const schedulerA = startService(installation, { queue, worker: false, scheduler: false });
    const schedulerB = startService(installation, { queue, worker: false, scheduler: false });
    assert.deepEqual(await schedulerA.tick(), [], 'not due yet');
    fx.clock.advance(900_001);
    const queued = [...(await Promise.all([schedulerA.tick(), schedulerB.tick()])).flat()];
    assert.equal(queued.length, 1);
    assert.match(queued[0]!, /^sync:zohobooks-to-hubspot:/);
    // The same slot queued again (a scheduler that lost the race retrying) is the same job.
    await queue.add('sync', {}, { jobId: queued[0]! });
    assert.equal((await queue.counts()).waiting + (await queue.counts()).delayed, 1);

    const finished: string[] = [];
    const worker = startService(installation, { queue, scheduler: false, onRunFinished: (_job, result) => finished.push('status' in result ? result.status : 'skipped') });
    const job = await queue.waitFor(queued[0]!, { timeoutMs: 60_000 });
    assert.equal(job.state, 'completed');
    assert.deepEqual(finished, ['succeeded']);
    const runs = await listRuns(installation.store.db);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.trigger, 'schedule');
    const [schedule] = await listSchedules(installation.store.db);
    assert.ok(schedule!.nextRunAt! > fx.clock.now(), 'the schedule moved on');
    await worker.close();
    // Options travel with the schedule into the jobs it queues.
    await saveSchedule(
      installation.store.db,
      { flowKey, flow: 'zohobooks-to-hubspot', sourceConnection: source.id, targetConnection: target.id, intervalMs: 900_000, enabled: true, options: { reverseSeed: true } },
      fx.clock.now(),
    );
    assert.deepEqual((await listSchedules(installation.store.db))[0]!.options, { reverseSeed: true });
    fx.clock.advance(900_001);
    const [withOptions] = await schedulerA.tick();
    assert.equal((await queue.getJob<{ reverseSeed?: boolean }>(withOptions!))?.data.reverseSeed, true);
    await Promise.all([schedulerA.close(), schedulerB.close()]);
  });
});
