/**
 * What the parts of the FreshBooks sandbox share: its settings (changeable
 * through the admin surface) and the Hono environment its API handlers see.
 */
import type { BusinessData } from './data.ts';
import type { ErrorStyle } from './errors.ts';
import type { AccessTokenRecord } from './tokens.ts';

export interface FreshBooksSettings {
  accessTokenLifetimeSeconds: number;
  /** Redirect URIs registered for the app; empty: any http(s) URI without a query string. */
  redirectUris: string[];
  /** How accounting errors are written: google.rpc style, the older `response.errors`, or that with HTTP 200 (§7). */
  errorStyle: ErrorStyle;
  /** Time each API request spends in process (sandbox clock), so concurrent requests overlap. */
  processingDelayMs: number;
  /** Attempts per webhook delivery, the first included. */
  webhookMaxAttempts: number;
  /** Wait between a delivery's attempts (sandbox clock). */
  webhookRetryDelayMs: number;
  /** A reply slower than this (real time) counts as failed. */
  webhookTimeoutMs: number;
  /** Deliveries in a row that exhaust their attempts before a callback is disabled (made unverified). */
  webhookDisableAfterFailures: number;
  /** Hold events instead of delivering them, until released (to deliver them out of order). */
  webhookHold: boolean;
}

export const DEFAULT_SETTINGS: Omit<FreshBooksSettings, 'accessTokenLifetimeSeconds'> = {
  redirectUris: [],
  errorStyle: 'rpc',
  processingDelayMs: 0,
  webhookMaxAttempts: 5,
  webhookRetryDelayMs: 1_000,
  webhookTimeoutMs: 5_000,
  webhookDisableAfterFailures: 3,
  webhookHold: false,
};

export interface FreshBooksEnv {
  Variables: {
    grant: AccessTokenRecord;
    /** The business an account- or business-scoped path named. */
    business: BusinessData;
  };
}
