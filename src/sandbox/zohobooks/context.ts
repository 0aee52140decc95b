/**
 * What the parts of the Zoho Books sandbox share: the organization's
 * settings (changeable through the admin surface) and the Hono environment
 * its API handlers see.
 */
import type { ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import { ZOHO_PLAN_LIMITS, type ZohoPlan } from '../../systems/zohobooks/limits.ts';

export interface OrganizationSettings {
  organizationId: string;
  name: string;
  /** Where the organization lives: the token response's `api_domain` points at this data centre's API host. */
  dataCentre: ZohoDataCentre;
  plan: ZohoPlan;
  /** Overrides the plan's daily limit (e.g. very high for benchmarks); null: the plan's. */
  dailyLimit: number | null;
  /** Requests per rolling minute (Zoho: 100). */
  perMinuteLimit: number;
  /** Overrides the plan's concurrency gate; null: the plan's. */
  concurrencyLimit: number | null;
  /** The name Zoho shows (e.g. `PST`) and the fixed offset timestamps are written in. */
  timeZone: string;
  utcOffsetMinutes: number;
  currencyCode: string;
  accessTokenLifetimeSeconds: number;
  /**
   * Time each API request spends in process after it is admitted (sandbox
   * clock), so that concurrent requests overlap and the concurrency gate can
   * be seen to work. 0 by default.
   */
  processingDelayMs: number;
}

export function dailyLimitOf(settings: OrganizationSettings): number {
  return settings.dailyLimit ?? ZOHO_PLAN_LIMITS[settings.plan].dailyLimit;
}

export function concurrencyLimitOf(settings: OrganizationSettings): number {
  return settings.concurrencyLimit ?? ZOHO_PLAN_LIMITS[settings.plan].concurrency;
}

/** The access token a request came with, once checked. */
export interface GrantedToken {
  token: string;
  scopes: readonly string[];
}

export interface ZohoEnv {
  Variables: {
    grant: GrantedToken;
    dataCentre: ZohoDataCentre;
  };
}
