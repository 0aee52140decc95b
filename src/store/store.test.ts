import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { ConnectorError } from '../core/errors.ts';
import { createVault } from '../vault/vault.ts';
import { MasterKey } from '../vault/master-key.ts';
import { createConnectionsRepository } from './connections.ts';
import { isUniqueViolation } from './errors.ts';
import { fromBool, fromJson, toBool, toJson, toJsonOrNull } from './json.ts';
import { openStore, type OpenStoreOptions, type Store } from './open-store.ts';
import type { StoreDialect } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { forEachStore } from './test-stores.ts';

const execFileAsync = promisify(execFile);

const TABLES: readonly (keyof Database)[] = [
  'connections', 'runs', 'cursors', 'links', 'pending', 'write_ledger', 'audit', 'dead_letters', 'schedules', 'jobs', 'field_shadows', 'webhook_events', 'flow_settings',
  'api_keys', 'tool_calls', 'tool_descriptions', 'account_tool_settings',
];
const NAMED_INDEXES = [
  'runs_flow_key_status_idx', 'runs_created_at_idx', 'links_target_idx', 'audit_source_id_idx', 'audit_run_id_idx', 'jobs_queue_state_run_at_idx',
];
/** Past 2^32 and past int4, so a bigint read back as a 32-bit or string value shows. */
const T = 1_795_290_987_629;

async function tableNames(store: Store): Promise<string[]> {
  const tables = await store.db.introspection.getTables();
  const schema = store.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0]?.s : undefined;
  return tables.filter((table) => schema === undefined || table.schema === schema).map((table) => table.name).sort();
}

async function indexNames(store: Store): Promise<string[]> {
  const query =
    store.dialect === 'postgres'
      ? sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`
      : sql<{ name: string }>`select name from sqlite_master where type = 'index'`;
  return (await query.execute(store.db)).rows.map((row) => row.name);
}

async function appliedMigrations(store: Store): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
  return rows.rows.map((row) => row.name);
}

async function expectedMigrations(dialect: StoreDialect): Promise<string[]> {
  return Object.keys(await migrationProvider(dialect).getMigrations()).sort();
}

const OPEN_IN_CHILD = `
  const { openStore } = await import(process.env.MLC_OPEN_STORE);
  const { sql } = await import('kysely');
  const store = await openStore(JSON.parse(process.env.MLC_OPTIONS));
  const { rows } = await sql\`select name from kysely_migration order by name\`.execute(store.db);
  await store.close();
  console.log(JSON.stringify(rows.map((row) => row.name)));
`;

/** Opens the store in a child process; resolves with what it printed. */
async function openInChild(options: OpenStoreOptions): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', OPEN_IN_CHILD], {
    env: { ...process.env, MLC_OPEN_STORE: new URL('./open-store.ts', import.meta.url).href, MLC_OPTIONS: JSON.stringify(options) },
  });
  return stdout.trim();
}

function vaultForTests() {
  return createVault(new MasterKey(Buffer.alloc(32, 7)));
}

