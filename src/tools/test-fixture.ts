/**
 * For the tools' tests: the sandbox systems, an installation on a temporary
 * data directory with a HubSpot connection to the sandbox, the tool service,
 * and a HubSpot client of our own to check what landed through HubSpot's API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInstallation, type Installation } from '../app/installation.ts';
import { loadConfig } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../sandbox/index.ts';
import { HubSpotClient } from '../systems/hubspot/client.ts';
import { createToolService, type ToolAccount, type ToolService } from './tool-service.ts';

export interface ToolsFixture {
  sandbox: RunningSandbox;
  installation: Installation;
  service: ToolService;
  /** The HubSpot connection `crm` in the default workspace. */
  account: ToolAccount;
  /** Per system, its sandbox connection in the default workspace (HubSpot's is `account`). */
  accounts: Record<string, ToolAccount>;
  /** Reads and writes HubSpot directly, for setting up and checking (its own governor: a separate token's). */
  hubspot: HubSpotClient;
  close(): Promise<void>;
}

export async function startToolsFixture(options: { clock?: Clock; sandbox?: StartSandboxOptions } = {}): Promise<ToolsFixture> {
  const sandbox = await startSandbox({ port: 0, size: 'small', ...options.sandbox, ...(options.clock ? { clock: options.clock } : {}) });
  const dataDir = await mkdtemp(join(tmpdir(), 'mlc-tools-'));
  const installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }), options.clock ? { clock: options.clock } : {});
  const connection = await installation.connections.create({ name: 'crm', system: 'hubspot', config: sandbox.systems.hubspot });
  const service = createToolService(installation);
  const accounts: Record<string, ToolAccount> = {};
  for (const [system, config] of Object.entries(sandbox.systems)) {
    const created = system === 'hubspot' ? connection : await installation.connections.create({ name: `sandbox-${system}`, system, config: config as Record<string, unknown> });
    accounts[system] = await service.account(created.id, 'default');
  }
  // A token of its own, so the checks never use up the tools' rate window.
  const token = await mintToken(sandbox);
  const hubspot = new HubSpotClient({ baseUrl: sandbox.systems.hubspot.baseUrl, accessToken: token, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    sandbox,
    installation,
    service,
    account: accounts.hubspot!,
    accounts,
    hubspot,
    async close() {
      await installation.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function mintToken(sandbox: RunningSandbox): Promise<string> {
  // Another app: its own 10-second window.
  const response = await fetch(`${sandbox.adminUrl}/hubspot/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId: 1 }) });
  const body = (await response.json()) as { token?: string };
  if (!body.token) throw new Error(`the sandbox minted no token (${response.status})`);
  return body.token;
}
