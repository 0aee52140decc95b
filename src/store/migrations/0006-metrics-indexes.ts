/**
 * Indexes for `/metrics` (src/observability/metrics.ts), which counts a
 * workspace's runs by flow and status and its audit rows by flow and outcome
 * at every scrape: both counts are answered from these covering indexes
 * without reading a table row, however large the audit grows.
 */
import type { Kysely, Migration } from 'kysely';

export function metricsIndexes(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('audit_flow_key_outcome_idx').on('audit').columns(['flow_key', 'outcome']).execute();
      await db.schema.createIndex('runs_source_connection_idx').on('runs').columns(['source_connection', 'flow_key', 'flow', 'status']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('runs_source_connection_idx').execute();
      await db.schema.dropIndex('audit_flow_key_outcome_idx').execute();
    },
  };
}
