/**
 * The console's own audit: one row per request that changed something
 * through the API or the web UI (written by `auditMutations` in
 * src/server/access.ts), read back per workspace, newest first.
 */
import type { Installation } from '../app/installation.ts';

export interface ConsoleAuditEntry {
  id: string;
  actor: string;
  method: string;
  path: string;
  status: number;
  at: number;
}

export async function listConsoleAudit(installation: Installation, workspace: string, options: { limit?: number } = {}): Promise<ConsoleAuditEntry[]> {
  const rows = await installation.store.db
    .selectFrom('console_audit')
    .selectAll()
    .where('workspace', '=', workspace)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(Math.min(Math.max(options.limit ?? 100, 1), 1_000))
    .execute();
  return rows.map((r) => ({ id: r.id, actor: r.actor, method: r.method, path: r.path, status: r.status, at: r.created_at }));
}
