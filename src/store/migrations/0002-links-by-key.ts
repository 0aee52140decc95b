/**
 * Links looked up by key across streams: a child's parent was written by
 * another stream of the same flow.
 */
import type { Kysely, Migration } from 'kysely';

export function linksByKey(): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('links_flow_key_source_id_idx').on('links').columns(['flow_key', 'source_id']).execute();
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('links_flow_key_source_id_idx').execute();
    },
  };
}
