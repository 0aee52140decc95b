/**
 * What the HTTP clients of this process count: HubSpot requests by account
 * and status class, HubSpot 429s, and how long requests waited in the rate
 * governor. Process-wide prom-client metrics, in a registry that is never
 * served as is: `/metrics` (src/observability/metrics.ts) shows each
 * workspace only the series of its own accounts.
 *
 * `account` here is the HubSpot client's portal key (a hash of the portal's
 * URL and token, src/systems/hubspot/client.ts): it names the account without
 * holding a secret, and every way of making a client (syncs, tools,
 * connection tests) has it.
 */
import { Counter, Histogram, Registry } from 'prom-client';

const registry = new Registry();

export const hubspotRequests = new Counter({
  name: 'mlc_hubspot_requests_total',
  help: 'HubSpot API requests sent by this process (every attempt), by account and status class (2xx, 4xx, 5xx, network).',
  labelNames: ['account', 'status_class'] as const,
  registers: [registry],
});

export const hubspotRateLimited = new Counter({
  name: 'mlc_hubspot_rate_limited_total',
  help: 'HubSpot API requests answered 429 (rate limited), by account.',
  labelNames: ['account'] as const,
  registers: [registry],
});

export const GOVERNOR_WAIT = {
  name: 'mlc_governor_wait_seconds',
  help: 'How long requests waited in the rate governor before being sent, by system and account.',
  labelNames: ['system', 'account'],
};

export const governorWait = new Histogram({
  ...GOVERNOR_WAIT,
  buckets: [0, 0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export function statusClass(status: number | undefined): string {
  return status === undefined ? 'network' : `${Math.floor(status / 100)}xx`;
}

/** One attempt of a HubSpot request, as the HTTP client's attempt hook saw it. */
export function recordHubSpotAttempt(account: string, status: number | undefined): void {
  hubspotRequests.inc({ account, status_class: statusClass(status) });
  if (status === 429) hubspotRateLimited.inc({ account });
}

/** Time between asking the governor for a permit and getting it, in the client's clock's milliseconds. */
export function recordGovernorWait(system: string, account: string, waitedMs: number): void {
  governorWait.observe({ system, account }, Math.max(0, waitedMs) / 1000);
}