forEachStore('store', (open, { dialect, openFresh, newDatabase, newDatabaseOptions }) => {
  it('applies every migration to a fresh database, with the named indexes', async () => {
    const store = await openFresh();
    assert.equal(store.dialect, dialect);
    const tables = await tableNames(store);
    for (const table of TABLES) assert.ok(tables.includes(table), `table ${table} exists`);
    const indexes = await indexNames(store);
    for (const index of NAMED_INDEXES) assert.ok(indexes.includes(index), `index ${index} exists`);
    assert.deepEqual(await appliedMigrations(store), await expectedMigrations(dialect));
    await store.close();
  });

  it('is idempotent on reopen and keeps the data', async () => {
    const openIt = newDatabase();
    const first = await openIt();
    await first.db.insertInto('cursors').values({ flow_key: 'f', stream: 's', value: '"c1"', updated_at: T }).execute();
    await first.close();
    const second = await openIt();
    assert.deepEqual(await appliedMigrations(second), await expectedMigrations(dialect));
    assert.deepEqual(await second.db.selectFrom('cursors').selectAll().execute(), [{ flow_key: 'f', stream: 's', value: '"c1"', updated_at: T }]);
    await second.close();
  });

  it('applies migrations once when several processes open a fresh database at once', async () => {
    const options = await newDatabaseOptions();
    // Real processes: that is the case the locking is for (in one process the store is shared).
    const children = Array.from({ length: 3 }, () => openInChild(options));
    const outputs = await Promise.all(children);
    for (const output of outputs) assert.deepEqual(JSON.parse(output), await expectedMigrations(dialect));
    const store = await openStore(options);
    assert.deepEqual(await appliedMigrations(store), await expectedMigrations(dialect));
    await store.close();
  });

  if (dialect === 'sqlite') {
    it('runs SQLite with WAL, a busy timeout and foreign keys', async () => {
      const store = await open();
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
      assert.equal(pragma && (await pragma('journal_mode')), 'wal');
      assert.equal(await pragma('foreign_keys'), 1);
      assert.ok(Number(await pragma('busy_timeout')) >= 1000);
      assert.match(store.location, /ml-connector\.db$/);
    });
  }

  it('round-trips every table with portable types', async () => {
    const store = await openFresh();
    const { db } = store;
    const rows = {
      connections: {
        id: 'c1', workspace: 'w', name: 'n', system: 'hubspot', config: 'mlc1.x', status: 'ok' as const,
        last_tested_at: T, last_error: null, created_at: T, updated_at: T + 1,
      },
      runs: {
        id: 'r1', flow: 'zohobooks-to-hubspot', flow_key: 'fk', source_connection: 'a', target_connection: 'b', mode: 'incremental',
        trigger: 'manual', status: 'running', counts: toJson({ read: 3 }), report: null, error: toJsonOrNull({ code: 'x' }),
        created_at: T, started_at: T + 1, finished_at: null, heartbeat_at: T + 2, owner: 'host:1', cancel_requested_at: T + 3,
      },
      cursors: { flow_key: 'fk', stream: 'invoices', value: toJson({ at: '2026-01-01T00:00:00Z', ids: ['a'] }), updated_at: T },
      links: {
        flow_key: 'fk', stream: 'invoices', source_id: 's1', target_type: 'invoice', target_id: '99', payload_hash: 'h',
        after_hash: null, source_version: 'v1', run_id: 'r1', updated_at: T,
      },
      pending: {
        flow_key: 'fk', stream: 'contacts', source_id: 's2', snapshot: toJson({ email: 'é@x' }), waiting_for: 'companies:c9',
        reason: 'parent not linked', run_id: null, first_seen_at: T, updated_at: T,
      },
      write_ledger: {
        idempotency_key: 'k1', flow_key: 'fk', stream: 'invoices', source_id: 's1', run_id: 'r1', operation: 'create',
        state: 'uncertain' as const, target_id: null, attempts: 2, created_at: T, updated_at: T,
      },
      dead_letters: {
        flow_key: 'fk', stream: 'invoices', source_id: 's3', run_id: 'r1', snapshot: '{}', error: toJson({ kind: 'validation' }),
        attempts: 3, created_at: T, updated_at: T, resolved_at: null, resolved_by_run: null,
      },
      schedules: {
        flow_key: 'fk', flow: 'zohobooks-to-hubspot', source_connection: 'a', target_connection: 'b', interval_ms: 40 * 86_400_000,
        cron: null, enabled: toBool(true), options: '{}', next_run_at: T, last_run_id: null, updated_at: T,
      },
      jobs: {
        queue: 'q', id: 'j1', name: 'sync', data: toJson({ n: 1 }), state: 'waiting' as const, priority: 2, attempts_made: 0,
        max_attempts: 3, backoff: toJson({ type: 'fixed', delay: 10 }), run_at: T, lease_owner: null, lease_until: null,
        stalled_count: 0, result: null, error: null, created_at: T, updated_at: T, finished_at: null,
      },
    };
    for (const [table, row] of Object.entries(rows)) {
      await db.insertInto(table as keyof typeof rows).values(row as never).execute();
      const back = await db.selectFrom(table as keyof typeof rows).selectAll().execute();
      assert.deepEqual(back, [row], `${table} round-trips`);
    }
    assert.equal(typeof (await db.selectFrom('jobs').select('run_at').executeTakeFirstOrThrow()).run_at, 'number');
    assert.deepEqual(fromJson((await db.selectFrom('cursors').select('value').executeTakeFirstOrThrow()).value), { at: '2026-01-01T00:00:00Z', ids: ['a'] });
    assert.equal(fromBool((await db.selectFrom('schedules').select('enabled').executeTakeFirstOrThrow()).enabled), true);
    assert.equal(fromJson(null), undefined);

    const audit = { run_id: 'r1', flow_key: 'fk', stream: 'invoices', source_id: 's1', attempt: 1, outcome: 'created', reason: 'new record',
      source_snapshot: '{}', mapped_payload: '{}', target_ids: toJson(['99']), correlation_ids: null, error: null, created_at: T, duration_ms: 12 };
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await db.insertInto('audit').values(audit).returning('id').executeTakeFirstOrThrow()).id);
    assert.ok(ids.every((id) => typeof id === 'number'));
    assert.ok(ids[0]! < ids[1]! && ids[1]! < ids[2]!, 'audit ids increase');
    assert.deepEqual(await db.selectFrom('audit').selectAll().where('id', '=', ids[0]!).execute(), [{ id: ids[0], ...audit }]);
    const counted = await db.selectFrom('audit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(counted.n, 3, 'count(*) is a number on both dialects');
    await store.close();
  });

  it('raises unique and primary-key violations', async () => {
    const store = await open();
    const { db } = store;
    const connection = { id: 'u1', name: 'dup', system: 's', config: 'x', status: 'untested' as const, last_tested_at: null, last_error: null, created_at: T, updated_at: T };
    await db.insertInto('connections').values(connection).execute();
    await assert.rejects(db.insertInto('connections').values({ ...connection, id: 'u2' }).execute(), (error) => isUniqueViolation(error));
    await assert.rejects(db.insertInto('connections').values({ ...connection, name: 'other' }).execute(), (error) => isUniqueViolation(error));
    // The same name in another workspace is another connection.
    await db.insertInto('connections').values({ ...connection, id: 'u3', workspace: 'elsewhere' }).execute();
    const job = { queue: 'uq', id: 'j', name: 'n', data: '{}', state: 'waiting' as const, priority: 0, attempts_made: 0, max_attempts: 1,
      backoff: null, run_at: T, lease_owner: null, lease_until: null, stalled_count: 0, result: null, error: null, created_at: T, updated_at: T, finished_at: null };
    await db.insertInto('jobs').values(job).execute();
    await assert.rejects(db.insertInto('jobs').values(job).execute(), (error) => isUniqueViolation(error));
    await db.insertInto('jobs').values({ ...job, queue: 'other-queue' }).execute();
    assert.equal(isUniqueViolation(new Error('something else')), false);
  });

  it('upserts with onConflict the same way on both dialects', async () => {
    const store = await open();
    const upsert = (value: string, at: number) =>
      store.db
        .insertInto('cursors')
        .values({ flow_key: 'up', stream: 's', value, updated_at: at })
        .onConflict((oc) => oc.columns(['flow_key', 'stream']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })))
        .execute();
    await upsert('"a"', T);
    await upsert('"b"', T + 5);
    assert.deepEqual(await store.db.selectFrom('cursors').selectAll().where('flow_key', '=', 'up').execute(), [
      { flow_key: 'up', stream: 's', value: '"b"', updated_at: T + 5 },
    ]);
  });

  it('rolls a failed transaction back', async () => {
    const store = await open();
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('cursors').values({ flow_key: 'rollback', stream: 's', value: '1', updated_at: T }).execute();
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await store.db.selectFrom('cursors').selectAll().where('flow_key', '=', 'rollback').execute()).length, 0);
  });

  it('keeps concurrent read-modify-write transactions consistent', async () => {
    // Two stores are two connection pools (on Postgres) / connections (SQLite), like two writers.
    const first = await open();
    const second = dialect === 'postgres' ? await open() : first;
    await first.db.insertInto('cursors').values({ flow_key: 'counter', stream: 's', value: '0', updated_at: T }).execute();
    const increment = (store: Store) =>
      store.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('cursors')
          .select('value')
          .where('flow_key', '=', 'counter')
          // Postgres: lock the row so the other writer waits instead of reading a stale value.
          .$if(store.dialect === 'postgres', (qb) => qb.forUpdate())
          .executeTakeFirstOrThrow();
        await new Promise((resolve) => setImmediate(resolve));
        await trx.updateTable('cursors').set({ value: String(Number(row.value) + 1) }).where('flow_key', '=', 'counter').execute();
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 === 0 ? first : second)));
    const final = await first.db.selectFrom('cursors').select('value').where('flow_key', '=', 'counter').executeTakeFirstOrThrow();
    assert.equal(final.value, '20');
  });

  if (dialect === 'postgres') {
    it('lets exactly one of two writers insert the same key', async () => {
      const first = await open();
      const second = await open();
      const insert = (store: Store, run: string) =>
        store.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('write_ledger')
            .values({ idempotency_key: 'race', flow_key: 'f', stream: 's', source_id: 'x', run_id: run, operation: 'create', state: 'pending', target_id: null, attempts: 1, created_at: T, updated_at: T })
            .execute();
          await new Promise((resolve) => setTimeout(resolve, 20));
        });
      const results = await Promise.allSettled([insert(first, 'a'), insert(second, 'b')]);
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      const rejected = results.find((result) => result.status === 'rejected');
      assert.ok(rejected && isUniqueViolation(rejected.reason));
    });
  }

  describe('connections repository', () => {
    it('creates, finds, lists and deletes connections without exposing config', async () => {
      const store = await open();
      const repository = createConnectionsRepository(store, vaultForTests());
      const created = await repository.create({ name: 'books', system: 'zohobooks', config: { clientId: 'id-1', clientSecret: 'sEcReT-value-123' } });
      assert.equal(created.status, 'untested');
      assert.equal(created.workspace, 'default');
      assert.equal('config' in created, false);
      assert.deepEqual(await repository.get('books'), created);
      assert.deepEqual(await repository.get(created.id), created);
      assert.equal(await repository.find('books', 'another-workspace'), undefined);
      const listed = await repository.list();
      assert.deepEqual(listed.find((info) => info.id === created.id), created);
      assert.ok(!JSON.stringify(listed).includes('sEcReT'), 'list never carries the secret');

      const stored = await store.db.selectFrom('connections').select('config').where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.ok(!stored.config.includes('sEcReT-value-123'), 'the config column is encrypted');
      assert.ok(!stored.config.includes('clientSecret'), 'even the field names are encrypted');
      assert.deepEqual(await repository.getConfig(created.id), { clientId: 'id-1', clientSecret: 'sEcReT-value-123' });

      assert.equal(await repository.delete(created.id), true);
      assert.equal(await repository.delete(created.id), false);
      await assert.rejects(repository.get('books'), (error) => error instanceof ConnectorError && error.kind === 'not_found' && /books/.test(error.message));
    });

    it('refuses a duplicate name with a conflict naming it', async () => {
      const store = await open();
      const repository = createConnectionsRepository(store, vaultForTests());
      await repository.create({ name: 'hub', system: 'hubspot', config: { accessToken: 't' } });
      await assert.rejects(repository.create({ name: 'hub', system: 'hubspot', config: {} }), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.kind, 'conflict');
        assert.match(error.message, /"hub"/);
        return true;
      });
      await repository.create({ workspace: 'team-b', name: 'hub', system: 'hubspot', config: {} });
      assert.equal((await repository.list('team-b')).length, 1);
    });

    it('updates config and records test outcomes', async () => {
      const store = await open();
      const repository = createConnectionsRepository(store, vaultForTests());
      const created = await repository.create({ name: 'acu', system: 'acumatica', config: { password: 'p1' } });
      const failed = await repository.setStatus(created.id, 'failed', new ConnectorError({ kind: 'auth', code: 'acumatica.unauthorized', message: 'rejected' }));
      assert.equal(failed.status, 'failed');
      assert.equal(failed.lastError, 'acumatica.unauthorized: rejected');
      assert.equal(typeof failed.lastTestedAt, 'number');
      const updated = await repository.updateConfig(created.id, { password: 'p2' });
      assert.equal(updated.status, 'untested');
      assert.equal(updated.lastError, null);
      assert.deepEqual(await repository.getConfig(created.id), { password: 'p2' });
      const ok = await repository.setStatus(created.id, 'ok');
      assert.equal(ok.status, 'ok');
      await assert.rejects(repository.updateConfig('no-such-id', {}), (error) => error instanceof ConnectorError && error.kind === 'not_found');
      await assert.rejects(repository.getConfig('no-such-id'), (error) => error instanceof ConnectorError && error.kind === 'not_found');
    });

    it('cannot read a config under another master key', async () => {
      const store = await open();
      const created = await createConnectionsRepository(store, vaultForTests()).create({ name: 'other-key', system: 'hubspot', config: { accessToken: 't' } });
      const otherVault = createVault(new MasterKey(Buffer.alloc(32, 9)));
      await assert.rejects(createConnectionsRepository(store, otherVault).getConfig(created.id), (error) => error instanceof ConnectorError && error.code === 'vault.wrong_key');
    });
  });
});

