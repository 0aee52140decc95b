/**
 * Deterministic seed data for the Acumatica sandbox, generated record by
 * record from its index, so nothing has to be held in memory: the same seed,
 * size and index always give the same record.
 *
 * Layout (small; medium ×10, large ×100, huge = 1,000,000 records):
 * - customers `C0000001`…: every 10th shares its website's domain with the
 *   one before, another 10th has no website; 85% bill in USD;
 * - contacts (ContactID from 1001): 1, 3, 2, 2 per block of four customers,
 *   the first of each its primary contact;
 * - sales invoices `Invoice/AR0000001`…: contiguous runs per customer, 1–5
 *   lines each, in the customer's currency; about 8% not released
 *   (Balanced) and 4% voided;
 * - payments `Payment/PM0000001`…: each applied to one invoice, 70% of them
 *   in full (the invoice Closed), the rest in part (the invoice stays Open
 *   with a lower Balance).
 *
 * Keys grow with the index and modification times never decrease with it
 * (what the entity store needs); ids (NoteIDs) encode kind and index.
 */
import { Faker, en } from '@faker-js/faker';
import { formatAcumaticaDateTime } from '../../systems/acumatica/timestamps.ts';
import type { PlainCustom } from '../../systems/acumatica/values.ts';
import { CONTACT_LAG_MS, DAY, INVOICE_LAG_MS, scaleCounts, SeedLayout, type SeedSize } from '../common/seed-layout.ts';
import { companyNameAt, drawNamePools, personNameAt, slug, type NamePools } from '../common/seed-names.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import type { BaseRecords, StoredRecord } from './entity-store.ts';

export type { SeedSize };

export interface SeedCounts {
  customers: number;
  contacts: number;
  invoices: number;
  payments: number;
}

const SMALL: SeedCounts = { customers: 20, contacts: 40, invoices: 50, payments: 30 };
/** 1,000,000 records in all, in small's proportions. */
const HUGE: SeedCounts = { customers: 150_000, contacts: 300_000, invoices: 340_000, payments: 210_000 };

export function seedCounts(size: SeedSize): SeedCounts {
  return scaleCounts(size, SMALL, HUGE);
}

// ---------------------------------------------------------------- stored bodies (the plain form, without id and times)

export interface AddressBody {
  AddressLine1: string | null;
  AddressLine2: string | null;
  City: string | null;
  State: string | null;
  PostalCode: string | null;
  Country: string | null;
}

export interface ContactInfoBody {
  DisplayName: string | null;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Phone1: string | null;
  WebSite: string | null;
  Attention: string | null;
  Address: AddressBody;
}

export interface CustomerBody {
  CustomerID: string;
  CustomerName: string | null;
  CustomerClass: string | null;
  Status: string | null;
  Email: string | null;
  CurrencyID: string | null;
  Terms: string | null;
  CreditLimit: number | null;
  AccountRef: string | null;
  PrimaryContactID: number | null;
  MainContact: ContactInfoBody;
  BillingContact: ContactInfoBody;
  note: string | null;
  custom?: PlainCustom;
}

export interface ContactBody {
  ContactID: number;
  DisplayName: string | null;
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Phone1: string | null;
  JobTitle: string | null;
  CompanyName: string | null;
  BusinessAccount: string | null;
  Active: boolean;
  Status: string | null;
  Type: string | null;
  Address: AddressBody;
  note: string | null;
  custom?: PlainCustom;
}

export interface InvoiceLineBody {
  id: string;
  LineNbr: number;
  InventoryID: string | null;
  Description: string | null;
  Qty: number;
  UnitPrice: number;
  Amount: number;
  UOM: string | null;
}

export interface InvoiceBody {
  Type: string;
  ReferenceNbr: string;
  CustomerID: string | null;
  Status: string | null;
  Date: string | null;
  DueDate: string | null;
  Currency: string | null;
  Amount: number;
  Balance: number;
  DetailTotal: number;
  TaxTotal: number;
  PaymentTotal: number;
  Description: string | null;
  CustomerOrder: string | null;
  Hold: boolean;
  Details: InvoiceLineBody[];
  note: string | null;
  custom?: PlainCustom;
}

export interface ApplicationBody {
  id: string;
  DocType: string;
  ReferenceNbr: string;
  AmountPaid: number;
  Description: string | null;
}

