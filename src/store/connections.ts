/**
 * Connections: the credentials and settings for one account of one system.
 *
 * The config object is encrypted by the vault before it reaches the table and
 * is only ever decrypted by `getConfig`, for the client that needs it. Every
 * other read returns metadata, so listing connections (API, UI, CLI) cannot
 * leak a secret.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.ts';
import { ConnectorError, isConnectorError } from '../core/errors.ts';
import type { Vault } from '../vault/vault.ts';
import { isUniqueViolation } from './errors.ts';
import type { Store } from './open-store.ts';
import type { ConnectionRow, ConnectionStatus } from './schema.ts';

export const DEFAULT_WORKSPACE = 'default';

/** What may be shown about a connection: everything but its config. */
export interface ConnectionInfo {
  id: string;
  workspace: string;
  name: string;
  system: string;
  status: ConnectionStatus;
  lastTestedAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewConnection {
  workspace?: string;
  name: string;
  system: string;
  config: Record<string, unknown>;
}

export interface ConnectionsRepository {
  /** Stores a new connection; a name already used in the workspace is a `conflict`. */
  create(input: NewConnection): Promise<ConnectionInfo>;
  /**
   * By id or by name within the workspace; `undefined` when there is none.
   * Without a workspace: by id in any workspace, or by name in the default one.
   */
  find(idOrName: string, workspace?: string): Promise<ConnectionInfo | undefined>;
  /** Like `find`, but a missing connection is a `not_found` error naming it. */
  get(idOrName: string, workspace?: string): Promise<ConnectionInfo>;
  /** The workspace's connections by name. */
  list(workspace?: string): Promise<ConnectionInfo[]>;
  /** The decrypted config, for the system client only. Never return it from an API. */
  getConfig(id: string): Promise<Record<string, unknown>>;
  /** Replaces the config; the connection goes back to `untested` unless `keepStatus` (a rotated token). */
  updateConfig(id: string, config: Record<string, unknown>, options?: { keepStatus?: boolean }): Promise<ConnectionInfo>;
  /** Records the outcome of a connection test. */
  setStatus(id: string, status: ConnectionStatus, error?: string | Error): Promise<ConnectionInfo>;
  /** True when there was such a connection. */
  delete(id: string): Promise<boolean>;
}

export function createConnectionsRepository(store: Store, vault: Vault, clock: Clock = systemClock): ConnectionsRepository {
  const { db } = store;

  /**
   * Within a workspace by id or name. Without one (the engine, the worker, the
   * CLI: the whole installation's own callers), an id is found in any
   * workspace — ids are unique — and a name in the default workspace.
   */
  async function findRow(idOrName: string, workspace: string | undefined): Promise<ConnectionRow | undefined> {
    return db
      .selectFrom('connections')
      .selectAll()
      .where((eb) =>
        workspace === undefined
          ? eb.or([eb('id', '=', idOrName), eb.and([eb('name', '=', idOrName), eb('workspace', '=', DEFAULT_WORKSPACE)])])
          : eb.and([eb('workspace', '=', workspace), eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])]),
      )
      // An id match wins over a connection that happens to be named like another's id.
      .orderBy((eb) => eb.case().when('id', '=', idOrName).then(0).else(1).end())
      .executeTakeFirst();
  }

  async function rowById(id: string): Promise<ConnectionRow> {
    const row = await db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound(id);
    return row;
  }

  const repository: ConnectionsRepository = {
    async create(input) {
      const now = clock.now();
      const row = {
        id: randomUUID(),
        workspace: input.workspace ?? DEFAULT_WORKSPACE,
        name: input.name,
        system: input.system,
        config: vault.encrypt(input.config),
        status: 'untested' as const,
        last_tested_at: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await db.insertInto('connections').values(row).execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new ConnectorError({
          kind: 'conflict',
          code: 'connections.duplicate_name',
          message: `a connection named "${input.name}" already exists in workspace "${row.workspace}"`,
          details: { name: input.name, workspace: row.workspace },
        });
      }
      return toInfo(row);
    },

    async find(idOrName, workspace) {
      const row = await findRow(idOrName, workspace);
      return row === undefined ? undefined : toInfo(row);
    },

    async get(idOrName, workspace) {
      const row = await findRow(idOrName, workspace);
      if (row === undefined) throw notFound(idOrName, workspace ?? DEFAULT_WORKSPACE);
      return toInfo(row);
    },

    async list(workspace = DEFAULT_WORKSPACE) {
      const rows = await db.selectFrom('connections').selectAll().where('workspace', '=', workspace).orderBy('name').execute();
      return rows.map(toInfo);
    },

    async getConfig(id) {
      const row = await rowById(id);
      return vault.decrypt(row.config) as Record<string, unknown>;
    },

    async updateConfig(id, config, options = {}) {
      const now = clock.now();
      // A credential the system itself rotated is still the tested one; a config an operator changed is not.
      const status = options.keepStatus ? {} : { status: 'untested' as const, last_error: null };
      const result = await db
        .updateTable('connections')
        .set({ config: vault.encrypt(config), ...status, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(id);
      return toInfo(await rowById(id));
    },

    async setStatus(id, status, error) {
      const now = clock.now();
      const result = await db
        .updateTable('connections')
        .set({ status, last_tested_at: now, last_error: error === undefined ? null : describeError(error), updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(id);
      return toInfo(await rowById(id));
    },

    async delete(id) {
      const result = await db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
  return repository;
}

function toInfo(row: ConnectionRow): ConnectionInfo {
  return {
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    system: row.system,
    status: row.status,
    lastTestedAt: row.last_tested_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The stored form of a test failure: our errors carry a stable code worth keeping. */
function describeError(error: string | Error): string {
  if (typeof error === 'string') return error;
  return isConnectorError(error) ? `${error.code}: ${error.message}` : error.message;
}

function notFound(idOrName: string, workspace?: string): ConnectorError {
  return new ConnectorError({
    kind: 'not_found',
    code: 'connections.not_found',
    message: workspace === undefined ? `no connection with id "${idOrName}"` : `no connection "${idOrName}" in workspace "${workspace}"`,
    details: workspace === undefined ? { id: idOrName } : { connection: idOrName, workspace },
  });
}
