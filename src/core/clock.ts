/**
 * Time as a dependency. Product code reads time and waits only through a
 * Clock, so that the sandbox can "advance the clock" and so that a test can
 * run a 10-second rate-limit window a hundred times without waiting 1,000 s.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/**
 * The system clock shifted by an adjustable offset: what the sandbox's admin
 * "advance the clock" moves. Sleeping still takes real time.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * A clock whose time moves only when somebody waits on it: `sleep(ms)` moves
 * "now" forward to at least the sleeper's wake-up time and resolves at once.
 * Shared by a client and a sandbox in one process, it lets rate-limit windows
 * of many seconds run in milliseconds while both sides agree on the time.
 * Time never goes backwards and nobody wakes before their own deadline.
 */
export class VirtualClock implements Clock {
  private current: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    this.current = Math.max(this.current, this.current + Math.max(0, ms));
    // Yield so that other work scheduled "at the same time" gets to run.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw abortError(signal);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** A clock whose time an operator (the sandbox's admin surface) can move forward. */
export type AdvanceableClock = Clock & { advance(ms: number): void };
