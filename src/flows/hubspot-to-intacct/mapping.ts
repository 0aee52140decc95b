/**
 * HubSpot records → Sage Intacct records (SPEC §2, Intacct ↔ HubSpot): a
 * company becomes a vendor and a CLASS dimension entry of the same id; a
 * contact of a company becomes a CONTACT. Pure functions.
 *
 * Ids: a pair keeps whatever key it already has (a vendor that came from
 * Intacct keeps its VENDORID); a new one is derived from the HubSpot id
 * (`HS<companyId>`, `HS-C<contactId>`), so a retry after a lost answer
 * finds the record its first attempt made.
 */
import { compactProperties } from '../mapping-rules.ts';
import { HUBSPOT_CONTACT_PREFIX, contactElements, contactKey, vendorElements, vendorKey } from '../intacct-hubspot/shared-fields.ts';
import type { Fields } from '../../engine/two-way.ts';

/** reference/intacct.md §5.5: VENDORID and CLASSID are short codes; 20 characters is the common limit (UNCERTAIN). */
const MAX_ID_LENGTH = 20;

export const newVendorId = (companyId: string) => `HS${companyId}`.slice(0, MAX_ID_LENGTH);
export const newContactName = (contactId: string) => `${HUBSPOT_CONTACT_PREFIX}${contactId}`;

/** The Intacct id a HubSpot record's `ml_source_id` names, when it names one of this Intacct company's records. */
export function intacctIdOf(sourceId: string | null | undefined, intacctCompany: string, object: 'vendor' | 'contact'): string | undefined {
  const prefix = object === 'vendor' ? vendorKey(intacctCompany, '') : contactKey(intacctCompany, '');
  return sourceId?.startsWith(prefix) ? sourceId.slice(prefix.length) || undefined : undefined;
}

/** The shared company fields as HubSpot holds them (empty values left out: a blank never clears Intacct). */
export function companyFields(properties: Record<string, string | null | undefined>, names: readonly string[]): Fields {
  return compactProperties(Object.fromEntries(names.map((name) => [name, properties[name]])));
}

/** A new vendor: its id, the fields to write, and a name Intacct requires even when HubSpot has none. */
export function vendorCreate(vendorId: string, fields: Fields, fallbackName: string): Record<string, unknown> {
  const name = fields.name || fallbackName;
  const elements = vendorElements({ ...fields, name });
  const contact = (elements.DISPLAYCONTACT ?? {}) as Record<string, unknown>;
  return {
    VENDORID: vendorId,
    ...elements,
    STATUS: 'active',
    // reference/intacct.md §5.4: PRINTAS is required on the display contact.
    DISPLAYCONTACT: { ...contact, PRINTAS: name, COMPANYNAME: name },
  };
}

export function vendorUpdate(vendorId: string, write: Fields): Record<string, unknown> {
  const elements = vendorElements(write);
  if (write.name !== undefined) {
    const contact = (elements.DISPLAYCONTACT ?? {}) as Record<string, unknown>;
    elements.DISPLAYCONTACT = { ...contact, PRINTAS: write.name, COMPANYNAME: write.name };
  }
  return { VENDORID: vendorId, ...elements };
}

export const classCreate = (classId: string, name: string) => ({ CLASSID: classId, NAME: name, STATUS: 'active' });

export function contactCreate(contactName: string, fields: Fields, companyName: string | undefined): Record<string, unknown> {
  const printAs = [fields.firstname, fields.lastname].filter(Boolean).join(' ') || fields.email || contactName;
  return { CONTACTNAME: contactName, PRINTAS: printAs, ...(companyName ? { COMPANYNAME: companyName } : {}), ...contactElements(fields), STATUS: 'active' };
}

export const contactUpdate = (contactName: string, write: Fields) => ({ CONTACTNAME: contactName, ...contactElements(write) });
