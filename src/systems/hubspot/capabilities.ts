/**
 * Whether a portal takes invoice and payment writes. HubSpot offers no way
 * to ask (§9, §11: invoice writes depend on the portal, commerce payments on
 * payment processing being set up), so each is probed with a harmless
 * write: a non-billable draft invoice (`hs_invoice_billable=false` renders
 * nothing and emails nobody, §9) or a zero payment, deleted at once.
 */
import { isConnectorError } from '../../core/errors.ts';
import type { HubSpotClient } from './client.ts';
import type { HubSpotObjectType } from './object-types.ts';
import type { PropertyInputValues } from './schemas.ts';

export interface Capability {
  available: boolean;
  /** Why not, in HubSpot's words, when unavailable. */
  reason?: string;
}

export interface WriteCapabilities {
  invoices: Capability;
  payments: Capability;
}

async function probe(client: HubSpotClient, type: HubSpotObjectType, properties: PropertyInputValues): Promise<Capability> {
  try {
    const created = await client.createObject(type, { properties });
    await client.archiveObject(type, created.id);
    return { available: true };
  } catch (error) {
    // Refused for this portal (403) or by a rule the portal enforces (400): the capability is missing.
    if (isConnectorError(error) && (error.kind === 'auth' || error.kind === 'validation')) {
      return { available: false, reason: error.message };
    }
    throw error;
  }
}

export async function detectWriteCapabilities(client: HubSpotClient): Promise<WriteCapabilities> {
  const now = client.clock.now();
  const invoices = await probe(client, 'invoices', {
    hs_currency: 'USD',
    hs_invoice_billable: 'false',
    hs_comments: 'ml-connector capability check; deleted immediately',
  });
  const payments = await probe(client, 'commerce_payments', {
    hs_initial_amount: '0',
    hs_initiated_date: String(now),
    hs_internal_comment: 'ml-connector capability check; deleted immediately',
  });
  return { invoices, payments };
}
