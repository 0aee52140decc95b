/**
 * The fields Sage Intacct and HubSpot both carry, for the two directions of
 * the Intacct ↔ HubSpot flow: a vendor and its company, a contact and its
 * contact. Named by the HubSpot property; each has an Intacct path and an
 * owner, the system whose value wins when both changed between runs
 * (src/engine/two-way.ts).
 *
 * Defaults: HubSpot owns what sales keeps (names, phones, people); Intacct
 * owns the vendor's mailing address, which finance pays to.
 */
import { ConnectorError } from '../../core/errors.ts';
import { withOwners, type Fields, type SharedField } from '../../engine/two-way.ts';
import type { Contact, Vendor } from '../../systems/intacct/schemas.ts';

export const TWO_WAY_SYSTEMS = ['hubspot', 'intacct'] as const;
export type TwoWaySystem = (typeof TWO_WAY_SYSTEMS)[number];

interface FieldPath {
  field: SharedField<TwoWaySystem>;
  /** Where the value sits in the Intacct record. */
  path: readonly string[];
}

const field = (name: string, owner: TwoWaySystem, ...path: string[]): FieldPath => ({ field: { name, owner }, path });

export const VENDOR_FIELDS: readonly FieldPath[] = [
  field('name', 'hubspot', 'NAME'),
  field('phone', 'hubspot', 'DISPLAYCONTACT', 'PHONE1'),
  field('address', 'intacct', 'DISPLAYCONTACT', 'MAILADDRESS', 'ADDRESS1'),
  field('city', 'intacct', 'DISPLAYCONTACT', 'MAILADDRESS', 'CITY'),
  field('state', 'intacct', 'DISPLAYCONTACT', 'MAILADDRESS', 'STATE'),
  field('zip', 'intacct', 'DISPLAYCONTACT', 'MAILADDRESS', 'ZIP'),
  field('country', 'intacct', 'DISPLAYCONTACT', 'MAILADDRESS', 'COUNTRY'),
];

export const CONTACT_FIELDS: readonly FieldPath[] = [
  field('email', 'hubspot', 'EMAIL1'),
  field('firstname', 'hubspot', 'FIRSTNAME'),
  field('lastname', 'hubspot', 'LASTNAME'),
];

/** The operator's owner choices, as `company.<field>` / `contact.<field>` → `hubspot` | `intacct`. */
export type FieldOwners = Record<string, string>;

export interface OwnedFields {
  company: SharedField<TwoWaySystem>[];
  contact: SharedField<TwoWaySystem>[];
}

/** The defaults with the operator's choices applied; a bad choice is a config error naming it. */
export function ownedFields(owners: FieldOwners | undefined): OwnedFields {
  const split = (prefix: string) =>
    Object.fromEntries(
      Object.entries(owners ?? {})
        .filter(([name]) => name.startsWith(`${prefix}.`))
        .map(([name, owner]) => [name.slice(prefix.length + 1), owner]),
    );
  const unknown = Object.keys(owners ?? {}).filter((name) => !name.startsWith('company.') && !name.startsWith('contact.'));
  try {
    if (unknown.length > 0) throw new Error(`field owners must be named company.<field> or contact.<field>, not ${unknown.join(', ')}`);
    return {
      company: withOwners(VENDOR_FIELDS.map((f) => f.field), split('company'), TWO_WAY_SYSTEMS),
      contact: withOwners(CONTACT_FIELDS.map((f) => f.field), split('contact'), TWO_WAY_SYSTEMS),
    };
  } catch (error) {
    throw new ConnectorError({ kind: 'config', code: 'config.invalid_field_owners', message: (error as Error).message });
  }
}

function read(record: unknown, path: readonly string[]): string | undefined {
  let value: unknown = record;
  for (const part of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fieldsOf(record: unknown, paths: readonly FieldPath[]): Fields {
  const out: Fields = {};
  for (const { field: f, path } of paths) {
    const value = read(record, path);
    if (value !== undefined) out[f.name] = value;
  }
  return out;
}

/** The nested Intacct elements that set these fields. */
function elementsOf(fields: Fields, paths: readonly FieldPath[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { field: f, path } of paths) {
    if (!(f.name in fields)) continue;
    let node = out;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = fields[f.name];
  }
  return out;
}

export const vendorFields = (vendor: Vendor): Fields => fieldsOf(vendor, VENDOR_FIELDS);
export const contactFields = (contact: Contact): Fields => fieldsOf(contact, CONTACT_FIELDS);
export const vendorElements = (fields: Fields) => elementsOf(fields, VENDOR_FIELDS);
export const contactElements = (fields: Fields) => elementsOf(fields, CONTACT_FIELDS);

/** Contacts ml-connector makes in Intacct from HubSpot contacts are named with this prefix. */
export const HUBSPOT_CONTACT_PREFIX = 'HS-C';

/** Keys shared by both directions, so a pair has one shadow and one link whichever side made it. */
export const vendorKey = (companyId: string, vendorId: string) => `intacct:${companyId}:vendor:${vendorId}`;
export const contactKey = (companyId: string, contactName: string) => `intacct:${companyId}:contact:${contactName}`;
/** Shadows are per pair of connections, Intacct's first: both directions name the same scope. */
export const shadowScope = (intacctConnection: string, hubspotConnection: string) => `${intacctConnection}|${hubspotConnection}`;
