/**
 * The four entities the sandbox serves (reference/acumatica.md §3), as data:
 * key fields in form order, linked and detail entities, general fields (read
 * from the client's schemas, so both sides agree on the contract), and how
 * a record's keys become its sort key.
 */
import { Address, Contact, ContactInfo, Customer, Payment, PaymentApplication, SalesInvoice, SalesInvoiceLine, type EntityName } from '../../systems/acumatica/schemas.ts';
import { contactSortKey, documentSortKey, type GuidKind } from './seed.ts';

export interface EntitySpec {
  name: EntityName;
  /** §3: keys in form order, as they go into `/<Entity>/<k1>/<k2>`. */
  keyFields: readonly string[];
  /** Linked entities (1:1) and the linked entities nested in each. */
  linked: Readonly<Record<string, readonly string[]>>;
  /** Detail entities (1:N). */
  details: readonly string[];
  /** General fields of the top level, in answer order (LastModifiedDateTime and friends included). */
  fields: readonly string[];
  /** Fields of each linked or detail entity (and `Address`). */
  subFields: Readonly<Record<string, readonly string[]>>;
  guidKind: GuidKind;
  /** The sort key of the record that URL keys name, or undefined when they can't name one. */
  sortKeyFromKeys(keys: readonly string[]): string | undefined;
  sortKeyOf(body: Record<string, unknown>): string;
  /** The natural key as one string: `C0000001`, `1001`, `Invoice/AR0000001`. */
  naturalKey(body: Record<string, unknown>): string;
}

const SYSTEM = new Set(['id', 'rowNumber', 'note', 'custom', '_links']);

function generalFields(shape: Record<string, unknown>, exclude: readonly string[]): string[] {
  return Object.keys(shape).filter((key) => !SYSTEM.has(key) && !exclude.includes(key));
}

const addressFields = generalFields(Address.shape, []);
const contactInfoFields = generalFields(ContactInfo.shape, ['Address']);

const documentKeys = (keys: readonly string[]) => (keys.length === 2 && keys[0] !== '' && keys[1] !== '' ? documentSortKey(keys[0]!, keys[1]!) : undefined);

export const ENTITY_SPECS: Readonly<Record<EntityName, EntitySpec>> = {
  Customer: {
    name: 'Customer',
    keyFields: ['CustomerID'],
    linked: { MainContact: ['Address'], BillingContact: ['Address'] },
    details: [],
    fields: generalFields(Customer.shape, ['MainContact', 'BillingContact']),
    subFields: { MainContact: contactInfoFields, BillingContact: contactInfoFields, Address: addressFields },
    guidKind: 'customer',
    // Keys are kept upper-case, as Acumatica's segmented keys are.
    sortKeyFromKeys: (keys) => (keys.length === 1 && keys[0] !== '' ? keys[0]!.toUpperCase() : undefined),
    sortKeyOf: (body) => String(body.CustomerID).toUpperCase(),
    naturalKey: (body) => String(body.CustomerID),
  },
  Contact: {
    name: 'Contact',
    keyFields: ['ContactID'],
    linked: { Address: [] },
    details: [],
    fields: generalFields(Contact.shape, ['Address']),
    subFields: { Address: addressFields },
    guidKind: 'contact',
    sortKeyFromKeys: (keys) => (keys.length === 1 && /^\d{1,11}$/.test(keys[0]!) ? contactSortKey(Number(keys[0])) : undefined),
    sortKeyOf: (body) => contactSortKey(Number(body.ContactID)),
    naturalKey: (body) => String(body.ContactID),
  },
  SalesInvoice: {
    name: 'SalesInvoice',
    keyFields: ['Type', 'ReferenceNbr'],
    linked: {},
    details: ['Details'],
    fields: generalFields(SalesInvoice.shape, ['Details']),
    subFields: { Details: generalFields(SalesInvoiceLine.shape, []) },
    guidKind: 'invoice',
    sortKeyFromKeys: documentKeys,
    sortKeyOf: (body) => documentSortKey(String(body.Type), String(body.ReferenceNbr)),
    naturalKey: (body) => `${String(body.Type)}/${String(body.ReferenceNbr)}`,
  },
  Payment: {
    name: 'Payment',
    keyFields: ['Type', 'ReferenceNbr'],
    linked: {},
    details: ['DocumentsToApply'],
    fields: generalFields(Payment.shape, ['DocumentsToApply']),
    subFields: { DocumentsToApply: generalFields(PaymentApplication.shape, []) },
    guidKind: 'payment',
    sortKeyFromKeys: documentKeys,
    sortKeyOf: (body) => documentSortKey(String(body.Type), String(body.ReferenceNbr)),
    naturalKey: (body) => `${String(body.Type)}/${String(body.ReferenceNbr)}`,
  },
};

export function entitySpec(name: string): EntitySpec | undefined {
  return Object.prototype.hasOwnProperty.call(ENTITY_SPECS, name) ? ENTITY_SPECS[name as EntityName] : undefined;
}

/** A natural key as the admin surface takes it (`C0000001`, `1001`, `Invoice/AR0000001`) → the sort key. */
export function sortKeyFromNaturalKey(spec: EntitySpec, natural: string): string | undefined {
  if (spec.keyFields.length === 1) return spec.sortKeyFromKeys([natural]);
  const slash = natural.indexOf('/');
  return slash < 0 ? undefined : spec.sortKeyFromKeys([natural.slice(0, slash), natural.slice(slash + 1)]);
}

/** Fields whose values are date-times (compared as instants in `$filter`). */
export const DATE_TIME_FIELDS: ReadonlySet<string> = new Set([
  'LastModifiedDateTime',
  'CreatedDateTime',
  'CreatedDate',
  'Date',
  'DueDate',
  'ApplicationDate',
]);
