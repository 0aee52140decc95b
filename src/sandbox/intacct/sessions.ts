/**
 * API sessions (reference §4): getAPISession opens one for a company, user
 * and entity, tied to the endpoint it names; every call made with it before
 * it times out slides its timeout forward by the session duration, and a
 * session not used until its timeout has expired. Times are the sandbox
 * clock's.
 */
import type { Clock } from '../../core/clock.ts';
import type { SeededRandom } from '../common/seeded-random.ts';

export interface Session {
  readonly id: string;
  readonly companyId: string;
  readonly userId: string;
  readonly locationId: string;
  /** The gateway path the session belongs to (the company's pod endpoint). */
  readonly endpointPath: string;
  readonly createdMs: number;
  expiresMs: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private created = 0;

  constructor(
    private readonly clock: Clock,
    private readonly random: SeededRandom,
    private readonly durationMs: () => number,
  ) {}

  /** An opaque id shaped like Intacct's (letters and digits ending in `..`). */
  private newId(): string {
    let id = '';
    for (let i = 0; i < 38; i++) id += ALPHABET[this.random.int(0, ALPHABET.length - 1)];
    return `${id}..`;
  }

  open(owner: { companyId: string; userId: string; locationId: string; endpointPath: string }): Session {
    const now = this.clock.now();
    const session: Session = { id: this.newId(), ...owner, createdMs: now, expiresMs: now + this.durationMs() };
    this.sessions.set(session.id, session);
    this.created += 1;
    return session;
  }

  /** The live session with this id; an expired one is forgotten and undefined is returned. */
  find(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (this.clock.now() >= session.expiresMs) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** §4: each call before the timeout moves it to now + the session duration. */
  slide(session: Session): void {
    session.expiresMs = this.clock.now() + this.durationMs();
  }

  /** Ends every session now; returns how many were open. */
  expireAll(): number {
    const open = this.state().open;
    this.sessions.clear();
    return open;
  }

  state(): { open: number; created: number } {
    const now = this.clock.now();
    let open = 0;
    for (const session of this.sessions.values()) if (now < session.expiresMs) open += 1;
    return { open, created: this.created };
  }

  reset(): void {
    this.sessions.clear();
    this.created = 0;
  }
}
