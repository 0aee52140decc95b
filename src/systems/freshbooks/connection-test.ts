/**
 * "connections test" for FreshBooks: builds a client for the config and
 * reports what `ping()` checked: the token, that users/me names the
 * configured account and business, and one read on each path family
 * (account-scoped clients, business-scoped ledger accounts).
 */
import type { Clock } from '../../core/clock.ts';
import { FreshBooksClient, type PingCheck } from './client.ts';
import type { FreshBooksConnectionInput } from './connection.ts';
import type { RotationHandler } from './oauth.ts';

export interface FreshBooksConnectionTestReport {
  ok: boolean;
  checks: PingCheck[];
}

export async function testFreshBooksConnection(
  connection: FreshBooksConnectionInput,
  options: { clock?: Clock; credentialKey?: string; onRotate?: RotationHandler } = {},
): Promise<FreshBooksConnectionTestReport> {
  const client = new FreshBooksClient({ connection, lane: 'interactive', ...options });
  const result = await client.ping();
  return { ok: result.ok, checks: result.checks };
}
