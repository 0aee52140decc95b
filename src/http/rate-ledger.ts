/**
 * The bookkeeping behind the rate governor: which requests were sent in which
 * window. Kept behind an interface because in distributed mode the ledger
 * lives in Redis so that N workers together stay under one limit; the
 * in-memory ledger here serves one process.
 */

export interface RateWindow {
  /** Stable name, e.g. `ten_secondly`, `search`, `daily`. */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  intervalMs: number;
  /**
   * `rolling`: any `intervalMs` span holds at most `limit` requests.
   * `fixed`: counters reset at boundaries aligned to `alignOffsetMs` (e.g. midnight UTC for a daily limit).
   */
  kind: 'rolling' | 'fixed';
  alignOffsetMs?: number;
  /** The request classes this window counts (`*` = all). */
  appliesTo: readonly string[];
}

/** What a response's rate-limit headers said about one window. */
export interface RateObservation {
  window: string;
  remaining: number;
  limit?: number;
  resetInMs?: number;
}

export interface Reservation {
  readonly windows: readonly string[];
}

export type AcquireResult =
  | { granted: true; reservation: Reservation }
  /** `retryAtMs` undefined: only in-flight requests hold the window; wait for a release. */
  | { granted: false; retryAtMs: number | undefined; blockedWindows: string[] };

export interface WindowState {
  limit: number;
  used: number;
  inFlight: number;
  blockedUntil: number;
}

export interface RateLedger {
  tryAcquire(windows: readonly RateWindow[], now: number): Promise<AcquireResult>;
  /**
   * Records the request as sent at `now`, the moment its response came back.
   * Counting at completion rather than at dispatch is deliberately
   * conservative: the server counted it on arrival, which is earlier, so our
   * estimate of when a slot frees is never earlier than the server's.
   */
  release(reservation: Reservation, now: number): Promise<void>;
  /**
   * Corrects our count from what the server reported about its window when
   * the request (sent at `sentAt`) reached it. Never lowers it.
   */
  observe(window: RateWindow, observation: RateObservation, now: number, sentAt?: number): Promise<void>;
  /** After a 429 on this window: nothing more goes before `untilMs`. */
  block(window: RateWindow, untilMs: number, now: number): Promise<void>;
  snapshot(windows: readonly RateWindow[], now: number): Promise<Record<string, WindowState>>;
}

interface RollingState {
  kind: 'rolling';
  /** Completion times, ascending; entries before `head` have expired. */
  times: number[];
  head: number;
  inFlight: number;
  blockedUntil: number;
  limitOverride: number | undefined;
}

interface FixedState {
  kind: 'fixed';
  windowStart: number;
  used: number;
  inFlight: number;
  blockedUntil: number;
  limitOverride: number | undefined;
}

type State = RollingState | FixedState;

function fixedWindowStart(window: RateWindow, now: number): number {
  const offset = window.alignOffsetMs ?? 0;
  return Math.floor((now - offset) / window.intervalMs) * window.intervalMs + offset;
}

export class InMemoryRateLedger implements RateLedger {
  private readonly states = new Map<string, State>();

  private state(window: RateWindow, now: number): State {
    let state = this.states.get(window.name);
    if (!state) {
      state =
        window.kind === 'rolling'
          ? { kind: 'rolling', times: [], head: 0, inFlight: 0, blockedUntil: 0, limitOverride: undefined }
          : { kind: 'fixed', windowStart: fixedWindowStart(window, now), used: 0, inFlight: 0, blockedUntil: 0, limitOverride: undefined };
      this.states.set(window.name, state);
    }
    if (state.kind === 'rolling') {
      const horizon = now - window.intervalMs;
      while (state.head < state.times.length && state.times[state.head]! <= horizon) state.head++;
      if (state.head > 1_024 && state.head * 2 > state.times.length) {
        state.times = state.times.slice(state.head);
        state.head = 0;
      }
    } else {
      const start = fixedWindowStart(window, now);
      if (start > state.windowStart) {
        state.windowStart = start;
        state.used = 0;
      }
    }
    return state;
  }

