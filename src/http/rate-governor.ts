/**
 * One rate governor per (system, account), shared by syncs, tool calls and
 * connection tests (SPEC §3). It holds every request until all the windows
 * that count it have room, lets interactive calls go before background work,
 * caps concurrency, and takes corrections from the server's rate-limit
 * headers and 429s.
 */
import type { Clock } from '../core/clock.ts';
import { InMemoryRateLedger } from './rate-ledger.ts';
import type { RateLedger, RateObservation, RateWindow, Reservation, WindowState } from './rate-ledger.ts';

export type Lane = 'interactive' | 'background';

export interface GovernorOptions {
  windows: readonly RateWindow[];
  maxConcurrency: number;
  clock: Clock;
  ledger?: RateLedger;
}

export interface AcquireOptions {
  /** Which windows count this request (see `RateWindow.appliesTo`). */
  requestClass: string;
  lane?: Lane;
  signal?: AbortSignal;
}

export interface Permit {
  /** Call exactly once, when the response (or failure) came back. */
  release(): void;
}

export interface GovernorStats {
  granted: number;
  /** Total time requests spent queued, in this clock's milliseconds. */
  waitedMs: number;
  queued: number;
  inFlight: number;
}

interface Waiter {
  windows: readonly RateWindow[];
  enqueuedAt: number;
  resolve: (permit: Permit) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RateGovernor {
  readonly windows: readonly RateWindow[];
  private readonly ledger: RateLedger;
  private readonly clock: Clock;
  private readonly maxConcurrency: number;
  private readonly lanes: Record<Lane, Waiter[]> = { interactive: [], background: [] };
  private inFlight = 0;
  private pumping = false;
  private pumpAgain = false;
  private wakeAt: number | undefined;
  private readonly stats = { granted: 0, waitedMs: 0 };

  constructor(options: GovernorOptions) {
    if (options.maxConcurrency < 1) throw new RangeError('maxConcurrency must be at least 1');
    this.windows = options.windows;
    this.clock = options.clock;
    this.maxConcurrency = options.maxConcurrency;
    this.ledger = options.ledger ?? new InMemoryRateLedger();
  }

  windowsFor(requestClass: string): RateWindow[] {
    return this.windows.filter((w) => w.appliesTo.includes('*') || w.appliesTo.includes(requestClass));
  }

  acquire(options: AcquireOptions): Promise<Permit> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        windows: this.windowsFor(options.requestClass),
        enqueuedAt: this.clock.now(),
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      const lane = this.lanes[options.lane ?? 'background'];
      if (signal) {
        waiter.onAbort = () => {
          const index = lane.indexOf(waiter);
          if (index >= 0) lane.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      lane.push(waiter);
      void this.pump();
    });
  }

  /** Server-reported remaining counts, from the rate-limit headers of a response to a request sent at `sentAt`. */
  async observe(observations: readonly RateObservation[], sentAt?: number): Promise<void> {
    const now = this.clock.now();
    for (const observation of observations) {
      const window = this.windows.find((w) => w.name === observation.window);
      if (window) await this.ledger.observe(window, observation, now, sentAt ?? now);
    }
  }

  /** A 429 for the windows that count `requestClass`: hold them for `waitMs`. */
  async penalize(requestClass: string, waitMs: number, windowName?: string): Promise<void> {
    const now = this.clock.now();
    const windows = windowName
      ? this.windows.filter((w) => w.name === windowName)
      : this.windowsFor(requestClass).filter((w) => w.kind === 'rolling');
    for (const window of windows) await this.ledger.block(window, now + waitMs, now);
  }

  /** Each window's count as the ledger sees it now (for metrics and the admin view). */
  async snapshot(): Promise<Record<string, WindowState>> {
    return this.ledger.snapshot(this.windows, this.clock.now());
  }

  getStats(): GovernorStats {
    return {
      ...this.stats,
      queued: this.lanes.interactive.length + this.lanes.background.length,
      inFlight: this.inFlight,
    };
  }

  private release(reservation: Reservation): void {
    this.inFlight--;
    void this.ledger.release(reservation, this.clock.now()).then(() => this.pump());
  }

  private grant(waiter: Waiter, reservation: Reservation): void {
    this.inFlight++;
    this.stats.granted++;
    this.stats.waitedMs += Math.max(0, this.clock.now() - waiter.enqueuedAt);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    let released = false;
    waiter.resolve({
      release: () => {
        if (released) return;
        released = true;
        this.release(reservation);
      },
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.grantWhatFits();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Walks the waiters, interactive lane first. A waiter that can't go blocks
   * its windows for everyone behind it, so a background request never takes
   * the slot an interactive one is waiting for, and order is kept per window.
   */
  private async grantWhatFits(): Promise<void> {
    const blocked = new Set<string>();
    let earliest: number | undefined;
    for (const lane of [this.lanes.interactive, this.lanes.background]) {
      for (let i = 0; i < lane.length; ) {
        if (this.inFlight >= this.maxConcurrency) return;
        const waiter = lane[i]!;
        if (waiter.windows.some((w) => blocked.has(w.name))) {
          i++;
          continue;
        }
        const result = await this.ledger.tryAcquire(waiter.windows, this.clock.now());
        if (result.granted) {
          lane.splice(i, 1);
          this.grant(waiter, result.reservation);
          continue;
        }
        for (const name of result.blockedWindows) blocked.add(name);
        if (result.retryAtMs !== undefined) earliest = Math.min(earliest ?? Infinity, result.retryAtMs);
        i++;
      }
    }
    if (earliest !== undefined) this.wakeAtTime(earliest);
  }

  private wakeAtTime(at: number): void {
    if (this.wakeAt !== undefined && this.wakeAt <= at) return;
    this.wakeAt = at;
    void this.clock.sleep(Math.max(0, at - this.clock.now())).then(() => {
      if (this.wakeAt === at) this.wakeAt = undefined;
      return this.pump();
    });
  }
}

/** One governor per (system, account), created on first use. */
export class GovernorRegistry {
  private readonly governors = new Map<string, RateGovernor>();

  get(system: string, account: string, create: () => RateGovernor): RateGovernor {
    const key = `${system}\u0000${account}`;
    let governor = this.governors.get(key);
    if (!governor) {
      governor = create();
      this.governors.set(key, governor);
    }
    return governor;
  }
}
