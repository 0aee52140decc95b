/**
 * The objects the Intacct sandbox serves, as data (reference/intacct.md
 * §5.5, §5.6): each one's fields in the order a `*` read returns them, their
 * types (what queries compare them as), its unique id field and the element
 * names its answers use. Field names follow the record schemas in
 * systems/intacct/schemas.ts.
 */
import { ID_FIELDS, OBJECT_NAMES, type ObjectName } from '../../systems/intacct/schemas.ts';

export type FieldType = 'text' | 'number' | 'date' | 'datetime';

/** A record's fields as stored and rendered: text, or a group of fields (DISPLAYCONTACT, MAILADDRESS). */
export interface Fields {
  [name: string]: string | Fields | Fields[];
}

export interface StoredLine {
  readonly recordNo: number;
  /** LINE_NO and the line's own fields (RECORDNO is `recordNo`). */
  readonly fields: Fields;
}

export interface StoredRecord {
  readonly object: ObjectName;
  readonly recordNo: number;
  readonly createdMs: number;
  readonly modifiedMs: number;
  /** Everything but RECORDNO and the master records' WHENCREATED/WHENMODIFIED. */
  readonly fields: Fields;
  /** APBILL only: its APBILLITEM lines, in LINE_NO order. */
  readonly lines?: readonly StoredLine[];
}

/** §5.5: payment terms the company knows, with their due days (the names are ours). */
export const TERMS: Readonly<Record<string, number>> = { 'Due on Receipt': 0, N15: 15, N30: 30, N45: 45, N60: 60 };

/** A field or a group of them, in answer order. */
export type FieldSpec = string | { group: string; fields: FieldSpec[] };

const MAILADDRESS: FieldSpec = { group: 'MAILADDRESS', fields: ['ADDRESS1', 'ADDRESS2', 'CITY', 'STATE', 'ZIP', 'COUNTRY', 'COUNTRYCODE'] };

/** The fields of a CONTACT that a vendor's or customer's DISPLAYCONTACT shows. */
export const DISPLAY_CONTACT_FIELDS: FieldSpec[] = ['CONTACTNAME', 'PRINTAS', 'COMPANYNAME', 'FIRSTNAME', 'LASTNAME', 'EMAIL1', 'EMAIL2', 'PHONE1', MAILADDRESS];

export const BILL_LINE_FIELDS: FieldSpec[] = [
  'RECORDNO',
  'LINE_NO',
  'ACCOUNTNO',
  'ACCOUNTLABEL',
  'TRX_AMOUNT',
  'ENTRYDESCRIPTION',
  'LOCATIONID',
  'DEPARTMENTID',
  'PROJECTID',
  'CUSTOMERID',
  'CLASSID',
];

export interface ObjectSpec {
  name: ObjectName;
  /** §5.3: the unique id readByName takes (RECORDID for bills, not unique). */
  idField: string;
  /** Fields in answer order, RECORDNO first; WHENCREATED/WHENMODIFIED where the object has them. */
  fields: FieldSpec[];
  /** Field paths whose values are not text. */
  types: Record<string, FieldType>;
  /** Whether the id is unique (refused twice on create). */
  uniqueId: boolean;
}

const masterTimes = { WHENCREATED: 'datetime', WHENMODIFIED: 'datetime', RECORDNO: 'number' } as const;

