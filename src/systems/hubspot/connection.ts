/**
 * A HubSpot connection: the config `connections add hubspot --config` takes
 * (exactly what `ml-connector sandbox` prints under `systems.hubspot`), and
 * the connection test that pings the portal and says what it checked.
 */
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { isConnectorError } from '../../core/errors.ts';
import { HubSpotClient, type HubSpotClientOptions } from './client.ts';
import { HUBSPOT_TIERS, type HubSpotObjectType } from './object-types.ts';

export const HubSpotConfig = z
  .object({
    baseUrl: z.url().default('https://api.hubapi.com').describe('API root; https://api.hubapi.com for a real portal.'),
    accessToken: z.string().min(1).describe('Private-app token or service key (Bearer).'),
    tier: z
      .enum(Object.keys(HUBSPOT_TIERS) as [keyof typeof HUBSPOT_TIERS])
      .optional()
      .describe('The portal’s tier, for its rate limits; learnt from the response headers when left out.'),
    clientSecret: z
      .string()
      .min(1)
      .optional()
      .describe('The HubSpot app’s client secret: verifies the signatures of webhooks sent to /webhooks/hubspot/<connection>. Only needed for webhooks.'),
  })
  .strict();
export type HubSpotConfig = z.infer<typeof HubSpotConfig>;

export const HUBSPOT_SECRET_FIELDS = ['accessToken', 'clientSecret'] as const;

export interface ConnectionCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConnectionTestReport {
  ok: boolean;
  checks: ConnectionCheck[];
}

/** The objects ml-connector reads and writes; each is read once to prove the token's scopes. */
const CHECKED_OBJECTS: HubSpotObjectType[] = ['companies', 'contacts', 'line_items', 'invoices', 'commerce_payments', 'deals'];

export function hubspotClientFor(config: HubSpotConfig, options: Pick<HubSpotClientOptions, 'clock' | 'lane' | 'onAttempt'> = {}) {
  const { clientSecret: _webhooksOnly, ...connection } = config;
  return new HubSpotClient({ ...connection, ...options });
}

export async function testHubSpotConnection(config: HubSpotConfig, options: { clock?: Clock } = {}): Promise<ConnectionTestReport> {
  const client = hubspotClientFor(config, { ...options, lane: 'interactive' });
  const checks: ConnectionCheck[] = [];
  for (const type of CHECKED_OBJECTS) {
    try {
      const response = await client.http.request({ method: 'GET', path: client.objectsPath(type), query: { limit: 1 }, lane: 'interactive', maxAttempts: 2 });
      checks.push({ name: `read ${type}`, ok: true, detail: `HubSpot answered ${response.status}` });
    } catch (error) {
      const detail = isConnectorError(error) ? error.message : String(error);
      checks.push({ name: `read ${type}`, ok: false, detail });
      // A bad token or an unreachable host fails every check the same way: one is enough to say so.
      if (isConnectorError(error) && (error.code === 'hubspot.invalid_authentication' || error.code === 'http.unreachable')) break;
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}
