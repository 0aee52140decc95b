/**
 * What the tools keep in the store: the audit row of every call, the
 * descriptions an operator edited per account, and per-account settings
 * (read-only).
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/open-store.ts';
import { fromBool, toBool, toJsonOrNull } from '../store/json.ts';

export const TOOL_CHANNELS = ['http', 'mcp-http', 'mcp-stdio'] as const;
export type ToolChannel = (typeof TOOL_CHANNELS)[number];

export interface ToolCallRecord {
  connectionId: string;
  workspace: string;
  apiKeyId: string | undefined;
  channel: ToolChannel;
  tool: string;
  inputHash: string;
  outcome: string;
  errorCode: string | undefined;
  status: number;
  correlationIds: string[];
  durationMs: number;
  at: number;
}

export interface ToolStore {
  recordCall(call: ToolCallRecord): Promise<void>;
  /** Every call to an account's tools, newest first. */
  calls(connectionId: string, limit?: number): Promise<ToolCallRecord[]>;
  descriptions(connectionId: string): Promise<Map<string, string>>;
  /** Sets a tool's description for one account; null goes back to the catalog's own. */
  setDescription(connectionId: string, tool: string, description: string | null, at: number): Promise<void>;
  readOnly(connectionId: string): Promise<boolean>;
  setReadOnly(connectionId: string, readOnly: boolean, at: number): Promise<void>;
}

export function createToolStore(store: Store): ToolStore {
  const { db } = store;
  return {
    async recordCall(call) {
      await db
        .insertInto('tool_calls')
        .values({
          id: randomUUID(),
          connection_id: call.connectionId,
          workspace: call.workspace,
          api_key_id: call.apiKeyId ?? null,
          channel: call.channel,
          tool: call.tool,
          input_hash: call.inputHash,
          outcome: call.outcome,
          error_code: call.errorCode ?? null,
          status: call.status,
          correlation_ids: toJsonOrNull(call.correlationIds.length > 0 ? call.correlationIds : null),
          duration_ms: Math.max(0, Math.round(call.durationMs)),
          created_at: call.at,
        })
        .execute();
    },

    async calls(connectionId, limit = 100) {
      const rows = await db.selectFrom('tool_calls').selectAll().where('connection_id', '=', connectionId).orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map((row) => ({
        connectionId: row.connection_id,
        workspace: row.workspace,
        apiKeyId: row.api_key_id ?? undefined,
        channel: row.channel as ToolChannel,
        tool: row.tool,
        inputHash: row.input_hash,
        outcome: row.outcome,
        errorCode: row.error_code ?? undefined,
        status: row.status,
        correlationIds: row.correlation_ids === null ? [] : (JSON.parse(row.correlation_ids) as string[]),
        durationMs: row.duration_ms,
        at: row.created_at,
      }));
    },

    async descriptions(connectionId) {
      const rows = await db.selectFrom('tool_descriptions').select(['tool', 'description']).where('connection_id', '=', connectionId).execute();
      return new Map(rows.map((row) => [row.tool, row.description]));
    },

    async setDescription(connectionId, tool, description, at) {
      if (description === null) {
        await db.deleteFrom('tool_descriptions').where('connection_id', '=', connectionId).where('tool', '=', tool).execute();
        return;
      }
      await db
        .insertInto('tool_descriptions')
        .values({ connection_id: connectionId, tool, description, updated_at: at })
        .onConflict((oc) => oc.columns(['connection_id', 'tool']).doUpdateSet({ description, updated_at: at }))
        .execute();
    },

    async readOnly(connectionId) {
      const row = await db.selectFrom('account_tool_settings').select('read_only').where('connection_id', '=', connectionId).executeTakeFirst();
      return row === undefined ? false : fromBool(row.read_only);
    },

    async setReadOnly(connectionId, readOnly, at) {
      await db
        .insertInto('account_tool_settings')
        .values({ connection_id: connectionId, read_only: toBool(readOnly), updated_at: at })
        .onConflict((oc) => oc.column('connection_id').doUpdateSet({ read_only: toBool(readOnly), updated_at: at }))
        .execute();
    },
  };
}
