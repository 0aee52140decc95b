/**
 * Recognizing database errors the same way on both dialects, so callers can
 * turn them into the project's failure taxonomy.
 */

/** True when `error` is a unique or primary-key violation from SQLite or Postgres. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // better-sqlite3 gives extended result codes; Postgres gives SQLSTATE 23505.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
