/**
 * Testing a stored connection: ping the system with its config, keep what
 * the test rotated (FreshBooks and Acumatica refresh tokens are single-use,
 * so the one the test spent must be replaced at once), and record the outcome
 * as the connection's status. One place for the console, the API, the CLI
 * and the end of an OAuth connect.
 */
import { isConnectorError } from '../core/errors.ts';
import type { ConnectionInfo } from '../store/connections.ts';
import type { ConnectionTestReport } from '../systems/hubspot/connection.ts';
import { parseSystemConfig, systemEntry } from '../systems/registry.ts';
import type { Installation } from './installation.ts';

export async function testStoredConnection(installation: Installation, connection: ConnectionInfo): Promise<{ connection: ConnectionInfo; report: ConnectionTestReport }> {
  const { connections, clock } = installation;
  const config = parseSystemConfig(connection.system, await connections.getConfig(connection.id));
  let report: ConnectionTestReport;
  try {
    report = await systemEntry(connection.system).test(config, {
      clock,
      // Merged with what is stored now: another writer (a webhook verifier kept) may have changed it since.
      saveConfig: async (changed) => {
        const current = await connections.getConfig(connection.id);
        await connections.updateConfig(connection.id, { ...current, ...changed }, { keepStatus: true });
      },
    });
  } catch (error) {
    if (!isConnectorError(error)) throw error;
    report = { ok: false, checks: [{ name: 'connect', ok: false, detail: error.message }] };
  }
  const firstFailure = report.checks.find((check) => !check.ok);
  return { connection: await connections.setStatus(connection.id, report.ok ? 'ok' : 'failed', firstFailure?.detail), report };
}
