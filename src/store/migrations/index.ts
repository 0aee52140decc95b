/**
 * Every migration, in order, provided in code (no directory scanning, so the
 * same list runs from the TypeScript sources under tsx and from any bundle).
 * Names sort in the order they must run; a released migration is never edited.
 */
import type { Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../dialect.ts';
import { initialTables } from './0001-initial-tables.ts';
import { linksByKey } from './0002-links-by-key.ts';
import { twoWayState } from './0003-two-way-state.ts';
import { agentTools } from './0004-agent-tools.ts';
import { consoleTables } from './0005-console.ts';
import { metricsIndexes } from './0006-metrics-indexes.ts';

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-initial-tables': initialTables(dialect),
    '0002-links-by-key': linksByKey(),
    '0003-two-way-state': twoWayState(),
    '0004-agent-tools': agentTools(),
    '0005-console': consoleTables(),
    '0006-metrics-indexes': metricsIndexes(),
  };
  return { getMigrations: async () => migrations };
}
