/**
 * "connections test" for Sage Intacct: getAPISession with the login
 * credentials (a refused sender or user is named as such, never echoed),
 * then one-record reads of VENDOR and CLASS with that session. The test
 * opens its own session rather than reusing one a running sync holds, so
 * that it proves the stored credentials, not an earlier sign-in.
 */
import type { Clock } from '../../core/clock.ts';
import { IntacctClient, type PingCheck } from './client.ts';
import type { IntacctConnectionInput } from './connection.ts';
import { IntacctSessionRegistry } from './session.ts';

export interface IntacctConnectionTestReport {
  ok: boolean;
  checks: PingCheck[];
}

export async function testIntacctConnection(connection: IntacctConnectionInput, options: { clock?: Clock } = {}): Promise<IntacctConnectionTestReport> {
  const client = new IntacctClient({ connection, lane: 'interactive', sessions: new IntacctSessionRegistry(), ...options });
  return client.ping();
}
