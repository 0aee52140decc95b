/**
 * Test support: run one suite against every store dialect.
 *
 * SQLite lives in a temporary directory; Postgres comes from `DATABASE_URL`
 * (default `postgres://postgres@127.0.0.1:5432/test`) with each suite in its
 * own freshly created schema, dropped at the end. When a service the tests
 * need is not reachable, the suite fails under CI (which must run everything)
 * and is skipped with a message elsewhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { redactUrl } from '../core/redact.ts';
import type { StoreDialect } from './dialect.ts';
import { openStore, type OpenStoreOptions, type Store } from './open-store.ts';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function testDatabaseUrl(): string {
  const fromEnv = process.env.DATABASE_URL;
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_TEST_DATABASE_URL : fromEnv;
}

export interface StoreTestContext {
  dialect: StoreDialect;
  /** Opens the suite's database (the same one on every call, so reopening can be tested). */
  open(): Promise<Store>;
  /** Opens a database of its own, empty before this call. */
  openFresh(): Promise<Store>;
  /** A new empty database, and a function that opens it (call it more than once to open it again). */
  newDatabase(): () => Promise<Store>;
  /** The `openStore` options of a new empty database, for opening it elsewhere (another process). */
  newDatabaseOptions(): Promise<OpenStoreOptions>;
}

/**
 * Declares `describe(name [dialect])` once per dialect; `body` declares the
 * tests. Stores opened through `open` are closed at the end of the suite if
 * the test did not close them.
 */
export function forEachStore(name: string, body: (open: () => Promise<Store>, context: StoreTestContext) => void): void {
  describe(`${name} [sqlite]`, () => {
    const dirs: string[] = [];
    const opened = new StoreTracker();
    let mainDir: Promise<string> | undefined;
    const newDir = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mlc-store-'));
      dirs.push(dir);
      return dir;
    };
    const newDatabase = () => {
      const dir = newDir();
      return async () => opened.track(await openStore({ dataDir: await dir }));
    };
    const context: StoreTestContext = {
      dialect: 'sqlite',
      open: async () => opened.track(await openStore({ dataDir: await (mainDir ??= newDir()) })),
      openFresh: () => newDatabase()(),
      newDatabase,
      newDatabaseOptions: async () => ({ dataDir: await newDir() }),
    };
    body(context.open, context);
    // Registered after the body's own hooks so that those (closing queues, say) run first.
    after(async () => {
      await opened.closeAll();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    });
  });

  describe(`${name} [postgres]`, async () => {
    const url = testDatabaseUrl();
    const unreachable = await probePostgres(url);
    if (unreachable !== undefined) {
      declareUnavailable({ service: 'Postgres', url, envVar: 'DATABASE_URL', reason: unreachable });
      return;
    }
    const schemas: string[] = [];
    const opened = new StoreTracker();
    const newSchema = () => {
      const schema = `mlc_test_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      return schema;
    };
    const mainSchema = newSchema();
    const openSchema = async (schema: string) => opened.track(await openStore({ dataDir: tmpdir(), databaseUrl: url, schema }));
    const newDatabase = () => {
      const schema = newSchema();
      return () => openSchema(schema);
    };
    const context: StoreTestContext = {
      dialect: 'postgres',
      open: () => openSchema(mainSchema),
      openFresh: () => newDatabase()(),
      newDatabase,
      newDatabaseOptions: async () => ({ dataDir: tmpdir(), databaseUrl: url, schema: newSchema() }),
    };
    body(context.open, context);
    after(async () => {
      await opened.closeAll();
      await dropSchemas(url, schemas);
    });
  });
}

/** Undefined when Postgres answers at `url`; otherwise why not. */
export async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return String((error as { code?: unknown }).code ?? (error as Error).message);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Declares what a suite does when a service it needs is missing: under CI a
 * failing test (CI must run everything), elsewhere a skipped one that says
 * what to start.
 */
export function declareUnavailable(need: { service: string; url: string; envVar: string; reason: string }): void {
  const where = redactUrl(need.url);
  const title = `needs ${need.service} at ${where}`;
  if (process.env.CI) {
    it(title, () => {
      throw new Error(`these tests need ${need.service} at ${where} (${need.envVar}), but it is not reachable: ${need.reason}`);
    });
  } else {
    const skip = `${need.service} is not reachable at ${where} (${need.reason}); start it or set ${need.envVar} to run these tests`;
    it(title, { skip }, () => undefined);
  }
}

async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** Closes what a suite opened, once, even if a test already closed it. */
class StoreTracker {
  private readonly open = new Set<Store>();

  track(store: Store): Store {
    const close = store.close;
    let closing: Promise<void> | undefined;
    const tracked: Store = {
      ...store,
      close: () => {
        this.open.delete(tracked);
        return (closing ??= close());
      },
    };
    this.open.add(tracked);
    return tracked;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((store) => store.close()));
  }
}
