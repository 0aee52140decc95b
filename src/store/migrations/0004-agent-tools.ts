/**
 * AI-agent tools: API keys (only a hash of each is kept) scoped to a
 * workspace, every tool call's audit row, tool descriptions edited per
 * account, and per-account tool settings (read-only).
 */
import type { Kysely, Migration } from 'kysely';

export function agentTools(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('tool_calls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('api_key_id', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('input_hash', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('correlation_ids', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tool_calls_connection_idx').on('tool_calls').columns(['connection_id', 'created_at']).execute();
      await db.schema
        .createTable('tool_descriptions')
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tool_descriptions_pk', ['connection_id', 'tool'])
        .execute();
      await db.schema
        .createTable('account_tool_settings')
        .addColumn('connection_id', 'text', (c) => c.primaryKey())
        .addColumn('read_only', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('account_tool_settings').execute();
      await db.schema.dropTable('tool_descriptions').execute();
      await db.schema.dropTable('tool_calls').execute();
      await db.schema.dropTable('api_keys').execute();
    },
  };
}
