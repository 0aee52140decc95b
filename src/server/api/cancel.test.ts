/**
 * Cancelling a running run through the REST API, against sandboxes slowed
 * down (real time, every Zoho Books answer delayed) so that the run is still
 * reading when the cancel arrives: the cancel goes into the store, the worker
 * sees it at the run's next heartbeat and aborts, the run ends `cancelled`
 * with streams it never started; and the next run completes HubSpot exactly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { loadConfig } from '../../config.ts';
import { differences, expectedFromZoho } from '../../flows/zohobooks-to-hubspot/test-support.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { ZohoBooksAdmin } from '../../sandbox/zohobooks/admin-client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import { startApiServer, type ApiServer } from './test-support.ts';

describe('cancelling a running run through the REST API', () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  let installation: Installation;
  let api: ApiServer;
  let key: string;
  let zohoAdmin: ZohoBooksAdmin;

  before(async () => {
    sandbox = await startSandbox({ port: 0, seed: 17, size: 'small' });
    zohoAdmin = new ZohoBooksAdmin(`${sandbox.adminUrl}/zohobooks`);
    // Real time here: let the sandbox take more than Zoho's 100 a minute, and slow each answer so the run is mid-way when cancelled.
    await zohoAdmin.patchSettings({ perMinuteLimit: 100_000 });
    await zohoAdmin.setFaults({ latencyMs: 25 });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-api-cancel-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    api = await startApiServer(installation, { worker: true });
    key = await api.key();
    const call = (method: string, path: string, body?: unknown) => api.call(method, path, { key, ...(body !== undefined ? { body } : {}) });
    assert.equal((await call('POST', '/api/connections', { name: 'books', system: 'zohobooks', config: { ...sandbox.systems.zohobooks, perMinuteLimit: 100_000 } })).status, 201);
    assert.equal((await call('POST', '/api/connections', { name: 'crm', system: 'hubspot', config: sandbox.systems.hubspot })).status, 201);
  });
  after(async () => {
    await api.close();
    await installation.close();
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a running run stops at its next heartbeat and ends cancelled; the next run completes the portal exactly', async () => {
    const call = (method: string, path: string, body?: unknown) => api.call(method, path, { key, ...(body !== undefined ? { body } : {}) });
    const saved = await call('POST', '/api/flows', { flow: 'zohobooks-to-hubspot', from: 'books', to: 'crm', enabled: false });
    assert.equal(saved.status, 200, saved.text);
    const flowKey = encodeURIComponent(saved.json.flow.flowKey as string);
    const { runId } = (await call('POST', `/api/flows/${flowKey}/run`)).json as { runId: string };

    // Wait until the worker runs it and its first stream has begun.
    let polls = 0;
    for (;;) {
      const { run } = (await call('GET', `/api/runs/${runId}`)).json;
      if (run.status === 'running' && run.progress.current) break;
      assert.ok(['queued', 'running'].includes(run.status), `still going: ${run.status}`);
      assert.ok((polls += 1) < 3_000, 'the run started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const cancelled = await call('POST', `/api/runs/${runId}/cancel`);
    assert.equal(cancelled.status, 202, cancelled.text);
    assert.ok(cancelled.json.run.cancelRequestedAt, 'the request is in the store');
    assert.equal(cancelled.json.run.status, 'running', 'a running run stops at its own next heartbeat');

    const { run } = (await api.waitForRun(runId, key)).json;
    assert.equal(run.status, 'cancelled');
    assert.equal(run.error.code, 'engine.run_cancelled');
    assert.equal(run.progress.done, true);
    assert.ok(
      run.progress.streams.some((s: { state: string }) => s.state === 'pending'),
      `some stream never started: ${JSON.stringify(run.progress.streams)}`,
    );
    // A finished run has nothing to cancel.
    assert.equal((await call('POST', `/api/runs/${runId}/cancel`)).status, 409);

    // The next run takes over where the cancelled one stopped, and the portal ends exactly right.
    await zohoAdmin.setFaults({ latencyMs: 0 });
    const next = (await call('POST', `/api/flows/${flowKey}/run`)).json.runId as string;
    const finished = (await api.waitForRun(next, key)).json.run;
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished.error));
    const zoho = new ZohoBooksClient({ connection: sandbox.systems.zohobooks, perMinuteLimit: 100_000 });
    const hubspot = new HubSpotClient({ ...sandbox.systems.hubspot });
    assert.deepEqual(await differences(hubspot, await expectedFromZoho(zoho)), []);
  });
});
