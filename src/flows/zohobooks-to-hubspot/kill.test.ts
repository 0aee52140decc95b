/**
 * The sync process killed with SIGKILL twice mid-run, then run again: the
 * next run takes over from the dead one, and HubSpot ends up exactly right —
 * nothing missing, nothing doubled. The sandboxes run in this process; the
 * syncs are real `ml-connector sync` processes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation } from '../../app/installation.ts';
import { loadConfig } from '../../config.ts';
import { listRuns } from '../../engine/runs.ts';
import { HubSpotAdmin } from '../../sandbox/hubspot/admin-client.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/index.ts';
import { ZohoBooksAdmin } from '../../sandbox/zohobooks/admin-client.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { ZohoBooksClient } from '../../systems/zohobooks/client.ts';
import { differences, expectedFromZoho, hubspotWrites } from './test-support.ts';

const BIN = join(import.meta.dirname, '../../../bin/ml-connector.js');

function startSync(dataDir: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> } {
  const child = spawn(process.execPath, [BIN, 'sync', 'zohobooks-to-hubspot', '--from', 'books', '--to', 'crm', '--json'], {
    env: { ...process.env, ML_CONNECTOR_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, exited };
}

async function until(condition: () => Promise<boolean>, what: string, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('zohobooks-to-hubspot: the sync process killed mid-run', () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  before(async () => {
    sandbox = await startSandbox({ port: 0, seed: 13, size: 'small' });
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-kill-'));
    const zohoAdmin = new ZohoBooksAdmin(`${sandbox.adminUrl}/zohobooks`);
    // Real time here: let the sandbox take more than Zoho's 100 a minute, and slow each answer so a kill lands mid-run.
    await zohoAdmin.patchSettings({ perMinuteLimit: 100_000 });
    await zohoAdmin.setFaults({ latencyMs: 8 });
    await new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`).setFaults({ latencyMs: 8 });
    const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    await installation.connections.create({ name: 'books', system: 'zohobooks', config: { ...sandbox.systems.zohobooks, perMinuteLimit: 100_000 } });
    await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot } });
    await installation.close();
  });
  after(async () => {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('SIGKILL twice, then a run that completes: HubSpot holds exactly the Zoho Books data', async () => {
    const hubspotAdmin = new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`);
    const zohoAdmin = new ZohoBooksAdmin(`${sandbox.adminUrl}/zohobooks`);

    // First kill: while invoices are being read, after customers and contacts were written.
    const first = startSync(dataDir);
    await until(async () => (await hubspotWrites(hubspotAdmin)) > 0 && (await zohoAdmin.calls({ routeSuffix: '/invoices/:invoice_id{[0-9]+}' })) > 10, 'the first run to write');
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    // Second kill: once the restarted run has written more.
    const writesBefore = await hubspotWrites(hubspotAdmin);
    const second = startSync(dataDir);
    await until(async () => (await hubspotWrites(hubspotAdmin)) > writesBefore + 2, 'the second run to write');
    second.child.kill('SIGKILL');
    assert.equal((await second.exited).signal, 'SIGKILL');

    const third = startSync(dataDir);
    const done = await third.exited;
    assert.equal(done.code, 0, done.stdout);
    const summary = JSON.parse(done.stdout.trim().split('\n').at(-1)!) as { status: string };
    assert.equal(summary.status, 'succeeded');

    const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    try {
      const runs = await listRuns(installation.store.db);
      assert.equal(runs.length, 3);
      assert.deepEqual(runs.map((r) => r.status).sort(), ['failed', 'failed', 'succeeded'], 'the killed runs were taken over');
    } finally {
      await installation.close();
    }
    await zohoAdmin.setFaults({});
    const hubspot = new HubSpotClient({ ...sandbox.systems.hubspot });
    const zoho = new ZohoBooksClient({ connection: sandbox.systems.zohobooks, perMinuteLimit: 100_000 });
    assert.deepEqual(await differences(hubspot, await expectedFromZoho(zoho)), []);
  });
});
