/**
 * Zoho Books' limits per organization as the sandbox enforces them
 * (reference/zohobooks.md §7): requests per rolling minute (code 44), the
 * plan's daily limit counted per day in the organization's time zone (code
 * 45), and requests in process at once (code 1070). Time comes only from the
 * injected clock.
 */
import type { Clock } from '../../core/clock.ts';
import { ZOHO_CODES, ZOHO_MESSAGES } from '../../systems/zohobooks/error-codes.ts';
import { MINUTE_MS } from '../../systems/zohobooks/limits.ts';
import { formatZohoDate } from '../../systems/zohobooks/timestamps.ts';
import { concurrencyLimitOf, dailyLimitOf, type OrganizationSettings } from './context.ts';

export type Refusal = { code: number; message: string };

export interface Admission {
  /** Call once when the response is done: frees the in-process slot. */
  release(): void;
}

export interface LimitState {
  minute: { limit: number; used: number };
  daily: { limit: number; used: number; day: string };
  concurrency: { limit: number; inProcess: number };
  refused: { minute: number; daily: number; concurrency: number };
}

export class ZohoRateLimiter {
  /** Times of admitted requests in the last minute, oldest first. */
  private stamps: number[] = [];
  private head = 0;
  private daily = { day: '', used: 0 };
  private inProcess = 0;
  private refusals = { minute: 0, daily: 0, concurrency: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly settings: () => OrganizationSettings,
  ) {}

  private minuteUsed(now: number): number {
    while (this.head < this.stamps.length && this.stamps[this.head]! <= now - MINUTE_MS) this.head++;
    if (this.head > 4_096) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    return this.stamps.length - this.head;
  }

  private dailyUsed(now: number): { day: string; used: number } {
    const day = formatZohoDate(now, this.settings().utcOffsetMinutes);
    if (this.daily.day !== day) this.daily = { day, used: 0 };
    return this.daily;
  }

  /**
   * Admits a request or says which limit refuses it. A refused request
   * consumes nothing (our choice; Zoho does not say).
   */
  admit(): Admission | Refusal {
    const now = this.clock.now();
    const settings = this.settings();
    const dailyLimit = dailyLimitOf(settings);
    if (this.dailyUsed(now).used >= dailyLimit) {
      this.refusals.daily++;
      return { code: ZOHO_CODES.dailyLimit, message: ZOHO_MESSAGES.dailyLimit(dailyLimit) };
    }
    if (this.minuteUsed(now) >= settings.perMinuteLimit) {
      this.refusals.minute++;
      return { code: ZOHO_CODES.perMinuteLimit, message: ZOHO_MESSAGES.perMinuteLimit };
    }
    if (this.inProcess >= concurrencyLimitOf(settings)) {
      this.refusals.concurrency++;
      return { code: ZOHO_CODES.concurrencyLimit, message: ZOHO_MESSAGES.concurrencyLimit };
    }
    this.stamps.push(now);
    this.daily.used++;
    this.inProcess++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inProcess--;
      },
    };
  }

  state(): LimitState {
    const now = this.clock.now();
    const settings = this.settings();
    const daily = this.dailyUsed(now);
    return {
      minute: { limit: settings.perMinuteLimit, used: this.minuteUsed(now) },
      daily: { limit: dailyLimitOf(settings), used: daily.used, day: daily.day },
      concurrency: { limit: concurrencyLimitOf(settings), inProcess: this.inProcess },
      refused: { ...this.refusals },
    };
  }

  /** Clears the windows and counts (the admin reset); requests in process stay counted until they finish. */
  reset(): void {
    this.stamps = [];
    this.head = 0;
    this.daily = { day: '', used: 0 };
    this.refusals = { minute: 0, daily: 0, concurrency: 0 };
  }
}

export function isRefusal(value: Admission | Refusal): value is Refusal {
  return 'code' in value;
}
