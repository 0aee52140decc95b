/**
 * The console's browser sessions. The cookie holds 32 random bytes; the store
 * keeps only their SHA-256, so a copy of the database cannot be replayed as a
 * session. Each session has its own CSRF token, which every request that
 * changes something must send back (src/server/access.ts).
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../core/digest.ts';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/open-store.ts';

export const SESSION_COOKIE = 'mlc_session';
/** Twelve hours: a working day, after which the operator signs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

export interface SessionInfo {
  workspace: string;
  /** `user:<username>` or `key:<api key id>`. */
  actor: string;
  csrfToken: string;
  expiresAt: number;
}

export interface SessionsRepository {
  create(input: { workspace: string; actor: string }): Promise<SessionInfo & { token: string }>;
  /** The live session the token belongs to; undefined for an unknown or expired one. */
  find(token: string): Promise<SessionInfo | undefined>;
  destroy(token: string): Promise<void>;
}

/** The SHA-256 of a session token, as stored (also what an OAuth `state` is bound to). */
export const sessionHash = sha256Hex;

export function createSessionsRepository(store: Store, clock: Clock): SessionsRepository {
  const { db } = store;
  return {
    async create(input) {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const now = clock.now();
      const expiresAt = now + SESSION_TTL_MS;
      // Expired sessions are swept as new ones are made: the table stays the size of the live ones.
      await db.deleteFrom('ui_sessions').where('expires_at', '<', now).execute();
      await db
        .insertInto('ui_sessions')
        .values({ token_hash: sessionHash(token), workspace: input.workspace, actor: input.actor, csrf_token: csrfToken, created_at: now, expires_at: expiresAt })
        .execute();
      return { token, workspace: input.workspace, actor: input.actor, csrfToken, expiresAt };
    },

    async find(token) {
      if (!token) return undefined;
      const row = await db.selectFrom('ui_sessions').selectAll().where('token_hash', '=', sessionHash(token)).executeTakeFirst();
      if (!row || row.expires_at <= clock.now()) return undefined;
      return { workspace: row.workspace, actor: row.actor, csrfToken: row.csrf_token, expiresAt: row.expires_at };
    },

    async destroy(token) {
      await db.deleteFrom('ui_sessions').where('token_hash', '=', sessionHash(token)).execute();
    },
  };
}
