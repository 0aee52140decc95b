/**
 * The legacy cookie login (reference/acumatica.md §6b): `POST
 * /entity/auth/login` with `{name, password, tenant, branch, locale}` answers
 * 204 and session cookies; every later call sends them; `POST
 * /entity/auth/logout` ends the session. A session left open ends after ten
 * idle minutes (sandbox clock) and, until then, holds one of the license's
 * API user slots: a login beyond them is refused with 429 "API Login Limit".
 */
import type { Clock } from '../../core/clock.ts';
import { SESSION_IDLE_TIMEOUT_MS } from '../../systems/acumatica/limits.ts';
import type { SeededRandom } from '../common/seeded-random.ts';

export interface SessionRecord {
  id: string;
  auth: string;
  username: string;
  branch: string;
  lastUsed: number;
}

/** §6b: cookie names as commonly seen (UNCERTAIN); `.ASPXAUTH` is what identifies the session here. */
export const AUTH_COOKIE = '.ASPXAUTH';
export const SESSION_COOKIE = 'ASP.NET_SessionId';

const HEX = '0123456789ABCDEF';

export class SessionRegistry {
  private sessions = new Map<string, SessionRecord>();
  private random: SeededRandom;
  private logins = 0;

  constructor(
    private readonly clock: Clock,
    private readonly seedRandom: SeededRandom,
    private readonly maxSessions: () => number,
  ) {
    this.random = seedRandom.fork('sessions');
  }

  reset(): void {
    this.sessions.clear();
    this.random = this.seedRandom.fork('sessions');
    this.logins = 0;
  }

  private token(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += HEX[this.random.int(0, 15)];
    return text;
  }

  private sweep(now: number): void {
    for (const [auth, session] of this.sessions) if (now - session.lastUsed >= SESSION_IDLE_TIMEOUT_MS) this.sessions.delete(auth);
  }

  /** A new session, or 'limit' when every API user slot is taken. */
  open(username: string, branch: string): SessionRecord | 'limit' {
    const now = this.clock.now();
    this.sweep(now);
    if (this.sessions.size >= this.maxSessions()) return 'limit';
    const session: SessionRecord = { id: this.token(24).toLowerCase(), auth: this.token(96), username, branch, lastUsed: now };
    this.sessions.set(session.auth, session);
    this.logins++;
    return session;
  }

  /** The live session the cookie names (its idle time starts again), or undefined. */
  find(auth: string | undefined): SessionRecord | undefined {
    if (auth === undefined) return undefined;
    const now = this.clock.now();
    const session = this.sessions.get(auth);
    if (!session) return undefined;
    if (now - session.lastUsed >= SESSION_IDLE_TIMEOUT_MS) {
      this.sessions.delete(auth);
      return undefined;
    }
    session.lastUsed = now;
    return session;
  }

  close(auth: string | undefined): boolean {
    return auth !== undefined && this.sessions.delete(auth);
  }

  /** Ends every session now (what an instance restart does). */
  closeAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  state(): { open: number; logins: number } {
    this.sweep(this.clock.now());
    return { open: this.sessions.size, logins: this.logins };
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
