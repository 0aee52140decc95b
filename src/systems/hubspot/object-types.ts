/**
 * The HubSpot CRM object types ml-connector works with, declared once and
 * shared by the client, the tools and the sandbox.
 * Facts from reference/hubspot.md §3 (object type IDs, path names, required
 * properties) and §2 (scopes).
 */

export interface ObjectTypeInfo {
  /** Plural path name, the canonical name in this project. */
  name: HubSpotObjectType;
  /** `0-x` type id. */
  typeId: string;
  /** Singular form, also accepted in paths and used in association type names. */
  singular: string;
  /** Properties a create must carry (§3 table). `anyOf` means at least one of them. */
  requiredToCreate: { allOf?: string[]; anyOf?: string[] };
  /** Properties returned when a read names none (§4 "Default properties"). */
  defaultProperties: string[];
  /** The OAuth/private-app scope prefix: `<prefix>.read` / `<prefix>.write`. Notes use the contacts scopes (§2). */
  scopePrefix: string;
}

export const HUBSPOT_OBJECT_TYPES = [
  'contacts',
  'companies',
  'deals',
  'products',
  'line_items',
  'invoices',
  'commerce_payments',
  'orders',
  'notes',
] as const;

export type HubSpotObjectType = (typeof HUBSPOT_OBJECT_TYPES)[number];

const common = ['createdate', 'hs_lastmodifieddate', 'hs_object_id'];

export const OBJECT_TYPES: Record<HubSpotObjectType, ObjectTypeInfo> = {
  contacts: {
    name: 'contacts',
    typeId: '0-1',
    singular: 'contact',
    requiredToCreate: {},
    defaultProperties: ['createdate', 'email', 'firstname', 'lastname', 'lastmodifieddate', 'hs_object_id'],
    scopePrefix: 'crm.objects.contacts',
  },
  companies: {
    name: 'companies',
    typeId: '0-2',
    singular: 'company',
    requiredToCreate: { anyOf: ['domain', 'name'] },
    defaultProperties: ['name', 'domain', ...common],
    scopePrefix: 'crm.objects.companies',
  },
  deals: {
    name: 'deals',
    typeId: '0-3',
    singular: 'deal',
    requiredToCreate: { allOf: ['dealname', 'dealstage'] },
    defaultProperties: ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage', ...common],
    scopePrefix: 'crm.objects.deals',
  },
  products: {
    name: 'products',
    typeId: '0-7',
    singular: 'product',
    requiredToCreate: { allOf: ['name'] },
    defaultProperties: ['name', 'description', 'price', ...common],
    scopePrefix: 'crm.objects.products',
  },
  line_items: {
    name: 'line_items',
    typeId: '0-8',
    singular: 'line_item',
    requiredToCreate: {},
    defaultProperties: ['quantity', 'amount', 'price', ...common],
    scopePrefix: 'crm.objects.line_items',
  },
  invoices: {
    name: 'invoices',
    typeId: '0-53',
    singular: 'invoice',
    requiredToCreate: { allOf: ['hs_currency'] },
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    scopePrefix: 'crm.objects.invoices',
  },
  commerce_payments: {
    name: 'commerce_payments',
    typeId: '0-101',
    singular: 'commerce_payment',
    requiredToCreate: { allOf: ['hs_initial_amount', 'hs_initiated_date'] },
    defaultProperties: common,
    scopePrefix: 'crm.objects.commercepayments',
  },
  orders: {
    name: 'orders',
    typeId: '0-123',
    singular: 'order',
    requiredToCreate: { allOf: ['hs_order_name'] },
    defaultProperties: common,
    scopePrefix: 'crm.objects.orders',
  },
  notes: {
    name: 'notes',
    typeId: '0-46',
    singular: 'note',
    requiredToCreate: { allOf: ['hs_timestamp'] },
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    scopePrefix: 'crm.objects.contacts',
  },
};

const aliases = new Map<string, HubSpotObjectType>();
for (const info of Object.values(OBJECT_TYPES)) {
  for (const alias of [info.name, info.singular, info.typeId, info.name.toUpperCase(), info.singular.toUpperCase()]) {
    aliases.set(alias.toLowerCase(), info.name);
  }
}

/**
 * Resolves any form HubSpot accepts in a path (plural, singular, upper-case,
 * `0-x`) to the canonical plural name; undefined when unknown. (§3)
 */
export function resolveObjectType(pathName: string): HubSpotObjectType | undefined {
  return aliases.get(pathName.toLowerCase());
}

export function scopeFor(type: HubSpotObjectType, access: 'read' | 'write'): string {
  return `${OBJECT_TYPES[type].scopePrefix}.${access}`;
}

/** HubSpot's tiers and their per-app 10-second burst limits (§17.1). */
export const HUBSPOT_TIERS = {
  free: { tenSecondLimit: 100, dailyLimit: 250_000 },
  starter: { tenSecondLimit: 100, dailyLimit: 250_000 },
  professional: { tenSecondLimit: 190, dailyLimit: 650_000 },
  enterprise: { tenSecondLimit: 190, dailyLimit: 1_000_000 },
} as const;

export type HubSpotTier = keyof typeof HUBSPOT_TIERS;

/** CRM search: 5 requests per second per account (§6). */
export const SEARCH_REQUESTS_PER_SECOND = 5;
/** CRM search never returns results past offset 10,000 (§6). */
export const SEARCH_RESULT_CAP = 10_000;
/** Object batch endpoints take at most 100 inputs (§4). */
export const BATCH_INPUT_LIMIT = 100;
/** Association batch create takes at most 2,000 inputs, batch read 1,000 (§7). */
export const ASSOCIATION_BATCH_CREATE_LIMIT = 2_000;
export const ASSOCIATION_BATCH_READ_LIMIT = 1_000;
/** Search `limit` is at most 200 (§6). */
export const SEARCH_PAGE_LIMIT = 200;
