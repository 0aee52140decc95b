/**
 * "connections test" for Zoho Books: builds a client for the config and
 * reports what `ping()` checked (token, organization, scopes).
 */
import type { Clock } from '../../core/clock.ts';
import { ZohoBooksClient, type PingCheck } from './client.ts';
import type { ZohoBooksConnectionInput } from './connection.ts';

export interface ZohoBooksConnectionTestReport {
  ok: boolean;
  checks: PingCheck[];
}

export async function testZohoBooksConnection(
  connection: ZohoBooksConnectionInput,
  options: { clock?: Clock } = {},
): Promise<ZohoBooksConnectionTestReport> {
  const client = new ZohoBooksClient({ connection, lane: 'interactive', ...options });
  const result = await client.ping();
  return { ok: result.ok, checks: result.checks };
}
