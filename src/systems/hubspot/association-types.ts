/**
 * HubSpot-defined association types as data (reference/hubspot.md §7.2).
 * Type ids depend on direction: contact→company is 279, company→contact 280.
 * Shared by the client, the AI tools and the sandbox.
 *
 * Object names are the plural path names; pairs with object types outside
 * our registry (tickets, quotes, discounts, …) are listed so that a caller can
 * still look an id up, but the sandbox only serves registry types.
 */
import { resolveObjectType } from './object-types.ts';

export interface AssociationTypeDefinition {
  category: 'HUBSPOT_DEFINED';
  from: string;
  to: string;
  typeId: number;
  /** Type id of the same association seen from the other side; undefined when HubSpot lists none. */
  inverseTypeId: number | undefined;
  /** null for the plain (unlabeled) type; "Primary" for the primary company types. */
  label: string | null;
}

type Row = [from: string, to: string, typeId: number, inverseTypeId: number | undefined, label: string | null];

// §7.2, one row per pair: the forward type then its inverse.
const ROWS: Row[] = [
  ['contacts', 'companies', 279, 280, null],
  ['contacts', 'companies', 1, 2, 'Primary'],
  ['contacts', 'companies', 931, 930, 'Billing contact'],
  ['contacts', 'deals', 4, 3, null],
  ['deals', 'companies', 341, 342, null],
  ['deals', 'companies', 5, 6, 'Primary'],
  ['deals', 'line_items', 19, 20, null],
  ['invoices', 'contacts', 177, 178, null],
  ['invoices', 'companies', 179, 180, null],
  ['invoices', 'deals', 175, 176, null],
  ['invoices', 'line_items', 409, 410, null],
  ['invoices', 'discounts', 411, 412, null],
  ['invoices', 'fees', 413, 414, null],
  ['invoices', 'taxes', 415, 416, null],
  ['invoices', 'commerce_payments', 541, 542, null],
  ['invoices', 'orders', 517, 518, null],
  ['invoices', 'quotes', 407, 408, null],
  ['invoices', 'subscriptions', 622, 623, null],
  ['invoices', 'tickets', 986, undefined, null],
  ['commerce_payments', 'contacts', 387, 388, null],
  ['commerce_payments', 'companies', 389, 390, null],
  ['commerce_payments', 'deals', 391, 392, null],
  ['commerce_payments', 'line_items', 395, 396, null],
  ['commerce_payments', 'orders', 524, 523, null],
  ['orders', 'contacts', 507, 508, null],
  ['orders', 'companies', 934, 935, null],
  ['orders', 'companies', 509, 510, 'Primary'],
  ['orders', 'deals', 512, 511, null],
  ['orders', 'line_items', 513, 514, null],
  ['orders', 'discounts', 519, 520, null],
  ['notes', 'contacts', 202, 201, null],
  ['notes', 'companies', 190, 189, null],
  ['notes', 'deals', 214, 213, null],
  ['notes', 'tickets', 228, 227, null],
  ['notes', 'orders', 765, 764, null],
  ['quotes', 'line_items', 67, 68, null],
  ['companies', 'companies', 450, 450, null],
  // §7.2 "Parent→child / child→parent company": 13 points at the child, 14 at the parent.
  ['companies', 'companies', 13, 14, 'Child Company'],
];

function expand(rows: Row[]): AssociationTypeDefinition[] {
  const out: AssociationTypeDefinition[] = [];
  for (const [from, to, typeId, inverseTypeId, label] of rows) {
    out.push({ category: 'HUBSPOT_DEFINED', from, to, typeId, inverseTypeId, label });
    if (inverseTypeId !== undefined && inverseTypeId !== typeId) {
      const inverseLabel = typeId === 13 ? 'Parent Company' : label;
      out.push({ category: 'HUBSPOT_DEFINED', from: to, to: from, typeId: inverseTypeId, inverseTypeId: typeId, label: inverseLabel });
    }
  }
  return out;
}

export const HUBSPOT_DEFINED_ASSOCIATION_TYPES: readonly AssociationTypeDefinition[] = Object.freeze(expand(ROWS));

const byId = new Map<number, AssociationTypeDefinition>();
for (const definition of HUBSPOT_DEFINED_ASSOCIATION_TYPES) byId.set(definition.typeId, definition);

/** Accepts any path form of a registry type (plural, singular, `0-x`); other names pass through lower-cased. */
function canonical(name: string): string {
  return resolveObjectType(name) ?? name.toLowerCase();
}

/** The HUBSPOT_DEFINED type with this id, or undefined. Ids are unique across directions. */
export function associationTypeById(typeId: number): AssociationTypeDefinition | undefined {
  return byId.get(typeId);
}

/** Every HUBSPOT_DEFINED type from `from` to `to`, unlabeled first. */
export function associationTypesBetween(from: string, to: string): AssociationTypeDefinition[] {
  const f = canonical(from);
  const t = canonical(to);
  return HUBSPOT_DEFINED_ASSOCIATION_TYPES.filter((d) => d.from === f && d.to === t).sort(
    (a, b) => Number(a.label !== null) - Number(b.label !== null),
  );
}

/**
 * The unlabeled default type from `from` to `to` (§7: direction-aware, e.g.
 * contact→company 279, company→contact 280); undefined when the pair has none.
 */
export function defaultAssociationType(from: string, to: string): AssociationTypeDefinition | undefined {
  return associationTypesBetween(from, to).find((d) => d.label === null);
}

/** The type id of the same association seen from the other record; undefined when unknown. */
export function inverseTypeId(typeId: number): number | undefined {
  return byId.get(typeId)?.inverseTypeId;
}

/** Whether `typeId` is a HUBSPOT_DEFINED type pointing from `from` to `to`. */
export function isAssociationTypeFor(typeId: number, from: string, to: string): boolean {
  const d = byId.get(typeId);
  return d !== undefined && d.from === canonical(from) && d.to === canonical(to);
}
