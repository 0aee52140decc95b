/**
 * Opens the store: a SQLite file under the data directory (the embedded
 * default) or Postgres when a `DATABASE_URL` is given (distributed mode), one
 * Kysely query layer over both, with every migration applied before it is
 * handed out.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { ConnectorError } from '../core/errors.ts';
import { redactUrl } from '../core/redact.ts';
import type { StoreDialect } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type { StoreDialect } from './dialect.ts';

export const SQLITE_FILE_NAME = 'ml-connector.db';

/** How long a SQLite statement waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** How long opening a Postgres connection may take before we call the server unreachable. */
const PG_CONNECT_TIMEOUT_MS = 10_000;
/** Postgres type oid of int8 (bigint, bigserial, count(*)). */
const PG_INT8_OID = 20;

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Where the data lives, safe to print: the SQLite file, or the Postgres URL without its password. */
  location: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** The data directory; the SQLite file lives here as `ml-connector.db`. */
  dataDir: string;
  /** A `postgres://` URL: use Postgres instead of SQLite. */
  databaseUrl?: string;
  /**
   * Postgres only: the schema to keep the tables in (set as every
   * connection's `search_path`). Tests use one fresh schema per file.
   */
  schema?: string;
  /** Postgres only: the pool's size. */
  maxConnections?: number;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined) {
    const store = await openPostgres(options.databaseUrl, options);
    return withMigrations(store, () => migratePostgres(store));
  }
  const { store, database } = openSqlite(options.dataDir);
  return withMigrations(store, () => migrateSqlite(store, database));
}

async function withMigrations(store: Store, migrate: () => Promise<void>): Promise<Store> {
  try {
    await migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

function openSqlite(dataDir: string): { store: Store; database: SqliteDatabase.Database } {
  const file = join(resolve(dataDir), SQLITE_FILE_NAME);
  let database: SqliteDatabase.Database;
  try {
    mkdirSync(resolve(dataDir), { recursive: true });
    database = new SqliteDatabase(file);
    // WAL lets readers (the UI, `runs` commands) work while a sync writes.
    database.pragma('journal_mode = WAL');
    // Several processes may share the file (CLI next to the server); wait for a lock instead of failing.
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    // With WAL, NORMAL is durable against application crashes; only an OS crash can lose the last commits.
    database.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new ConnectorError({
      kind: 'config',
      code: 'store.sqlite_unavailable',
      message: `cannot open the SQLite store at ${file}: ${(error as Error).message}; check --data-dir (or ML_CONNECTOR_DATA_DIR)`,
      details: { file },
      cause: error,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { store: { db, dialect: 'sqlite', location: file, close: () => db.destroy() }, database };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

async function openPostgres(databaseUrl: string, options: OpenStoreOptions): Promise<Store> {
  const location = redactUrl(databaseUrl);
  let protocol: string | undefined;
  try {
    protocol = new URL(databaseUrl).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConnectorError({
      kind: 'config',
      code: 'store.bad_database_url',
      message: `DATABASE_URL must be a postgres:// or postgresql:// URL, got ${location}`,
    });
  }
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new ConnectorError({
      kind: 'config',
      code: 'store.bad_schema',
      message: `invalid Postgres schema name "${options.schema}": expected letters, digits and underscores`,
    });
  }

  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    // Epoch-ms columns are bigint; they come back as JS numbers (exact up to 2^53, year 287396).
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client's connection can drop (server restart); the pool replaces it. Without a
  // listener the 'error' event would crash the process.
  pool.on('error', () => undefined);

  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresUnavailable(error, location);
  }
  try {
    // The schema named for this store is created on first use, like the SQLite file.
    if (options.schema !== undefined) await createSchema(client, options.schema);
  } catch (error) {
    client.release();
    await pool.end().catch(() => undefined);
    throw new ConnectorError({
      kind: 'config',
      code: 'store.postgres_schema',
      message: `cannot create the schema "${options.schema}" in the Postgres store at ${location}: ${(error as Error).message}`,
      details: { location, schema: options.schema },
      cause: error,
    });
  }
  client.release();

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location, close: () => db.destroy() };
}

async function createSchema(client: pg.PoolClient, schema: string): Promise<void> {
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Two openers racing: `if not exists` can still fail on the catalog's unique index.
    if ((error as { code?: unknown }).code !== '23505') throw error;
  }
}

/** A `config` error saying why Postgres can't be used, without quoting the URL's password. */
function postgresUnavailable(error: unknown, location: string): ConnectorError {
  const code = (error as { code?: unknown }).code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused (is Postgres running there?)',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve',
    ETIMEDOUT: 'the connection timed out',
    '28P01': 'the server rejected the user name or password',
    '28000': 'the server rejected the user name or password',
    '3D000': 'the database does not exist',
  };
  const reason =
    (typeof code === 'string' ? reasons[code] : undefined) ??
    (/timeout/i.test(String((error as Error).message)) ? 'the connection timed out' : `connecting failed (${typeof code === 'string' ? code : 'no error code'})`);
  return new ConnectorError({
    kind: 'config',
    code: 'store.postgres_unavailable',
    message: `cannot use the Postgres store at ${location}: ${reason}; check DATABASE_URL`,
    details: { location, ...(typeof code === 'string' ? { errorCode: code } : {}) },
    cause: error,
  });
}

async function migratePostgres(store: Store): Promise<void> {
  // Kysely looks for its migration table in every schema unless told which one; with
  // several installations (or test schemas) in one database it must be ours.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(store.db);
  const schema = rows[0]?.schema ?? undefined;
  // Kysely's Postgres migrator holds an advisory lock, so concurrent openers apply each migration once.
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider('postgres'),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  await runMigrator(migrator, store);
}

async function migrateSqlite(store: Store, database: SqliteDatabase.Database): Promise<void> {
  // Kysely's SQLite migration lock is in-process only and its SQLite migrations run without a
  // transaction. Taking the file's write lock first (an immediate transaction on the one
  // connection Kysely uses, before anyone else can use the store) makes the whole run atomic
  // and serializes processes opening a fresh file at once: the second waits, then finds
  // nothing to do.
  database.exec('begin immediate');
  try {
    await runMigrator(new Migrator({ db: store.db, provider: migrationProvider('sqlite') }), store);
    database.exec('commit');
  } catch (error) {
    if (database.inTransaction) database.exec('rollback');
    throw error;
  }
}

async function runMigrator(migrator: Migrator, store: Store): Promise<void> {
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  throw new ConnectorError({
    kind: 'system',
    code: 'store.migration_failed',
    message: `migrating the store at ${store.location} failed${failed ? ` in ${failed}` : ''}: ${(error as Error).message ?? String(error)}`,
    details: { location: store.location, ...(failed ? { migration: failed } : {}) },
    cause: error,
  });
}
