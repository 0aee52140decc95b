/**
 * The FreshBooks client tests' fixture: a sandbox on port 0 sharing a
 * VirtualClock with the clients built against it, its admin surface, and a
 * credential registry of the suite's own (so that one suite's rotations
 * never reach another's). Each connection gets a refresh token minted for
 * it: refresh tokens are single-use, so two tests must not share one.
 */
import { VirtualClock } from '../../core/clock.ts';
import { FreshBooksAdmin } from '../../sandbox/freshbooks/admin-client.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../sandbox/index.ts';
import { FreshBooksClient, type FreshBooksClientOptions } from './client.ts';
import type { FreshBooksConnectionInput } from './connection.ts';
import { FreshBooksCredentialRegistry } from './oauth.ts';

export interface Fixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  admin: FreshBooksAdmin;
  registry: FreshBooksCredentialRegistry;
  /** The sandbox's connection with a refresh token of its own. */
  connection(scopes?: string[]): Promise<FreshBooksConnectionInput>;
  client(connection: FreshBooksConnectionInput, options?: Partial<FreshBooksClientOptions>): FreshBooksClient;
}

export async function startFreshBooksFixture(options: StartSandboxOptions = {}): Promise<Fixture> {
  // Mid-afternoon US/Eastern, so that "today" is the same day on both sides of UTC midnight.
  const clock = new VirtualClock(Date.UTC(2026, 2, 2, 19));
  const sandbox = await startSandbox({ port: 0, seed: 11, size: 'small', clock, ...options });
  const admin = new FreshBooksAdmin(`${sandbox.adminUrl}/freshbooks`);
  const registry = new FreshBooksCredentialRegistry();
  return {
    sandbox,
    clock,
    admin,
    registry,
    connection: async (scopes) => ({ ...sandbox.systems.freshbooks, refreshToken: await admin.mintRefreshToken(scopes) }),
    client: (connection, extra = {}) => new FreshBooksClient({ connection, clock, credentialRegistry: registry, ...extra }),
  };
}