export const OBJECT_SPECS: Record<ObjectName, ObjectSpec> = {
  VENDOR: {
    name: 'VENDOR',
    idField: ID_FIELDS.VENDOR,
    fields: ['RECORDNO', 'VENDORID', 'NAME', 'PARENTID', 'TERMNAME', 'TOTALDUE', 'ONETIME', 'CURRENCY', 'STATUS', { group: 'DISPLAYCONTACT', fields: DISPLAY_CONTACT_FIELDS }, 'WHENCREATED', 'WHENMODIFIED'],
    types: { ...masterTimes, TOTALDUE: 'number' },
    uniqueId: true,
  },
  CUSTOMER: {
    name: 'CUSTOMER',
    idField: ID_FIELDS.CUSTOMER,
    fields: ['RECORDNO', 'CUSTOMERID', 'NAME', 'PARENTID', 'TERMNAME', 'TOTALDUE', 'ONETIME', 'CURRENCY', 'STATUS', { group: 'DISPLAYCONTACT', fields: DISPLAY_CONTACT_FIELDS }, 'WHENCREATED', 'WHENMODIFIED'],
    types: { ...masterTimes, TOTALDUE: 'number' },
    uniqueId: true,
  },
  CONTACT: {
    name: 'CONTACT',
    idField: ID_FIELDS.CONTACT,
    fields: ['RECORDNO', 'CONTACTNAME', 'PRINTAS', 'COMPANYNAME', 'FIRSTNAME', 'LASTNAME', 'EMAIL1', 'EMAIL2', 'PHONE1', 'STATUS', MAILADDRESS, 'WHENCREATED', 'WHENMODIFIED'],
    types: { ...masterTimes },
    uniqueId: true,
  },
  CLASS: {
    name: 'CLASS',
    idField: ID_FIELDS.CLASS,
    fields: ['RECORDNO', 'CLASSID', 'NAME', 'DESCRIPTION', 'STATUS', 'PARENTID', 'WHENCREATED', 'WHENMODIFIED'],
    types: { ...masterTimes },
    uniqueId: true,
  },
  APBILL: {
    name: 'APBILL',
    idField: ID_FIELDS.APBILL,
    fields: [
      'RECORDNO',
      'RECORDID',
      'VENDORID',
      'VENDORNAME',
      'WHENCREATED',
      'WHENPOSTED',
      'WHENDUE',
      'WHENPAID',
      'DOCNUMBER',
      'DESCRIPTION',
      'TERMNAME',
      'STATE',
      'TOTALENTERED',
      'TOTALPAID',
      'TOTALDUE',
      'CURRENCY',
      'BASECURR',
      'MODULEKEY',
      'WHENMODIFIED',
    ],
    types: {
      RECORDNO: 'number',
      WHENCREATED: 'date',
      WHENPOSTED: 'date',
      WHENDUE: 'date',
      WHENPAID: 'date',
      WHENMODIFIED: 'datetime',
      TOTALENTERED: 'number',
      TOTALPAID: 'number',
      TOTALDUE: 'number',
    },
    uniqueId: false,
  },
};

export function isObjectName(name: string): name is ObjectName {
  return (OBJECT_NAMES as readonly string[]).includes(name);
}

/** Every leaf path (`DISPLAYCONTACT.MAILADDRESS.CITY`) and every group path of a spec list. */
function pathsOf(specs: FieldSpec[], prefix = ''): { leaves: string[]; groups: string[] } {
  const leaves: string[] = [];
  const groups: string[] = [];
  for (const spec of specs) {
    if (typeof spec === 'string') leaves.push(prefix + spec);
    else {
      groups.push(prefix + spec.group);
      const inner = pathsOf(spec.fields, `${prefix}${spec.group}.`);
      leaves.push(...inner.leaves);
      groups.push(...inner.groups);
    }
  }
  return { leaves, groups };
}

const CATALOGUES = Object.fromEntries(
  OBJECT_NAMES.map((name) => {
    const { leaves, groups } = pathsOf(OBJECT_SPECS[name].fields);
    return [name, { leaves: new Set(leaves), groups: new Set(groups) }];
  }),
) as Record<ObjectName, { leaves: Set<string>; groups: Set<string> }>;

export function isKnownLeaf(object: ObjectName, path: string): boolean {
  return CATALOGUES[object].leaves.has(path);
}

export function isKnownGroup(object: ObjectName, path: string): boolean {
  return CATALOGUES[object].groups.has(path);
}

export function fieldType(object: ObjectName, path: string): FieldType {
  return OBJECT_SPECS[object].types[path] ?? 'text';
}

/** A value at a dotted path of a rendered record ('' when absent or a group). */
export function valueAt(view: Fields, path: string): string | undefined {
  let current: string | Fields | Fields[] | undefined = view;
  for (const part of path.split('.')) {
    if (current === undefined || typeof current === 'string' || Array.isArray(current)) return undefined;
    current = current[part];
  }
  return typeof current === 'string' ? current : undefined;
}

/** `fields` laid out as `specs` say, every named field present ('' when unset), then any extra fields. */
export function ordered(specs: FieldSpec[], fields: Fields): Fields {
  const out: Fields = {};
  const named = new Set<string>();
  for (const spec of specs) {
    if (typeof spec === 'string') {
      named.add(spec);
      const value = fields[spec];
      out[spec] = typeof value === 'string' ? value : '';
    } else {
      named.add(spec.group);
      const value = fields[spec.group];
      out[spec.group] = ordered(spec.fields, typeof value === 'object' && !Array.isArray(value) ? value : {});
    }
  }
  for (const [name, value] of Object.entries(fields)) if (!named.has(name)) out[name] = value;
  return out;
}

/** The element name of records in readByQuery/read/create answers: the object in lower case (§3). */
export const listElement = (object: ObjectName) => object.toLowerCase();
