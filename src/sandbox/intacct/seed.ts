/**
 * Deterministic seed data for the Intacct sandbox: the same seed and size
 * always give the same records, RECORDNOs and ids.
 *
 * Layout (small; medium ×10, large ×100, huge ×500, all held in memory):
 * - 6 classes (`100` … `600`, one a child of another), whatever the size;
 * - vendors `V00001`…, each with its display contact `<NAME>(V<VENDORID>)`
 *   (every fifth vendor's name has an `&`, e.g. "Smith & Sons"); every
 *   tenth inactive;
 * - customers `C00001`…, each with its display contact `<NAME>(C<CUSTOMERID>)`;
 * - extra contacts, not anyone's display contact;
 * - AP bills in runs per vendor, 1–4 lines each on expense accounts, most
 *   lines with a class: about 55% Posted, 25% Paid, 10% Partially Paid,
 *   10% Draft.
 *
 * Creation and modification times spread over the 700 days before the
 * sandbox started (seed-layout.ts), so WHENMODIFIED queries have history.
 */
import { Faker, en } from '@faker-js/faker';
import type { ObjectName } from '../../systems/intacct/schemas.ts';
import { CONTACT_LAG_MS, DAY, INVOICE_LAG_MS, scaleCounts, SeedLayout, type SeedSize } from '../common/seed-layout.ts';
import { companyNameAt, drawNamePools, personNameAt, slug, type NamePools } from '../common/seed-names.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import { formatDate } from './dates.ts';
import { TERMS, type Fields, type StoredLine, type StoredRecord } from './objects.ts';

export type { SeedSize };

export interface SeedCounts {
  vendors: number;
  customers: number;
  extraContacts: number;
  bills: number;
}

const SMALL: SeedCounts = { vendors: 20, customers: 10, extraContacts: 10, bills: 40 };
/** Far from the other sandboxes' million: these records are held in memory (known-deviations.md). */
const HUGE: SeedCounts = { vendors: 10_000, customers: 5_000, extraContacts: 5_000, bills: 20_000 };

export function seedCounts(size: SeedSize): SeedCounts {
  return scaleCounts(size, SMALL, HUGE);
}

export const vendorIdOf = (index: number) => `V${String(index + 1).padStart(5, '0')}`;
export const customerIdOf = (index: number) => `C${String(index + 1).padStart(5, '0')}`;

/** The default CONTACTNAME of a vendor's or customer's display contact, `[Name](V[VendorID])` as the SDK notes. */
export const displayContactName = (name: string, prefix: 'V' | 'C', id: string) => `${name}(${prefix}${id})`;

export const SEED_CLASSES: ReadonlyArray<{ CLASSID: string; NAME: string; DESCRIPTION: string; PARENTID: string }> = [
  { CLASSID: '100', NAME: 'Services', DESCRIPTION: 'Professional services', PARENTID: '' },
  { CLASSID: '200', NAME: 'Products', DESCRIPTION: 'Physical and digital products', PARENTID: '' },
  { CLASSID: '300', NAME: 'Consulting', DESCRIPTION: 'Consulting engagements', PARENTID: '100' },
  { CLASSID: '400', NAME: 'Support', DESCRIPTION: 'Support and maintenance', PARENTID: '' },
  { CLASSID: '500', NAME: 'Training', DESCRIPTION: 'Training & enablement', PARENTID: '' },
  { CLASSID: '600', NAME: 'Internal', DESCRIPTION: 'Internal overhead', PARENTID: '' },
];

const EXPENSE_ACCOUNTS = ['6000', '6100', '6200', '6400', '6500', '7000'];
const DEPARTMENTS = ['ADM', 'ENG', 'OPS', 'SAL'];
const TERM_CHOICES = ['N30', 'N30', 'N15', 'N45', 'Due on Receipt'];
const TLDS = ['com', 'com', 'io', 'co', 'net', 'us'];

export const money = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

interface Pools extends NamePools {
  items: string[];
}

function buildPools(seed: Seed): Pools {
  const faker = new Faker({ locale: [en] });
  faker.seed(Array.from(`intacct/${seed}`).map((ch) => ch.charCodeAt(0)));
  return { ...drawNamePools(faker, { abbreviatedStates: true }), items: Array.from({ length: 40 }, () => faker.commerce.productName()) };
}

export interface SeedOptions {
  seed: Seed;
  size: SeedSize;
  /** The instant the data is laid out before. */
  anchorMs: number;
}

