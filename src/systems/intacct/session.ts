/**
 * The API session of one connection (reference §4): getAPISession with the
 * login credentials answers a session id and the endpoint every later call
 * must go to; each response's `<sessiontimeout>` says when the session ends
 * unless used again, so every call slides it forward.
 *
 * One `IntacctSessionCache` per connection per process, kept in a registry
 * (`intacctSessions`) so that every client built for the connection — two
 * syncs, a tool call — shares one session, and opening one happens once at a
 * time: callers arriving while a getAPISession is out wait for its answer.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';

export interface IntacctSession {
  sessionId: string;
  /** §4: the endpoint the session is tied to; every call with it goes there. */
  endpointUrl: string;
  /** Epoch ms of the last `<sessiontimeout>` seen, or undefined when none came. */
  expiresAt: number | undefined;
}

export interface SessionCacheOptions {
  clock: Clock;
  /** Open a new session this long before the last seen timeout. */
  refreshMarginMs?: number;
}

export class IntacctSessionCache {
  private current: IntacctSession | undefined;
  private opening: Promise<IntacctSession> | undefined;
  private opened = 0;
  private readonly clock: Clock;
  private readonly marginMs: number;

  constructor(options: SessionCacheOptions) {
    this.clock = options.clock;
    this.marginMs = options.refreshMarginMs ?? 60_000;
  }

  private usable(session: IntacctSession | undefined): session is IntacctSession {
    return session !== undefined && (session.expiresAt === undefined || this.clock.now() < session.expiresAt - this.marginMs);
  }

  /** The current session, or a new one from `open` (one getAPISession at a time: concurrent callers share it). */
  async session(open: () => Promise<IntacctSession>): Promise<IntacctSession> {
    if (this.usable(this.current)) return this.current;
    this.opening ??= open()
      .then((session) => {
        this.current = session;
        this.opened++;
        return session;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  /**
   * After the gateway refused `staleId` (the session expired or was ended):
   * a new session, unless another caller already replaced that one.
   */
  async renew(staleId: string, open: () => Promise<IntacctSession>): Promise<IntacctSession> {
    if (this.current?.sessionId === staleId) this.current = undefined;
    return this.session(open);
  }

  /** §4: a response for `sessionId` said it now ends at `expiresAt`. */
  touch(sessionId: string, expiresAt: number | undefined): void {
    if (expiresAt === undefined || this.current?.sessionId !== sessionId) return;
    this.current = { ...this.current, expiresAt };
  }

  /** The session id in use, if any (for the audit). */
  get sessionId(): string | undefined {
    return this.current?.sessionId;
  }

  /** How many sessions this cache has opened. */
  get openedCount(): number {
    return this.opened;
  }

  /** Forgets the session (the next call opens a new one). */
  clear(): void {
    this.current = undefined;
  }
}

/** Which connection a session belongs to. */
export interface SessionIdentity {
  endpointUrl: string;
  senderId: string;
  companyId: string;
  userId: string;
  entityId: string | undefined;
  /** Only digests are kept: a changed password must not reuse a session opened with the old one. */
  senderPassword: string;
  userPassword: string;
}

export function sessionKey(identity: SessionIdentity): string {
  return createHash('sha256')
    .update(
      [identity.endpointUrl, identity.senderId, identity.companyId, identity.userId, identity.entityId ?? '', identity.senderPassword, identity.userPassword].join(
        '\u0000',
      ),
    )
    .digest('hex')
    .slice(0, 32);
}

/** One session cache per connection in this process. */
export class IntacctSessionRegistry {
  private readonly caches = new Map<string, IntacctSessionCache>();

  get(identity: SessionIdentity, create: () => IntacctSessionCache): IntacctSessionCache {
    const key = sessionKey(identity);
    let cache = this.caches.get(key);
    if (!cache) {
      cache = create();
      this.caches.set(key, cache);
    }
    return cache;
  }

  forget(identity: SessionIdentity): void {
    this.caches.delete(sessionKey(identity));
  }
}

/** The process-wide registry every IntacctClient uses unless given another. */
export const intacctSessions = new IntacctSessionRegistry();
