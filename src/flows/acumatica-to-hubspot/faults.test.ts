/**
 * acumatica-to-hubspot under faults on both sides, and with the sync process
 * killed mid-run: the final HubSpot state is exactly right.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openInstallation } from '../../app/installation.ts';
import { loadConfig } from '../../config.ts';
import { listRuns } from '../../engine/runs.ts';
import { SandboxAdminClient } from '../../sandbox/common/admin-client.ts';
import { HubSpotAdmin } from '../../sandbox/hubspot/admin-client.ts';
import { startSandbox } from '../../sandbox/index.ts';
import { AcumaticaClient } from '../../systems/acumatica/client.ts';
import { AcumaticaConnectionSchema, tenantOf } from '../../systems/acumatica/connection.ts';
import { HubSpotClient } from '../../systems/hubspot/client.ts';
import { differences, hubspotWrites } from '../test-support.ts';
import { expectedFromAcumatica, startAcumaticaFixture } from './test-support.ts';

const BIN = join(import.meta.dirname, '../../../bin/ml-connector.js');

describe('acumatica-to-hubspot under faults on both sides', () => {
  it('with 20% 429s, 10% 5xx and connection resets in Acumatica and HubSpot, the final state is exactly right', async () => {
    const fx = await startAcumaticaFixture({ seed: 22 });
    try {
      const faults = { rate429: 0.2, rate5xx: 0.1, rateReset: 0.05, timing: 'mixed', seed: 6 };
      const acumaticaAdmin = new SandboxAdminClient(fx.adminUrl);
      await fx.hubspotAdmin.setFaults(faults);
      await acumaticaAdmin.setFaults(faults);
      const result = await fx.sync();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.counts));
      await fx.hubspotAdmin.setFaults({});
      await acumaticaAdmin.setFaults({});
      assert.ok((await fx.hubspotAdmin.calls({ status: 429 })) + (await acumaticaAdmin.calls({ status: 429 })) > 10, 'faults were injected');
      assert.deepEqual(await differences(fx.hubspot, await expectedFromAcumatica(fx.acumatica, fx.tenant)), []);
      await fx.hubspotAdmin.resetCounters();
      const again = await fx.sync();
      assert.equal(again.counts.created + again.counts.updated, 0);
      assert.equal(await hubspotWrites(fx.hubspotAdmin), 0);
    } finally {
      await fx.close();
    }
  });
});

describe('acumatica-to-hubspot: the sync process killed mid-run', () => {
  it('SIGKILL twice, then a run that completes: HubSpot holds exactly the Acumatica data', async () => {
    const sandbox = await startSandbox({ port: 0, seed: 23, size: 'small' });
    const dataDir = await mkdtemp(join(tmpdir(), 'mlc-acu-kill-'));
    try {
      const hubspotAdmin = new HubSpotAdmin(`${sandbox.adminUrl}/hubspot`);
      const acumaticaAdmin = new SandboxAdminClient(`${sandbox.adminUrl}/acumatica`);
      // Real time here: slow each answer a little so that a kill lands mid-run.
      await acumaticaAdmin.setFaults({ latencyMs: 8 });
      await hubspotAdmin.setFaults({ latencyMs: 8 });
      const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
      await installation.connections.create({ name: 'erp', system: 'acumatica', config: { ...sandbox.systems.acumatica } });
      await installation.connections.create({ name: 'crm', system: 'hubspot', config: { ...sandbox.systems.hubspot } });
      await installation.close();

      const start = () => {
        const child = spawn(process.execPath, [BIN, 'sync', 'acumatica-to-hubspot', '--from', 'erp', '--to', 'crm', '--json'], {
          env: { ...process.env, ML_CONNECTOR_DATA_DIR: dataDir },
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
        return { child, exited };
      };
      const until = async (condition: () => Promise<boolean>) => {
        const deadline = Date.now() + 120_000;
        while (!(await condition())) {
          if (Date.now() > deadline) throw new Error('gave up waiting for the run to write');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const first = start();
      await until(async () => (await hubspotWrites(hubspotAdmin)) > 0);
      first.child.kill('SIGKILL');
      await first.exited;
      const writes = await hubspotWrites(hubspotAdmin);
      const second = start();
      await until(async () => (await hubspotWrites(hubspotAdmin)) > writes + 1);
      second.child.kill('SIGKILL');
      await second.exited;
      const done = await start().exited;
      assert.equal(done.code, 0, done.stdout);
      assert.equal((JSON.parse(done.stdout.trim().split('\n').at(-1)!) as { status: string }).status, 'succeeded');

      const check = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
      try {
        assert.deepEqual((await listRuns(check.store.db)).map((r) => r.status).sort(), ['failed', 'failed', 'succeeded']);
      } finally {
        await check.close();
      }
      await acumaticaAdmin.setFaults({});
      const connection = AcumaticaConnectionSchema.parse(sandbox.systems.acumatica);
      assert.deepEqual(
        await differences(new HubSpotClient({ ...sandbox.systems.hubspot }), await expectedFromAcumatica(new AcumaticaClient({ connection }), tenantOf(connection) ?? '')),
        [],
      );
    } finally {
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
