/**
 * The gateway's concurrency limit per company (reference §8: one API
 * transaction job at a time plus one offline job in the standard level of
 * service; third parties quote two concurrent connections — UNCERTAIN). The
 * sandbox lets `limit` requests per company be in flight and declines the
 * next with HTTP 429 / GW-0010; it keeps the peaks for tests.
 */

export interface GatewayLimitState {
  inFlight: Record<string, number>;
  peak: number;
  admitted: number;
  declined: number;
}

export class GatewayLimiter {
  private readonly inFlight = new Map<string, number>();
  private peak = 0;
  private admitted = 0;
  private declined = 0;

  constructor(private readonly limit: () => number) {}

  /** Takes a slot for `company`; false (and counted as declined) when all its slots are taken. */
  tryAcquire(company: string): boolean {
    const current = this.inFlight.get(company) ?? 0;
    if (current >= this.limit()) {
      this.declined += 1;
      return false;
    }
    this.inFlight.set(company, current + 1);
    this.admitted += 1;
    this.peak = Math.max(this.peak, current + 1);
    return true;
  }

  release(company: string): void {
    const current = this.inFlight.get(company) ?? 0;
    if (current <= 1) this.inFlight.delete(company);
    else this.inFlight.set(company, current - 1);
  }

  state(): GatewayLimitState {
    return { inFlight: Object.fromEntries(this.inFlight), peak: this.peak, admitted: this.admitted, declined: this.declined };
  }

  /** Clears the statistics (requests in flight keep their slots). */
  reset(): void {
    this.peak = 0;
    this.admitted = 0;
    this.declined = 0;
  }
}