describe('openStore errors', () => {
  it('names an unreachable Postgres without its password', async () => {
    await assert.rejects(openStore({ dataDir: tmpdir(), databaseUrl: 'postgres://user:hunter2-secret@127.0.0.1:1/db' }), (error) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.kind, 'config');
      assert.match(error.message, /127\.0\.0\.1:1/);
      assert.match(error.message, /DATABASE_URL/);
      assert.ok(!error.message.includes('hunter2'));
      assert.ok(!JSON.stringify(error.toJSON()).includes('hunter2'));
      return true;
    });
  });

  it('refuses a malformed or non-Postgres URL without echoing its password', async () => {
    for (const databaseUrl of ['mysql://user:hunter2-secret@host/db', 'not a url hunter2-secret', 'postgres//user:hunter2-secret@host']) {
      await assert.rejects(openStore({ dataDir: tmpdir(), databaseUrl }), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.kind, 'config');
        assert.match(error.message, /DATABASE_URL/);
        assert.ok(!error.message.includes('hunter2'), error.message);
        return true;
      });
    }
  });

  it('names the SQLite file it cannot open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlc-store-bad-'));
    try {
      // A data directory that is a file.
      await writeFile(join(dir, 'not-a-dir'), 'x');
      await assert.rejects(openStore({ dataDir: join(dir, 'not-a-dir') }), (error) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.kind, 'config');
        assert.match(error.message, /not-a-dir/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
