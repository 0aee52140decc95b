/**
 * "connections test" for Acumatica: builds a client for the config and
 * reports what `ping()` checked (token, pinned endpoint, read access to each
 * entity the flow reads). A cookie session is logged out afterwards (§6b).
 */
import type { Clock } from '../../core/clock.ts';
import { AcumaticaClient, type PingCheck } from './client.ts';
import type { AcumaticaConnectionInput } from './connection.ts';
import type { RotationHandler } from './oauth.ts';

export interface AcumaticaConnectionTestReport {
  ok: boolean;
  checks: PingCheck[];
}

export async function testAcumaticaConnection(
  connection: AcumaticaConnectionInput,
  options: { clock?: Clock; credentialKey?: string; onRotate?: RotationHandler } = {},
): Promise<AcumaticaConnectionTestReport> {
  const client = new AcumaticaClient({ connection, lane: 'interactive', ...options });
  try {
    const result = await client.ping();
    return { ok: result.ok, checks: result.checks };
  } finally {
    await client.logout().catch(() => undefined);
  }
}
