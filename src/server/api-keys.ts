/**
 * API keys for the agent-tools API (SPEC §5): each scoped to one workspace,
 * shown once when created, kept only as a SHA-256 of its secret part, and
 * checked in constant time. A key is `mlc_<id>_<secret>`: the id finds the
 * row, the secret is what is hashed.
 *
 * SHA-256 rather than a slow hash (scrypt): the secret is 32 random bytes,
 * not a password a person chose, so there is nothing to guess from a leaked
 * hash, and a slow hash would only add its cost to every request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { DEFAULT_WORKSPACE } from '../store/connections.ts';
import type { Store } from '../store/open-store.ts';

export interface ApiKeyInfo {
  id: string;
  workspace: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The whole key: shown this once, never stored. */
  key: string;
}

export interface ApiKeysRepository {
  create(input: { name: string; workspace?: string }): Promise<CreatedApiKey>;
  list(workspace?: string): Promise<ApiKeyInfo[]>;
  /** True when there was such a key to revoke. */
  revoke(id: string): Promise<boolean>;
  /** The key's info when the presented key is valid and not revoked; undefined otherwise. */
  verify(presented: string): Promise<ApiKeyInfo | undefined>;
}

const KEY_PATTERN = /^mlc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function createApiKeysRepository(store: Store, clock: Clock): ApiKeysRepository {
  const { db } = store;
  const toInfo = (row: { id: string; workspace: string; name: string; created_at: number; last_used_at: number | null; revoked_at: number | null }): ApiKeyInfo => ({
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  });

  return {
    async create(input) {
      const name = input.name.trim();
      if (!name) throw new ConnectorError({ kind: 'validation', code: 'keys.invalid_name', message: 'name: an API key needs a name', details: { fields: ['name'] } });
      const workspace = input.workspace?.trim() || DEFAULT_WORKSPACE;
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const now = clock.now();
      const row = { id, workspace, name, secret_hash: hashSecret(secret).toString('hex'), created_at: now, last_used_at: null, revoked_at: null };
      await db.insertInto('api_keys').values(row).execute();
      return { ...toInfo(row), key: `mlc_${id}_${secret}` };
    },

    async list(workspace) {
      let query = db.selectFrom('api_keys').select(['id', 'workspace', 'name', 'created_at', 'last_used_at', 'revoked_at']).orderBy('created_at');
      if (workspace !== undefined) query = query.where('workspace', '=', workspace);
      return (await query.execute()).map(toInfo);
    },

    async revoke(id) {
      const result = await db.updateTable('api_keys').set({ revoked_at: clock.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async verify(presented) {
      const match = KEY_PATTERN.exec(presented.trim());
      // Hash even a malformed key, so that its shape does not change how long the answer takes.
      const given = hashSecret(match?.[2] ?? presented);
      if (!match) return undefined;
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', match[1]!).executeTakeFirst();
      if (!row || row.revoked_at !== null) return undefined;
      if (!timingSafeEqual(given, Buffer.from(row.secret_hash, 'hex'))) return undefined;
      const now = clock.now();
      await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
      return toInfo({ ...row, last_used_at: now });
    },
  };
}

export type ApiKeyEnv = { Variables: { apiKey: ApiKeyInfo } };

export interface KeyRefusal {
  code: string;
  message: string;
}

const KEY_MISSING: KeyRefusal = { code: 'keys.missing', message: 'this API needs an API key: send Authorization: Bearer <key> (create one with `ml-connector keys create`)' };
const KEY_INVALID: KeyRefusal = { code: 'keys.invalid', message: 'the API key is not valid or has been revoked' };

/** The key an `Authorization` header presents, verified; or why it opens nothing (no bearer key, or not a valid one). */
export async function keyOfHeader(keys: ApiKeysRepository, header: string | undefined): Promise<{ key: ApiKeyInfo } | { refusal: KeyRefusal }> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!bearer) return { refusal: KEY_MISSING };
  const key = await keys.verify(bearer);
  return key ? { key } : { refusal: KEY_INVALID };
}

/** The 401 every API answers to a request without a usable credential. */
export function unauthorized(c: Context, refusal: KeyRefusal): Response {
  c.header('www-authenticate', 'Bearer realm="ml-connector"');
  return c.json({ error: { code: refusal.code, kind: 'auth', message: refusal.message, details: {} } }, 401);
}

/** Requires `Authorization: Bearer <api key>`; a missing, malformed, unknown or revoked key is a 401 that says which. */
export function requireApiKey(keys: ApiKeysRepository): MiddlewareHandler<ApiKeyEnv> {
  return async (c, next) => {
    const presented = await keyOfHeader(keys, c.req.header('authorization'));
    if ('refusal' in presented) return unauthorized(c, presented.refusal);
    c.set('apiKey', presented.key);
    await next();
  };
}