export interface PaymentBody {
  Type: string;
  ReferenceNbr: string;
  CustomerID: string | null;
  Status: string | null;
  ApplicationDate: string | null;
  PaymentAmount: number;
  AvailableBalance: number;
  AppliedToDocuments: number;
  PaymentMethod: string | null;
  PaymentRef: string | null;
  CashAccount: string | null;
  CurrencyID: string | null;
  Description: string | null;
  Hold: boolean;
  DocumentsToApply: ApplicationBody[];
  note: string | null;
  custom?: PlainCustom;
}

// ---------------------------------------------------------------- keys and ids

/** Guid kind digits: the last group of a NoteID is `<kind><index in 11 hex digits>`. */
export const GUID_KINDS = { customer: 1, contact: 2, invoice: 3, payment: 4, invoiceLine: 5, application: 6 } as const;
export type GuidKind = keyof typeof GUID_KINDS;

export const FIRST_CONTACT_ID = 1001;
export const customerIdOf = (index: number) => `C${String(index + 1).padStart(7, '0')}`;
export const invoiceNbrOf = (index: number) => `AR${String(index + 1).padStart(7, '0')}`;
export const paymentNbrOf = (index: number) => `PM${String(index + 1).padStart(7, '0')}`;

export class GuidScheme {
  private readonly prefix: string;

  constructor(seed: Seed) {
    this.prefix = new SeededRandom(`acumatica/${seed}/guids`).uuid().slice(0, 23);
  }

  guid(kind: GuidKind, index: number): string {
    return `${this.prefix}-${GUID_KINDS[kind]}${index.toString(16).padStart(11, '0')}`;
  }

  /** The index a guid names for `kind`, or undefined. */
  index(kind: GuidKind, guid: string): number | undefined {
    const text = guid.toLowerCase();
    if (text.length !== 36 || !text.startsWith(`${this.prefix}-${GUID_KINDS[kind]}`)) return undefined;
    const index = Number.parseInt(text.slice(25), 16);
    return Number.isSafeInteger(index) ? index : undefined;
  }
}

// ---------------------------------------------------------------- currencies, terms

export interface Currency {
  id: string;
  /** Units of the base currency (USD) per unit. */
  rate: number;
  country: string;
}

export const CURRENCIES: readonly Currency[] = [
  { id: 'USD', rate: 1, country: 'US' },
  { id: 'EUR', rate: 1.08, country: 'DE' },
  { id: 'GBP', rate: 1.27, country: 'GB' },
  { id: 'CAD', rate: 0.74, country: 'CA' },
  { id: 'AUD', rate: 0.66, country: 'AU' },
];

/** Credit terms and their due days (ours: §3 names the field only). */
export const TERMS: Readonly<Record<string, number>> = { COD: 0, NET15: 15, NET30: 30, NET45: 45 };
const TERM_CHOICES = ['COD', 'NET15', 'NET30', 'NET30', 'NET45'];

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** A date-only field: midnight UTC of the day of `ms` (§2: date fields carry midnight). */
export function dateOnly(ms: number): string {
  return formatAcumaticaDateTime(Math.floor(ms / DAY) * DAY, 0);
}

interface Pools extends NamePools {
  products: Array<{ id: string; description: string; price: number; uom: string }>;
}

function buildPools(seed: Seed): Pools {
  const faker = new Faker({ locale: [en] });
  faker.seed(Array.from(`acumatica/${seed}`).map((ch) => ch.charCodeAt(0)));
  return {
    ...drawNamePools(faker, { abbreviatedStates: true }),
    products: Array.from({ length: 40 }, (_, n) => ({
      id: `${slug(faker.commerce.product()).toUpperCase().slice(0, 10)}${String(n + 1).padStart(2, '0')}`,
      description: faker.commerce.productName(),
      price: Number(faker.commerce.price({ min: 15, max: 2_500 })),
      uom: faker.helpers.arrayElement(['EA', 'HOUR', 'BOX', 'LICENSE']),
    })),
  };
}

