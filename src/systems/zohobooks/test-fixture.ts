/**
 * The Zoho Books client tests' fixture: a sandbox on port 0 sharing a
 * VirtualClock with the clients built against it, and its admin surface.
 */
import { VirtualClock } from '../../core/clock.ts';
import { ZohoBooksAdmin } from '../../sandbox/zohobooks/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { ZohoBooksClient, type ZohoBooksClientOptions } from './client.ts';

export interface Fixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  admin: ZohoBooksAdmin;
  client(options?: Partial<ZohoBooksClientOptions>): ZohoBooksClient;
}

/** A sandbox with a suite's own seed and size (`defaults`), `options` over both. */
export async function startZohoFixture(defaults: Pick<StartSandboxOptions, 'seed' | 'size'>, options: StartSandboxOptions = {}): Promise<Fixture> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ port: 0, ...defaults, clock, ...options });
  return {
    sandbox,
    clock,
    admin: new ZohoBooksAdmin(`${sandbox.adminUrl}/zohobooks`),
    client: (extra = {}) => new ZohoBooksClient({ connection: sandbox.systems.zohobooks, clock, ...extra }),
  };
}