  private static used(state: State): number {
    return state.kind === 'rolling' ? state.times.length - state.head : state.used;
  }

  async tryAcquire(windows: readonly RateWindow[], now: number): Promise<AcquireResult> {
    const blockedWindows: string[] = [];
    let retryAtMs: number | undefined;
    let waitForRelease = false;
    for (const window of windows) {
      const state = this.state(window, now);
      const limit = state.limitOverride ?? window.limit;
      if (state.blockedUntil > now) {
        blockedWindows.push(window.name);
        retryAtMs = Math.max(retryAtMs ?? 0, state.blockedUntil);
        continue;
      }
      const used = InMemoryRateLedger.used(state);
      if (used + state.inFlight + 1 <= limit) continue;
      blockedWindows.push(window.name);
      if (state.kind === 'fixed') {
        retryAtMs = Math.max(retryAtMs ?? 0, state.windowStart + window.intervalMs);
        continue;
      }
      // Completed requests leave a rolling window oldest first; when they
      // alone can't free enough room, only a release of an in-flight one can.
      const needed = used + state.inFlight + 1 - limit;
      if (needed <= used) {
        retryAtMs = Math.max(retryAtMs ?? 0, state.times[state.head + needed - 1]! + window.intervalMs + 1);
      } else {
        waitForRelease = true;
      }
    }
    if (blockedWindows.length > 0) {
      // A timer only helps when no window is waiting on releases alone.
      return { granted: false, retryAtMs: waitForRelease ? undefined : retryAtMs, blockedWindows };
    }
    for (const window of windows) this.state(window, now).inFlight++;
    return { granted: true, reservation: { windows: windows.map((w) => w.name) } };
  }

  async release(reservation: Reservation, now: number): Promise<void> {
    for (const name of reservation.windows) {
      const state = this.states.get(name);
      if (!state) continue;
      state.inFlight = Math.max(0, state.inFlight - 1);
      if (state.kind === 'rolling') {
        // Keep the array sorted even if a clock stepped back.
        const last = state.times[state.times.length - 1];
        state.times.push(last !== undefined && last > now ? last : now);
      } else {
        state.used++;
      }
    }
  }

  async observe(window: RateWindow, observation: RateObservation, now: number, sentAt = now): Promise<void> {
    const state = this.state(window, now);
    if (observation.limit !== undefined && observation.limit > 0) state.limitOverride = observation.limit;
    const limit = state.limitOverride ?? window.limit;
    const serverUsed = Math.max(0, limit - observation.remaining);
    if (state.kind === 'rolling') {
      // The server's count is of its window when our request arrived, which was at `sentAt` or a little after.
      // Requests it counted that we didn't send (another process of the same app) are put at `sentAt`, and a
      // report that came back more than a window after its request was sent says nothing about the window now.
      if (now - sentAt >= window.intervalMs) return;
      const horizon = sentAt - window.intervalMs;
      let ours = state.inFlight;
      for (let i = state.head; i < state.times.length; i++) if (state.times[i]! > horizon) ours++;
      const missing = serverUsed - ours;
      if (missing <= 0) return;
      for (let i = 0; i < missing; i++) state.times.push(sentAt);
      state.times.sort((a, b) => a - b);
      return;
    }
    const ours = InMemoryRateLedger.used(state) + state.inFlight;
    if (serverUsed <= ours) return;
    state.used += serverUsed - ours;
    if (observation.resetInMs !== undefined) state.windowStart = now + observation.resetInMs - window.intervalMs;
  }

  async block(window: RateWindow, untilMs: number, now: number): Promise<void> {
    const state = this.state(window, now);
    state.blockedUntil = Math.max(state.blockedUntil, untilMs);
  }

  async snapshot(windows: readonly RateWindow[], now: number): Promise<Record<string, WindowState>> {
    const result: Record<string, WindowState> = {};
    for (const window of windows) {
      const state = this.state(window, now);
      result[window.name] = {
        limit: state.limitOverride ?? window.limit,
        used: InMemoryRateLedger.used(state),
        inFlight: state.inFlight,
        blockedUntil: state.blockedUntil,
      };
    }
    return result;
  }
}