const TLDS = ['com', 'com', 'io', 'co', 'net', 'org'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com'];
const PAYMENT_METHODS = ['CHECK', 'WIRE', 'CASH', 'CREDITCARD', 'ACH'];

interface InvoiceCore {
  body: Omit<InvoiceBody, 'Status' | 'Balance' | 'PaymentTotal'>;
  unreleased: 'Balanced' | 'Voided' | undefined;
}

export interface SeedOptions {
  seed: Seed;
  size: SeedSize;
  /** The instant the data is laid out before (the clock's time when the sandbox was built). */
  anchorMs: number;
}

/** The seeded tenant, record by record. */
export class AcumaticaSeed extends SeedLayout {
  readonly counts: SeedCounts;
  readonly guids: GuidScheme;
  private readonly pools: Pools;

  constructor(private readonly options: SeedOptions) {
    const counts = seedCounts(options.size);
    super({ ...counts, persons: counts.contacts }, options.anchorMs);
    this.counts = counts;
    this.guids = new GuidScheme(options.seed);
    this.pools = buildPools(options.seed);
  }

  private rng(kind: string, index: number): SeededRandom {
    return new SeededRandom(`acumatica/${this.options.seed}/${kind}/${index}`);
  }

  // ------------------------------------------------------------ relations (the layout's persons are contacts here)

  customerOfContact(j: number): number {
    return this.customerOfPerson(j);
  }

  contactsOfCustomer(i: number): number[] {
    return this.personsOfCustomer(i);
  }

  // ------------------------------------------------------------ customers

  private companyName(i: number): string {
    const { name, round } = companyNameAt(this.pools.companies, i);
    return round > 0 ? `${name} (${round + 1})` : name;
  }

  private domainOf(i: number): string {
    const { name, round } = companyNameAt(this.pools.companies, i);
    return `${slug(name) || 'company'}${round > 0 ? `-${round + 1}` : ''}.${this.rng('domain', i).pick(TLDS)}`;
  }

  /** The domain customer `i` uses for its website and its contacts' emails ('' when it has no website). */
  websiteDomain(i: number): string {
    if (i % 10 === 4) return '';
    return this.domainOf(i % 10 === 7 ? i - 1 : i);
  }

  private address(random: SeededRandom, country: string): AddressBody {
    const place = random.pick(this.pools.cities);
    return {
      AddressLine1: random.pick(this.pools.streets),
      AddressLine2: null,
      City: place.city,
      State: place.state,
      PostalCode: place.zip,
      Country: country,
    };
  }

  private termsOf(i: number): string {
    return this.rng('terms', i).pick(TERM_CHOICES);
  }

  private currencyOf(i: number): Currency {
    const random = this.rng('currency', i);
    return random.chance(0.85) ? CURRENCIES[0]! : random.pick(CURRENCIES.slice(1));
  }

  customer(i: number): StoredRecord<CustomerBody> {
    const random = this.rng('customer', i);
    const name = this.companyName(i);
    const currency = this.currencyOf(i);
    const domain = this.websiteDomain(i);
    const address = this.address(random, currency.country);
    const contacts = this.contactsOfCustomer(i);
    const primary = contacts.length > 0 ? this.contactPerson(contacts[0]!) : undefined;
    const email = domain === '' ? `accounts.${slug(name).slice(0, 12)}@${random.pick(FREE_MAIL)}` : `accounts@${domain}`;
    const phone = `+1 ${random.int(200, 989)}-555-${String(random.int(0, 9999)).padStart(4, '0')}`;
    const createdMs = this.customerCreatedMs(i);
    return {
      key: customerIdOf(i),
      guid: this.guids.guid('customer', i),
      createdMs,
      modifiedMs: createdMs + CONTACT_LAG_MS,
      body: {
        CustomerID: customerIdOf(i),
        CustomerName: name,
        CustomerClass: random.chance(0.8) ? 'DEFAULT' : 'WHOLESALE',
        Status: random.chance(0.95) ? 'Active' : 'Inactive',
        Email: email,
        CurrencyID: currency.id,
        Terms: this.termsOf(i),
        CreditLimit: random.chance(0.5) ? random.int(1, 20) * 5_000 : 0,
        AccountRef: null,
        PrimaryContactID: contacts.length > 0 ? FIRST_CONTACT_ID + contacts[0]! : null,
        MainContact: {
          DisplayName: name,
          FirstName: null,
          LastName: null,
          Email: email,
          Phone1: phone,
          WebSite: domain === '' ? null : `https://www.${domain}`,
          Attention: null,
          Address: address,
        },
        BillingContact: {
          DisplayName: name,
          FirstName: null,
          LastName: null,
          Email: primary?.email ?? email,
          Phone1: phone,
          WebSite: null,
          Attention: primary ? `${primary.first} ${primary.last}` : null,
          Address: { ...address },
        },
        note: null,
      },
    };
  }

  // ------------------------------------------------------------ contacts

  private contactPerson(j: number): { first: string; last: string; email: string } {
    const { first, last } = personNameAt(this.pools, j);
    const customer = this.customerOfContact(j);
    const domain = this.websiteDomain(customer) || this.rng('contact-mail', j).pick(FREE_MAIL);
    const local = `${slug(first)}.${slug(last)}${j >= this.pools.firstNames.length ? j : ''}`;
    return { first, last, email: `${local}@${domain}` };
  }

  contactCreatedMs(j: number): number {
    return this.personCreatedMs(j);
  }

  contact(j: number): StoredRecord<ContactBody> {
    const random = this.rng('contact', j);
    const customer = this.customerOfContact(j);
    const person = this.contactPerson(j);
    const createdMs = this.contactCreatedMs(j);
    const currency = this.currencyOf(customer);
    return {
      key: contactSortKey(FIRST_CONTACT_ID + j),
      guid: this.guids.guid('contact', j),
      createdMs,
      modifiedMs: createdMs + CONTACT_LAG_MS,
      body: {
        ContactID: FIRST_CONTACT_ID + j,
        DisplayName: `${person.first} ${person.last}`,
        FirstName: person.first,
        LastName: person.last,
        Email: person.email,
        Phone1: `+1 ${random.int(200, 989)}-555-${String(random.int(0, 9999)).padStart(4, '0')}`,
        JobTitle: random.pick(this.pools.jobTitles),
        CompanyName: this.companyName(customer),
        BusinessAccount: customerIdOf(customer),
        Active: true,
        Status: 'Active',
        Type: 'Contact',
        Address: this.address(random, currency.country),
        note: null,
      },
    };
  }

  // ------------------------------------------------------------ sales invoices

  private invoiceCore(k: number): InvoiceCore {
    const random = this.rng('invoice', k);
    const customer = this.customerOfInvoice(k);
    const currency = this.currencyOf(customer);
    const termsId = this.termsOf(customer);
    const createdMs = this.invoiceCreatedMs(k);
    const lines: InvoiceLineBody[] = [];
    const count = random.int(1, 5);
    for (let n = 0; n < count; n++) {
      const product = random.pick(this.pools.products);
      const qty = random.int(1, 10);
      const price = round2(product.price / currency.rate);
      lines.push({
        id: this.guids.guid('invoiceLine', k * 8 + n),
        LineNbr: n + 1,
        InventoryID: product.id,
        Description: product.description,
        Qty: qty,
        UnitPrice: price,
        Amount: round2(qty * price),
        UOM: product.uom,
      });
    }
    const total = round2(lines.reduce((sum, line) => sum + line.Amount, 0));
    const roll = random.next();
    return {
      unreleased: roll < 0.08 ? 'Balanced' : roll < 0.12 ? 'Voided' : undefined,
      body: {
        Type: 'Invoice',
        ReferenceNbr: invoiceNbrOf(k),
        CustomerID: customerIdOf(customer),
        Date: dateOnly(createdMs),
        DueDate: dateOnly(createdMs + (TERMS[termsId] ?? 30) * DAY),
        Currency: currency.id,
        Amount: total,
        DetailTotal: total,
        TaxTotal: 0,
        Description: random.chance(0.7) ? `${random.pick(this.pools.products).description} and services` : null,
        CustomerOrder: random.chance(0.4) ? `PO-${random.int(10_000, 99_999)}` : null,
        Hold: false,
        Details: lines,
        note: null,
      },
    };
  }

  /** What seeded payment `m` applies to its invoice. */
  private paymentAmount(m: number, invoiceTotal: number): number {
    const random = this.rng('payment-amount', m);
    return random.chance(0.7) ? invoiceTotal : round2(invoiceTotal * (0.2 + random.next() * 0.6));
  }

  invoice(k: number): StoredRecord<InvoiceBody> {
    const core = this.invoiceCore(k);
    const m = core.unreleased ? undefined : this.paymentOfInvoice(k);
    const paid = m === undefined ? 0 : this.paymentAmount(m, core.body.Amount);
    const balance = core.unreleased === 'Voided' ? 0 : round2(core.body.Amount - paid);
    const createdMs = this.invoiceCreatedMs(k);
    return {
      key: documentSortKey(core.body.Type, core.body.ReferenceNbr),
      guid: this.guids.guid('invoice', k),
      createdMs,
      modifiedMs: createdMs + INVOICE_LAG_MS,
      body: {
        ...core.body,
        Status: core.unreleased ?? (balance <= 0 ? 'Closed' : 'Open'),
        Balance: balance,
        PaymentTotal: paid,
      },
    };
  }

  // ------------------------------------------------------------ payments

  /** A payment seeded against an unreleased or voided invoice stays unapplied (Open, its amount available). */
  payment(m: number): StoredRecord<PaymentBody> {
    const random = this.rng('payment', m);
    const k = this.invoiceOfPayment(m);
    const core = this.invoiceCore(k);
    const amount = this.paymentAmount(m, core.body.Amount);
    const applied = core.unreleased ? 0 : amount;
    const createdMs = this.paymentCreatedMs(m);
    return {
      key: documentSortKey('Payment', paymentNbrOf(m)),
      guid: this.guids.guid('payment', m),
      createdMs,
      modifiedMs: createdMs,
      body: {
        Type: 'Payment',
        ReferenceNbr: paymentNbrOf(m),
        CustomerID: core.body.CustomerID,
        Status: applied >= amount ? 'Closed' : 'Open',
        ApplicationDate: dateOnly(createdMs),
        PaymentAmount: amount,
        AvailableBalance: round2(amount - applied),
        AppliedToDocuments: applied,
        PaymentMethod: random.pick(PAYMENT_METHODS),
        PaymentRef: random.chance(0.6) ? `REF${random.int(100_000, 999_999)}` : null,
        CashAccount: '10200',
        CurrencyID: core.body.Currency,
        Description: null,
        Hold: false,
        DocumentsToApply:
          applied > 0
            ? [{ id: this.guids.guid('application', m), DocType: core.body.Type, ReferenceNbr: core.body.ReferenceNbr, AmountPaid: applied, Description: null }]
            : [],
        note: null,
      },
    };
  }

  // ------------------------------------------------------------ as base collections

  baseCustomers(): BaseRecords<CustomerBody> {
    return {
      count: this.counts.customers,
      sortKeyOf: customerIdOf,
      indexOfKey: (key) => indexOfPrefixed(key, 'C', this.counts.customers),
      indexOfGuid: (guid) => this.bounded(this.guids.index('customer', guid), this.counts.customers),
      modifiedMs: (i) => this.customerCreatedMs(i) + CONTACT_LAG_MS,
      record: (i) => this.customer(i),
    };
  }

  baseContacts(): BaseRecords<ContactBody> {
    return {
      count: this.counts.contacts,
      sortKeyOf: (j) => contactSortKey(FIRST_CONTACT_ID + j),
      indexOfKey: (key) => {
        const id = Number(key);
        return Number.isInteger(id) ? this.bounded(id - FIRST_CONTACT_ID, this.counts.contacts) : undefined;
      },
      indexOfGuid: (guid) => this.bounded(this.guids.index('contact', guid), this.counts.contacts),
      modifiedMs: (j) => this.contactCreatedMs(j) + CONTACT_LAG_MS,
      record: (j) => this.contact(j),
    };
  }

  baseInvoices(): BaseRecords<InvoiceBody> {
    return {
      count: this.counts.invoices,
      sortKeyOf: (k) => documentSortKey('Invoice', invoiceNbrOf(k)),
      indexOfKey: (key) => (key.startsWith('Invoice\u0000') ? indexOfPrefixed(key.slice(8), 'AR', this.counts.invoices) : undefined),
      indexOfGuid: (guid) => this.bounded(this.guids.index('invoice', guid), this.counts.invoices),
      modifiedMs: (k) => this.invoiceCreatedMs(k) + INVOICE_LAG_MS,
      record: (k) => this.invoice(k),
    };
  }

  basePayments(): BaseRecords<PaymentBody> {
    return {
      count: this.counts.payments,
      sortKeyOf: (m) => documentSortKey('Payment', paymentNbrOf(m)),
      indexOfKey: (key) => (key.startsWith('Payment\u0000') ? indexOfPrefixed(key.slice(8), 'PM', this.counts.payments) : undefined),
      indexOfGuid: (guid) => this.bounded(this.guids.index('payment', guid), this.counts.payments),
      modifiedMs: (m) => this.paymentCreatedMs(m),
      record: (m) => this.payment(m),
    };
  }

  private bounded(index: number | undefined, count: number): number | undefined {
    return index !== undefined && index >= 0 && index < count ? index : undefined;
  }
}

/** Sort keys: contacts by number, documents by type then reference number. */
export const contactSortKey = (contactId: number) => String(contactId).padStart(12, '0');
export const documentSortKey = (type: string, referenceNbr: string) => `${type}\u0000${referenceNbr}`;

/** `<prefix><7 digits>` → its index when below `count`. */
function indexOfPrefixed(key: string, prefix: string, count: number): number | undefined {
  if (key.length !== prefix.length + 7 || !key.startsWith(prefix)) return undefined;
  const digits = key.slice(prefix.length);
  if (!/^\d{7}$/.test(digits)) return undefined;
  const index = Number(digits) - 1;
  return index >= 0 && index < count ? index : undefined;
}
