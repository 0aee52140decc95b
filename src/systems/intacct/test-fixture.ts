/**
 * The Intacct client tests' fixture: a sandbox on port 0 sharing a
 * VirtualClock with the clients built against it, and its admin surface.
 * Each client gets its own session registry unless a test shares one, so
 * that tests count getAPISession calls of their own.
 */
import { VirtualClock } from '../../core/clock.ts';
import { IntacctAdmin } from '../../sandbox/intacct/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { IntacctClient, type IntacctClientOptions } from './client.ts';
import type { IntacctConnectionInput } from './connection.ts';
import { IntacctSessionRegistry } from './session.ts';

export interface IntacctFixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  admin: IntacctAdmin;
  connection: IntacctConnectionInput;
  client(options?: Partial<IntacctClientOptions>): IntacctClient;
  /** Turns injected faults off (from inside an `onAttempt`, after the attempts a test wanted to fail). */
  faultsOff(): void;
}

export async function startIntacctFixture(options: StartSandboxOptions = {}): Promise<IntacctFixture> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ port: 0, seed: 3, size: 'small', ...options, clock });
  const connection = sandbox.systems.intacct;
  return {
    sandbox,
    clock,
    admin: new IntacctAdmin(`${sandbox.adminUrl}/intacct`),
    connection,
    client: (extra = {}) => new IntacctClient({ connection, clock, sessions: new IntacctSessionRegistry(), ...extra }),
    faultsOff: () => {
      sandbox.intacct.faults.configure({});
    },
  };
}
