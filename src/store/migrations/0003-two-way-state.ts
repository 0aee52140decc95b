/**
 * Two-way flows' state: the field values both systems last agreed on, per
 * pair of records (what tells a change from an echo of our own write), and
 * the webhook events received, by event id (what makes a re-delivery a
 * no-op), and settings a flow's runs share whichever direction runs (the
 * field owners).
 */
import type { Kysely, Migration } from 'kysely';

export function twoWayState(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('field_shadows')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('pair_key', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('field_shadows_pk', ['scope', 'pair_key'])
        .execute();

      await db.schema
        .createTable('webhook_events')
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('subscription_type', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('processed_at', 'bigint')
        .addColumn('processed_by_run', 'text')
        .addPrimaryKeyConstraint('webhook_events_pk', ['connection_id', 'event_id'])
        .execute();
      await db.schema
        .createTable('flow_settings')
        .addColumn('scope', 'text', (c) => c.primaryKey())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_events_unprocessed_idx').on('webhook_events').columns(['connection_id', 'processed_at']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('flow_settings').execute();
      await db.schema.dropTable('webhook_events').execute();
      await db.schema.dropTable('field_shadows').execute();
    },
  };
}
