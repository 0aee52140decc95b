/**
 * What the parts of the HubSpot sandbox share: the Hono environment its
 * handlers see, the change events its data plane emits (webhooks listen to
 * them) and the portal-wide settings the admin surface changes.
 */
import type { Clock } from '../../core/clock.ts';
import type { HubSpotObjectType, HubSpotTier } from '../../systems/hubspot/object-types.ts';

export interface TokenInfo {
  token: string;
  /** Granted scopes; `undefined` means every scope. */
  scopes: string[] | undefined;
  /** The private app the token belongs to: the 10-second window is per app. */
  appId: number;
}

export interface HubSpotEnv {
  Variables: {
    correlationId: string;
    token: TokenInfo;
  };
}

export type ChangeKind = 'creation' | 'propertyChange' | 'deletion' | 'associationChange' | 'restore';

export interface ChangeEvent {
  objectType: HubSpotObjectType;
  objectId: string;
  kind: ChangeKind;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  /** associationChange: the record on the other side, seen from this one. */
  toObjectType?: HubSpotObjectType;
  toObjectId?: string;
  /** associationChange: the type id from this record to the other one, and its category. */
  associationTypeId?: number;
  associationCategory?: string;
  /** associationChange: true when the association was removed, false when it was added. */
  associationRemoved?: boolean;
  /** "API" for changes made through the API, "CRM_UI" for admin-surface edits. */
  changeSource: 'API' | 'CRM_UI' | 'INTEGRATION';
}

/** Portal-wide settings the admin surface can change at run time. */
export interface PortalSettings {
  portalId: number;
  tier: HubSpotTier;
  /** Whether the portal takes invoice writes (create/update); reads always work. */
  invoiceWrites: boolean;
  /** Whether commerce payments can be recorded (the portal has payment processing set up, §11). */
  commercePayments: boolean;
  /** Optional delay before a created/changed record shows up in search (§6 eventual consistency). */
  searchIndexDelayMs: number;
}

export interface SandboxTime {
  clock: Clock;
}
