/**
 * The first schema: every table of schema.ts with its keys and indexes.
 * Column types are chosen to mean the same on both dialects (see schema.ts);
 * only the audit table's auto-increment key is spelled per dialect.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../dialect.ts';

export function initialTables(dialect: StoreDialect): Migration {
  return {
    // `Kysely<any>`: a migration must not depend on today's schema.ts, which later migrations change.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace', 'text', (c) => c.notNull().defaultTo('default'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('system', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('untested'))
        .addColumn('last_tested_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('connections_workspace_name_unique', ['workspace', 'name'])
        .execute();

      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('flow', 'text', (c) => c.notNull())
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('source_connection', 'text', (c) => c.notNull())
        .addColumn('target_connection', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('counts', 'text', (c) => c.notNull())
        .addColumn('report', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('heartbeat_at', 'bigint')
        .addColumn('owner', 'text')
        .execute();
      await db.schema.createIndex('runs_flow_key_status_idx').on('runs').columns(['flow_key', 'status']).execute();
      await db.schema.createIndex('runs_created_at_idx').on('runs').column('created_at').execute();

      await db.schema
        .createTable('cursors')
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('cursors_pk', ['flow_key', 'stream'])
        .execute();

      await db.schema
        .createTable('links')
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('payload_hash', 'text', (c) => c.notNull())
        .addColumn('after_hash', 'text')
        .addColumn('source_version', 'text')
        .addColumn('run_id', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('links_pk', ['flow_key', 'stream', 'source_id'])
        .execute();
      await db.schema.createIndex('links_target_idx').on('links').columns(['target_type', 'target_id']).execute();

      await db.schema
        .createTable('pending')
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('waiting_for', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('pending_pk', ['flow_key', 'stream', 'source_id'])
        .execute();

      await db.schema
        .createTable('write_ledger')
        .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit')
        .$call((table) =>
          dialect === 'postgres'
            ? table.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
            : // SQLite: INTEGER PRIMARY KEY is the rowid; AUTOINCREMENT keeps ids of deleted rows from coming back.
              table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
        )
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('source_snapshot', 'text')
        .addColumn('mapped_payload', 'text')
        .addColumn('target_ids', 'text')
        .addColumn('correlation_ids', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'integer')
        .execute();
      await db.schema.createIndex('audit_source_id_idx').on('audit').column('source_id').execute();
      await db.schema.createIndex('audit_run_id_idx').on('audit').column('run_id').execute();

      await db.schema
        .createTable('dead_letters')
        .addColumn('flow_key', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('resolved_at', 'bigint')
        .addColumn('resolved_by_run', 'text')
        .addPrimaryKeyConstraint('dead_letters_pk', ['flow_key', 'stream', 'source_id'])
        .execute();

      await db.schema
        .createTable('schedules')
        .addColumn('flow_key', 'text', (c) => c.primaryKey())
        .addColumn('flow', 'text', (c) => c.notNull())
        .addColumn('source_connection', 'text', (c) => c.notNull())
        .addColumn('target_connection', 'text', (c) => c.notNull())
        .addColumn('interval_ms', 'bigint')
        .addColumn('cron', 'text')
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('next_run_at', 'bigint')
        .addColumn('last_run_id', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('jobs')
        .addColumn('queue', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts_made', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('backoff', 'text')
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('stalled_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addPrimaryKeyConstraint('jobs_pk', ['queue', 'id'])
        .execute();
      await db.schema.createIndex('jobs_queue_state_run_at_idx').on('jobs').columns(['queue', 'state', 'run_at']).execute();
    },

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      for (const table of ['jobs', 'schedules', 'dead_letters', 'audit', 'write_ledger', 'pending', 'links', 'cursors', 'runs', 'connections']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
