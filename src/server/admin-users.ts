/**
 * Admin users: people who sign in to the console with a username and a
 * password, each in one workspace. Passwords are kept as scrypt hashes
 * (`scrypt$N$r$p$salt$hash`), compared in constant time; a wrong username
 * costs the same hash as a wrong password.
 */
import { randomBytes, randomUUID, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import { isUniqueViolation } from '../store/errors.ts';
import { DEFAULT_WORKSPACE } from '../store/connections.ts';
import type { Store } from '../store/open-store.ts';

export const MIN_PASSWORD_LENGTH = 12;
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of nothing, checked when the username is unknown, so both failures take as long. */
const DECOY = hashPassword(randomBytes(16).toString('hex'));

export interface AdminUserInfo {
  id: string;
  workspace: string;
  username: string;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface AdminUsersRepository {
  create(input: { username: string; password: string; workspace?: string }): Promise<AdminUserInfo>;
  /** The user when the password is right; undefined otherwise (never says which part was wrong). */
  verify(username: string, password: string): Promise<AdminUserInfo | undefined>;
  list(workspace?: string): Promise<AdminUserInfo[]>;
  /** True when there was such a user. */
  remove(username: string): Promise<boolean>;
}

export function createAdminUsersRepository(store: Store, clock: Clock): AdminUsersRepository {
  const { db } = store;
  const toInfo = (row: { id: string; workspace: string; username: string; created_at: number; last_login_at: number | null }): AdminUserInfo => ({
    id: row.id,
    workspace: row.workspace,
    username: row.username,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  });

  return {
    async create(input) {
      const username = input.username.trim();
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
        throw new ConnectorError({ kind: 'validation', code: 'users.invalid_username', message: 'username: use 1 to 64 letters, digits, dots, dashes, underscores or @', details: { fields: ['username'] } });
      }
      if (input.password.length < MIN_PASSWORD_LENGTH) {
        throw new ConnectorError({ kind: 'validation', code: 'users.weak_password', message: `password: at least ${MIN_PASSWORD_LENGTH} characters`, details: { fields: ['password'] } });
      }
      const row = {
        id: randomUUID(),
        workspace: input.workspace?.trim() || DEFAULT_WORKSPACE,
        username,
        password_hash: await hashPassword(input.password),
        created_at: clock.now(),
        last_login_at: null,
      };
      try {
        await db.insertInto('admin_users').values(row).execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new ConnectorError({ kind: 'conflict', code: 'users.duplicate', message: `a user named "${username}" already exists`, details: { username } });
      }
      return toInfo(row);
    },

    async verify(username, password) {
      const row = await db.selectFrom('admin_users').selectAll().where('username', '=', username.trim()).executeTakeFirst();
      const ok = await verifyPassword(password, row?.password_hash ?? (await DECOY));
      if (!row || !ok) return undefined;
      const now = clock.now();
      await db.updateTable('admin_users').set({ last_login_at: now }).where('id', '=', row.id).execute();
      return toInfo({ ...row, last_login_at: now });
    },

    async list(workspace) {
      let query = db.selectFrom('admin_users').selectAll().orderBy('username');
      if (workspace !== undefined) query = query.where('workspace', '=', workspace);
      return (await query.execute()).map(toInfo);
    },

    async remove(username) {
      const result = await db.deleteFrom('admin_users').where('username', '=', username.trim()).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
