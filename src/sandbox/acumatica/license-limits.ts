/**
 * The license's request limits as the sandbox enforces them
 * (reference/acumatica.md §7):
 * - every request waits in one queue for one of N processing cores (the
 *   concurrent-requests limit);
 * - once the last minute's count reaches half the per-minute limit, each new
 *   request is delayed by (time left in the sliding minute since its first
 *   request) / (limit − requests in that minute), and never goes past the limit;
 * - a request is declined (429) when the queue already holds 20, or after
 *   waiting 10 minutes; declined requests are not counted.
 * Time comes only from the injected clock.
 */
import type { Clock } from '../../core/clock.ts';
import { DELAY_THRESHOLD_SHARE, MAX_QUEUE_WAIT_MS, MINUTE_MS } from '../../systems/acumatica/limits.ts';

export interface LicenseSettings {
  requestsPerMinute: number;
  concurrentRequests: number;
  maxQueuedRequests: number;
}

export interface Admission {
  /** Call once when the response is done: frees the core. */
  release(): void;
}

export interface Decline {
  declined: true;
  why: string;
  retryAfterSeconds: number;
}

export interface LimitState {
  minute: { limit: number; used: number; peak: number };
  concurrency: { limit: number; running: number; peak: number };
  queue: { limit: number; waiting: number; peak: number };
  admitted: number;
  delayed: number;
  declined: number;
}

export function isDecline(value: Admission | Decline): value is Decline {
  return 'declined' in value;
}

export class LicenseLimiter {
  private stamps: number[] = [];
  private head = 0;
  private running = 0;
  private waiting = 0;
  private readonly cores: Array<() => void> = [];
  private stats = { admitted: 0, delayed: 0, declined: 0, peakMinute: 0, peakRunning: 0, peakWaiting: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly settings: () => LicenseSettings,
  ) {}

  private inLastMinute(now: number): number {
    while (this.head < this.stamps.length && this.stamps[this.head]! <= now - MINUTE_MS) this.head++;
    if (this.head > 4_096) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    return this.stamps.length - this.head;
  }

  /** §7's delay for a request arriving now; 0 below half the limit. */
  private delayAt(now: number): number {
    const limit = this.settings().requestsPerMinute;
    const used = this.inLastMinute(now);
    if (used < limit * DELAY_THRESHOLD_SHARE) return 0;
    const left = this.stamps[this.head]! + MINUTE_MS - now;
    if (used >= limit) return Math.max(1, left);
    return Math.max(0, Math.ceil(left / (limit - used)));
  }

  private decline(why: string, retryAfterSeconds: number): Decline {
    this.stats.declined++;
    return { declined: true, why, retryAfterSeconds };
  }

  async admit(): Promise<Admission | Decline> {
    const settings = this.settings();
    const arrived = this.clock.now();
    const mustWait = this.running >= settings.concurrentRequests || this.waiting > 0 || this.delayAt(arrived) > 0;
    if (mustWait && this.waiting >= settings.maxQueuedRequests) {
      const perMinuteFull = this.inLastMinute(arrived) >= settings.requestsPerMinute;
      return this.decline(
        `the request queue already holds ${this.waiting} requests`,
        perMinuteFull ? Math.ceil((this.stamps[this.head]! + MINUTE_MS - arrived) / 1000) : 1,
      );
    }
    this.waiting++;
    this.stats.peakWaiting = Math.max(this.stats.peakWaiting, this.waiting);
    let delayed = false;
    try {
      // The check and the count happen in one step, so that sleepers waking together never pass the limit.
      for (;;) {
        const now = this.clock.now();
        const delay = this.delayAt(now);
        if (delay <= 0) {
          this.stamps.push(now);
          break;
        }
        if (!delayed) this.stats.delayed++;
        delayed = true;
        await this.clock.sleep(delay);
      }
      if (this.running >= settings.concurrentRequests) await new Promise<void>((resolve) => this.cores.push(resolve));
      else this.running++;
    } finally {
      this.waiting--;
    }
    this.stats.peakMinute = Math.max(this.stats.peakMinute, this.inLastMinute(this.clock.now()));
    this.stats.peakRunning = Math.max(this.stats.peakRunning, this.running);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.cores.shift();
      // The core passes straight to the next in line; otherwise it is free.
      if (next) next();
      else this.running--;
    };
    if (this.clock.now() - arrived > MAX_QUEUE_WAIT_MS) {
      release();
      return this.decline('the request waited in the queue for more than 10 minutes', 1);
    }
    this.stats.admitted++;
    return { release };
  }

  state(): LimitState {
    const settings = this.settings();
    return {
      minute: { limit: settings.requestsPerMinute, used: this.inLastMinute(this.clock.now()), peak: this.stats.peakMinute },
      concurrency: { limit: settings.concurrentRequests, running: this.running, peak: this.stats.peakRunning },
      queue: { limit: settings.maxQueuedRequests, waiting: this.waiting, peak: this.stats.peakWaiting },
      admitted: this.stats.admitted,
      delayed: this.stats.delayed,
      declined: this.stats.declined,
    };
  }

  /** Clears the window and the counts (the admin reset); requests in process keep their cores. */
  reset(): void {
    this.stamps = [];
    this.head = 0;
    this.stats = { admitted: 0, delayed: 0, declined: 0, peakMinute: 0, peakRunning: this.running, peakWaiting: this.waiting };
  }
}