/** Every seeded record, in RECORDNO order per object. */
export function buildSeed(options: SeedOptions): StoredRecord[] {
  const counts = seedCounts(options.size);
  if (counts.vendors + counts.customers + counts.extraContacts + counts.bills === 0) return [];
  const pools = buildPools(options.seed);
  const rng = (kind: string, index: number) => new SeededRandom(`intacct/${options.seed}/${kind}/${index}`);
  const vendorLayout = new SeedLayout({ customers: counts.vendors, persons: 0, invoices: counts.bills, payments: 0 }, options.anchorMs);
  const customerLayout = new SeedLayout({ customers: counts.customers, persons: 0, invoices: 0, payments: 0 }, options.anchorMs);
  const contactLayout = new SeedLayout({ customers: counts.extraContacts, persons: 0, invoices: 0, payments: 0 }, options.anchorMs);
  const records: StoredRecord[] = [];
  const recordNos: Partial<Record<ObjectName, number>> = {};
  let lineRecordNo = 0;
  const add = (object: ObjectName, createdMs: number, modifiedMs: number, fields: Fields, lines?: StoredLine[]) => {
    const recordNo = (recordNos[object] = (recordNos[object] ?? 0) + 1);
    records.push({ object, recordNo, createdMs, modifiedMs, fields, ...(lines ? { lines } : {}) });
  };

  const firstMs = vendorLayout.customerCreatedMs(0);
  SEED_CLASSES.forEach((cls, n) => add('CLASS', firstMs - (7 - n) * DAY, firstMs - (7 - n) * DAY, { ...cls, STATUS: 'active' }));

  const phone = (random: SeededRandom) => `(${random.int(201, 989)}) ${random.int(200, 999)}-${String(random.int(0, 9999)).padStart(4, '0')}`;
  const address = (random: SeededRandom): Fields => {
    const place = random.pick(pools.cities);
    return { ADDRESS1: random.pick(pools.streets), ADDRESS2: '', CITY: place.city, STATE: place.state, ZIP: place.zip, COUNTRY: 'United States', COUNTRYCODE: 'US' };
  };
  const usedNames = new Set<string>();
  const companyName = (i: number, offset: number, random: SeededRandom): string => {
    let name: string;
    if (offset === 0 && i % 5 === 2) {
      const { last } = personNameAt(pools, i * 3 + 1);
      name = random.chance(0.5) ? `${last} & Sons` : `${last} & ${personNameAt(pools, i * 3 + 2).last}`;
    } else {
      name = companyNameAt(pools.companies, i + offset).name;
    }
    let unique = name;
    for (let n = 2; usedNames.has(unique); n++) unique = `${name} (${n})`;
    usedNames.add(unique);
    return unique;
  };
  const domainOf = (name: string, random: SeededRandom) => `${slug(name) || 'company'}.${random.pick(TLDS)}`;

  // Vendors and customers with their display contacts (contacts first: a vendor names its contact).
  const vendorNames: string[] = [];
  const party = (kind: 'V' | 'C', i: number) => {
    const random = rng(kind === 'V' ? 'vendor' : 'customer', i);
    const layout = kind === 'V' ? vendorLayout : customerLayout;
    const createdMs = layout.customerCreatedMs(i);
    const modifiedMs = createdMs + CONTACT_LAG_MS + (i % 7) * 3_600_000;
    const id = kind === 'V' ? vendorIdOf(i) : customerIdOf(i);
    const name = companyName(i, kind === 'V' ? 0 : counts.vendors + 11, random);
    if (kind === 'V') vendorNames.push(name);
    const person = personNameAt(pools, kind === 'V' ? i : counts.vendors + i);
    const domain = domainOf(name, random);
    const email = random.chance(0.3) ? `${kind === 'V' ? 'billing' : 'ap'}@${domain}` : `${slug(person.first)}.${slug(person.last)}@${domain}`;
    const contactName = displayContactName(name, kind, id);
    add('CONTACT', createdMs, modifiedMs, {
      CONTACTNAME: contactName,
      PRINTAS: name,
      COMPANYNAME: name,
      FIRSTNAME: person.first,
      LASTNAME: person.last,
      EMAIL1: email,
      EMAIL2: '',
      PHONE1: phone(random),
      STATUS: 'active',
      MAILADDRESS: address(random),
    });
    return { createdMs, modifiedMs, id, name, contactName, term: random.pick(TERM_CHOICES) };
  };
  const vendors = Array.from({ length: counts.vendors }, (_, i) => party('V', i));
  const customers = Array.from({ length: counts.customers }, (_, i) => party('C', i));

  for (let j = 0; j < counts.extraContacts; j++) {
    const random = rng('contact', j);
    const createdMs = contactLayout.customerCreatedMs(j);
    const person = personNameAt(pools, counts.vendors + counts.customers + j * 7 + 3);
    let contactName = `${person.first} ${person.last}`;
    for (let n = 2; usedNames.has(contactName); n++) contactName = `${person.first} ${person.last} ${n}`;
    usedNames.add(contactName);
    const company = vendorNames.length > 0 ? random.pick(vendorNames) : '';
    add('CONTACT', createdMs, createdMs + CONTACT_LAG_MS, {
      CONTACTNAME: contactName,
      PRINTAS: contactName,
      COMPANYNAME: company,
      FIRSTNAME: person.first,
      LASTNAME: person.last,
      EMAIL1: `${slug(person.first)}.${slug(person.last)}@${company === '' ? 'example.com' : domainOf(company, random)}`,
      EMAIL2: '',
      PHONE1: phone(random),
      STATUS: 'active',
      MAILADDRESS: address(random),
    });
  }

  // Bills first (vendors carry the total their bills leave due).
  const dueByVendor = new Map<string, number>();
  const bills: Array<{ createdMs: number; modifiedMs: number; fields: Fields; lines: StoredLine[] }> = [];
  for (let k = 0; k < counts.bills && counts.vendors > 0; k++) {
    const random = rng('bill', k);
    const vendor = vendors[vendorLayout.customerOfInvoice(k)]!;
    const createdMs = Math.max(vendorLayout.invoiceCreatedMs(k), vendor.createdMs);
    const term = vendor.term;
    const lines: StoredLine[] = Array.from({ length: random.int(1, 4) }, (_, n) => {
      const classed = random.chance(0.75);
      return {
        recordNo: ++lineRecordNo,
        fields: {
          LINE_NO: String(n + 1),
          ACCOUNTNO: random.pick(EXPENSE_ACCOUNTS),
          ACCOUNTLABEL: '',
          TRX_AMOUNT: money(random.int(2_500, 500_000) / 100),
          ENTRYDESCRIPTION: random.pick(pools.items),
          LOCATIONID: '',
          DEPARTMENTID: random.chance(0.5) ? random.pick(DEPARTMENTS) : '',
          PROJECTID: '',
          CUSTOMERID: '',
          CLASSID: classed ? random.pick(SEED_CLASSES).CLASSID : '',
        },
      };
    });
    const total = lines.reduce((sum, line) => sum + Number(line.fields['TRX_AMOUNT']), 0);
    const draw = random.next();
    const state = draw < 0.55 ? 'Posted' : draw < 0.8 ? 'Paid' : draw < 0.9 ? 'Partially Paid' : 'Draft';
    const paid = state === 'Paid' ? total : state === 'Partially Paid' ? Math.round(total * random.int(20, 80)) / 100 : 0;
    const due = total - paid;
    if (state !== 'Draft') dueByVendor.set(vendor.id, (dueByVendor.get(vendor.id) ?? 0) + due);
    const modifiedMs = createdMs + INVOICE_LAG_MS + (k % 5) * 3_600_000;
    bills.push({
      createdMs,
      modifiedMs,
      lines,
      fields: {
        RECORDID: `INV-${random.int(10_000, 99_999)}`,
        VENDORID: vendor.id,
        VENDORNAME: vendor.name,
        WHENCREATED: formatDate(createdMs),
        WHENPOSTED: state === 'Draft' ? '' : formatDate(createdMs),
        WHENDUE: formatDate(createdMs + (TERMS[term] ?? 30) * DAY),
        WHENPAID: state === 'Paid' ? formatDate(createdMs + 10 * DAY) : '',
        DOCNUMBER: random.chance(0.6) ? `PO-${random.int(1_000, 9_999)}` : '',
        DESCRIPTION: random.chance(0.5) ? `${random.pick(pools.items)} for ${vendor.name}` : '',
        TERMNAME: term,
        STATE: state,
        TOTALENTERED: money(total),
        TOTALPAID: money(paid),
        TOTALDUE: money(due),
        CURRENCY: 'USD',
        BASECURR: 'USD',
        MODULEKEY: '3.AP',
      },
    });
  }

  for (const [i, vendor] of vendors.entries()) {
    add('VENDOR', vendor.createdMs, vendor.modifiedMs, {
      VENDORID: vendor.id,
      NAME: vendor.name,
      PARENTID: '',
      TERMNAME: vendor.term,
      TOTALDUE: money(dueByVendor.get(vendor.id) ?? 0),
      ONETIME: 'false',
      CURRENCY: 'USD',
      STATUS: i % 10 === 9 ? 'inactive' : 'active',
      DISPLAYCONTACT: { CONTACTNAME: vendor.contactName },
    });
  }
  for (const customer of customers) {
    add('CUSTOMER', customer.createdMs, customer.modifiedMs, {
      CUSTOMERID: customer.id,
      NAME: customer.name,
      PARENTID: '',
      TERMNAME: customer.term,
      TOTALDUE: '0.00',
      ONETIME: 'false',
      CURRENCY: 'USD',
      STATUS: 'active',
      DISPLAYCONTACT: { CONTACTNAME: customer.contactName },
    });
  }
  for (const bill of bills) add('APBILL', bill.createdMs, bill.modifiedMs, bill.fields, bill.lines);
  return records;
}
