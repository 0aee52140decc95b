/**
 * Deterministic seed data for the Zoho Books sandbox, generated record by
 * record from its index so that nothing has to be held in memory: the same
 * seed, size and index always give the same record.
 *
 * Layout (small; medium ×10, large ×100, huge = 1,000,000 records):
 * - customers: every 10th shares its website's domain with the one before,
 *   another 10th has no website; 85% bill in USD;
 * - contact persons: 1, 3, 2, 2 per block of four customers (two on
 *   average), the first of each the primary one;
 * - invoices: contiguous runs per customer, 1–5 line items each, in the
 *   customer's currency;
 * - customer payments: each applied to one invoice, 70% of them in full.
 *
 * Creation and modification times never decrease with the index (what the
 * virtual collection needs); ids are `<prefix><kind><index>`, growing too.
 */
import { Faker, en } from '@faker-js/faker';
import { formatZohoDate } from '../../systems/zohobooks/timestamps.ts';
import type { Address, CustomField, LineItem, PaymentApplication } from '../../systems/zohobooks/schemas.ts';
import { CONTACT_LAG_MS, DAY, INVOICE_LAG_MS, scaleCounts, SeedLayout, type SeedSize } from '../common/seed-layout.ts';
import { companyNameAt, drawNamePools, personNameAt, slug, type NamePools } from '../common/seed-names.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import type { BaseRecords, StoredRecord } from './virtual-collection.ts';

export type { SeedSize };

export interface SeedCounts {
  customers: number;
  contactPersons: number;
  invoices: number;
  payments: number;
}

const SMALL: SeedCounts = { customers: 20, contactPersons: 40, invoices: 50, payments: 30 };
/** 1,000,000 source records in all, in small's proportions (persons stay at two per customer). */
const HUGE: SeedCounts = { customers: 150_000, contactPersons: 300_000, invoices: 340_000, payments: 210_000 };

export function seedCounts(size: SeedSize): SeedCounts {
  return scaleCounts(size, SMALL, HUGE);
}

// ---------------------------------------------------------------- record bodies (what the data plane stores)

export interface ContactBody {
  contact_id: string;
  contact_name: string;
  company_name: string;
  contact_type: 'customer' | 'vendor';
  customer_sub_type: 'business' | 'individual';
  status: 'active' | 'inactive';
  payment_terms: number;
  payment_terms_label: string;
  currency_id: string;
  currency_code: string;
  website: string;
  credit_limit: number;
  notes: string;
  billing_address: Address;
  shipping_address: Address;
  custom_fields: CustomField[];
  is_linked_with_zohocrm: boolean;
}

export interface ContactPersonBody {
  contact_person_id: string;
  contact_id: string;
  salutation: string;
  first_name: string;
  last_name: string;
  email: string;
  phone: string;
  mobile: string;
  designation: string;
  department: string;
  skype: string;
  is_primary_contact: boolean;
  enable_portal: boolean;
}

export interface InvoiceBody {
  invoice_id: string;
  invoice_number: string;
  customer_id: string;
  customer_name: string;
  /** Stored status; `overdue` is derived when read (a sent invoice past its due date). */
  status: string;
  date: string;
  due_date: string;
  payment_terms: number;
  payment_terms_label: string;
  reference_number: string;
  currency_id: string;
  currency_code: string;
  exchange_rate: number;
  line_items: LineItem[];
  sub_total: number;
  tax_total: number;
  discount: number;
  total: number;
  payment_made: number;
  balance: number;
  contact_persons: string[];
  notes: string;
  terms: string;
  custom_fields: CustomField[];
}

export interface PaymentBody {
  payment_id: string;
  payment_number: string;
  customer_id: string;
  customer_name: string;
  payment_mode: string;
  date: string;
  amount: number;
  unused_amount: number;
  bank_charges: number;
  reference_number: string;
  description: string;
  currency_id: string;
  currency_code: string;
  exchange_rate: number;
  account_id: string;
  account_name: string;
  invoices: PaymentApplication[];
  custom_fields: CustomField[];
}

// ---------------------------------------------------------------- ids

export const KIND_CODES = { contacts: 1, contactpersons: 2, invoices: 3, customerpayments: 4, lineItems: 5, accounts: 8, currencies: 9 } as const;
export type RecordKind = 'contacts' | 'contactpersons' | 'invoices' | 'customerpayments';

const INDEX_DIGITS = 8;

export class IdScheme {
  /** Six digits from the seed: ids are 15 digits like Zoho's (§4). */
  readonly prefix: string;

  constructor(seed: Seed) {
    this.prefix = `4${String(new SeededRandom(`zohobooks/${seed}/ids`).int(10_000, 99_999))}`;
  }

  id(code: number, index: number): string {
    return `${this.prefix}${code}${String(index).padStart(INDEX_DIGITS, '0')}`;
  }

  /** The index an id names for `code`, or undefined. */
  index(code: number, id: string): number | undefined {
    if (id.length !== this.prefix.length + 1 + INDEX_DIGITS || !id.startsWith(this.prefix) || id[this.prefix.length] !== String(code)) {
      return undefined;
    }
    const index = Number(id.slice(this.prefix.length + 1));
    return Number.isInteger(index) ? index : undefined;
  }
}

// ---------------------------------------------------------------- currencies

export interface Currency {
  code: string;
  id: string;
  symbol: string;
  /** Units of the base currency (USD) per unit. */
  rate: number;
}

const CURRENCIES: ReadonlyArray<Omit<Currency, 'id'>> = [
  { code: 'USD', symbol: '$', rate: 1 },
  { code: 'EUR', symbol: '€', rate: 1.08 },
  { code: 'GBP', symbol: '£', rate: 1.27 },
  { code: 'CAD', symbol: 'C$', rate: 0.74 },
  { code: 'AUD', symbol: 'A$', rate: 0.66 },
];

const TERMS: ReadonlyArray<[number, string]> = [
  [0, 'Due on Receipt'],
  [15, 'Net 15'],
  [30, 'Net 30'],
  [30, 'Net 30'],
  [45, 'Net 45'],
];

export function termsLabel(days: number): string {
  return days === 0 ? 'Due on Receipt' : `Net ${days}`;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

interface Pools extends NamePools {
  products: Array<{ name: string; description: string; rate: number; unit: string }>;
}

function buildPools(seed: Seed): Pools {
  const faker = new Faker({ locale: [en] });
  faker.seed(Array.from(`zohobooks/${seed}`).map((ch) => ch.charCodeAt(0)));
  return {
    ...drawNamePools(faker, { abbreviatedStates: false }),
    products: Array.from({ length: 40 }, () => ({
      name: faker.commerce.productName(),
      description: faker.commerce.productDescription().slice(0, 120),
      rate: Number(faker.commerce.price({ min: 15, max: 2_500 })),
      unit: faker.helpers.arrayElement(['pcs', 'hrs', 'box', 'license', '']),
    })),
  };
}

const DEPARTMENTS = ['Finance', 'Purchasing', 'Operations', 'Sales', 'IT', 'Management'];
const PAYMENT_MODES = ['cash', 'check', 'banktransfer', 'creditcard', 'bankremittance'];
const TLDS = ['com', 'com', 'io', 'co', 'net', 'org'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com'];


interface InvoiceCore {
  body: Omit<InvoiceBody, 'status' | 'payment_made' | 'balance'>;
  draftOrVoid: 'draft' | 'void' | undefined;
}

export interface SeedOptions {
  seed: Seed;
  size: SeedSize;
  /** The instant the data is laid out before (the clock's time when the sandbox was built). */
  anchorMs: number;
  utcOffsetMinutes: () => number;
}

/** The seeded organization, record by record. */
export class ZohoSeed extends SeedLayout {
  readonly counts: SeedCounts;
  readonly ids: IdScheme;
  readonly organizationId: string;
  readonly currencies: Currency[];
  readonly depositAccount: { id: string; name: string };
  private readonly pools: Pools;

  constructor(private readonly options: SeedOptions) {
    const counts = seedCounts(options.size);
    super({ ...counts, persons: counts.contactPersons }, options.anchorMs);
    this.counts = counts;
    this.ids = new IdScheme(options.seed);
    this.organizationId = String(new SeededRandom(`zohobooks/${options.seed}/organization`).int(700_000_000, 799_999_999));
    this.currencies = CURRENCIES.map((currency, i) => ({ ...currency, id: this.ids.id(KIND_CODES.currencies, i + 1) }));
    this.depositAccount = { id: this.ids.id(KIND_CODES.accounts, 1), name: 'Undeposited Funds' };
    this.pools = buildPools(options.seed);
  }

  private rng(kind: string, index: number): SeededRandom {
    return new SeededRandom(`zohobooks/${this.options.seed}/${kind}/${index}`);
  }

  private date(ms: number): string {
    return formatZohoDate(ms, this.options.utcOffsetMinutes());
  }

  currency(code: string): Currency | undefined {
    return this.currencies.find((c) => c.code === code);
  }

  currencyById(id: string): Currency | undefined {
    return this.currencies.find((c) => c.id === id);
  }

  // ------------------------------------------------------------ customers

  /** Zoho calls customers contacts. */
  contactCreatedMs(i: number): number {
    return this.customerCreatedMs(i);
  }

  private companyName(i: number): { name: string; round: number } {
    return companyNameAt(this.pools.companies, i);
  }

  private domainOf(i: number, random: SeededRandom): string {
    const { name, round } = this.companyName(i);
    return `${slug(name) || 'company'}${round > 0 ? `-${round + 1}` : ''}.${random.pick(TLDS)}`;
  }

  /** The domain customer `i` uses on its website and persons' emails ('' when it has no website). */
  websiteDomain(i: number): string {
    if (i % 10 === 4) return '';
    // Every 10th customer shares its domain with the one before it.
    const owner = i % 10 === 7 ? i - 1 : i;
    return this.domainOf(owner, this.rng('domain', owner));
  }

  contact(i: number): StoredRecord<ContactBody> {
    const random = this.rng('contact', i);
    const { name, round } = this.companyName(i);
    const contactName = round > 0 ? `${name} (${round + 1})` : name;
    const currency = random.chance(0.85) ? this.currencies[0]! : random.pick(this.currencies.slice(1));
    const [terms, label] = random.pick(TERMS);
    const place = random.pick(this.pools.cities);
    const address: Address = {
      attention: '',
      address: random.pick(this.pools.streets),
      street2: '',
      city: place.city,
      state: place.state,
      zip: place.zip,
      country: currency.code === 'USD' ? 'U.S.A' : { EUR: 'Germany', GBP: 'United Kingdom', CAD: 'Canada', AUD: 'Australia' }[currency.code] ?? '',
      fax: '',
      phone: '',
    };
    const domain = this.websiteDomain(i);
    const createdMs = this.contactCreatedMs(i);
    return {
      id: this.ids.id(KIND_CODES.contacts, i),
      createdMs,
      modifiedMs: createdMs + CONTACT_LAG_MS,
      body: {
        contact_id: this.ids.id(KIND_CODES.contacts, i),
        contact_name: contactName,
        company_name: contactName,
        contact_type: 'customer',
        customer_sub_type: 'business',
        status: random.chance(0.95) ? 'active' : 'inactive',
        payment_terms: terms,
        payment_terms_label: label,
        currency_id: currency.id,
        currency_code: currency.code,
        website: domain === '' ? '' : `https://www.${domain}`,
        credit_limit: 0,
        notes: '',
        billing_address: address,
        shipping_address: { ...address },
        custom_fields: [],
        is_linked_with_zohocrm: false,
      },
    };
  }

  // ------------------------------------------------------------ contact persons

  person(j: number): StoredRecord<ContactPersonBody> {
    const random = this.rng('person', j);
    const customer = this.customerOfPerson(j);
    const { first, last } = personNameAt(this.pools, j);
    const domain = this.websiteDomain(customer) || random.pick(FREE_MAIL);
    const local = `${slug(first)}.${slug(last)}${j >= this.pools.firstNames.length ? j : ''}`;
    const phone = () => `+1 ${random.int(200, 989)}-555-${String(random.int(0, 9999)).padStart(4, '0')}`;
    const createdMs = this.personCreatedMs(j);
    return {
      id: this.ids.id(KIND_CODES.contactpersons, j),
      createdMs,
      modifiedMs: createdMs + CONTACT_LAG_MS,
      body: {
        contact_person_id: this.ids.id(KIND_CODES.contactpersons, j),
        contact_id: this.ids.id(KIND_CODES.contacts, customer),
        salutation: random.pick(['Mr.', 'Ms.', 'Mrs.', 'Dr.', '']),
        first_name: first,
        last_name: last,
        email: `${local}@${domain}`,
        phone: phone(),
        mobile: random.chance(0.5) ? phone() : '',
        designation: random.pick(this.pools.jobTitles),
        department: random.pick(DEPARTMENTS),
        skype: '',
        is_primary_contact: this.personsOfCustomer(customer)[0] === j,
        enable_portal: false,
      },
    };
  }

  // ------------------------------------------------------------ invoices

  invoiceModifiedMs(k: number): number {
    return this.invoiceCreatedMs(k) + INVOICE_LAG_MS;
  }

  private invoiceCore(k: number): InvoiceCore {
    const random = this.rng('invoice', k);
    const customerIndex = this.customerOfInvoice(k);
    const customer = this.contact(customerIndex).body;
    const currency = this.currencyById(customer.currency_id) ?? this.currencies[0]!;
    const createdMs = this.invoiceCreatedMs(k);
    const lines: LineItem[] = [];
    const count = random.int(1, 5);
    for (let n = 0; n < count; n++) {
      const product = random.pick(this.pools.products);
      const quantity = random.int(1, 10);
      const rate = round2(product.rate / currency.rate);
      lines.push({
        line_item_id: this.ids.id(KIND_CODES.lineItems, k * 8 + n),
        item_id: '',
        name: product.name,
        description: product.description,
        item_order: n + 1,
        rate,
        quantity,
        unit: product.unit,
        discount: 0,
        tax_id: '',
        tax_name: '',
        tax_percentage: 0,
        item_total: round2(rate * quantity),
      });
    }
    const subTotal = round2(lines.reduce((sum, line) => sum + line.item_total, 0));
    const persons = this.personsOfCustomer(customerIndex);
    const terms = customer.payment_terms;
    const roll = random.next();
    return {
      draftOrVoid: roll < 0.08 ? 'draft' : roll < 0.12 ? 'void' : undefined,
      body: {
        invoice_id: this.ids.id(KIND_CODES.invoices, k),
        invoice_number: `INV-${String(k + 1).padStart(6, '0')}`,
        customer_id: customer.contact_id,
        customer_name: customer.contact_name,
        date: this.date(createdMs),
        due_date: this.date(createdMs + terms * DAY),
        payment_terms: terms,
        payment_terms_label: customer.payment_terms_label,
        reference_number: random.chance(0.4) ? `PO-${random.int(10_000, 99_999)}` : '',
        currency_id: currency.id,
        currency_code: currency.code,
        exchange_rate: currency.rate,
        line_items: lines,
        sub_total: subTotal,
        tax_total: 0,
        discount: 0,
        total: subTotal,
        contact_persons: persons.length > 0 ? [this.ids.id(KIND_CODES.contactpersons, persons[0]!)] : [],
        notes: 'Thanks for your business.',
        terms: '',
        custom_fields: [],
      },
    };
  }

  /** The amount seeded payment `m` applies to its invoice. */
  private paymentAmount(m: number, invoiceTotal: number): number {
    const random = this.rng('payment-amount', m);
    return random.chance(0.7) ? invoiceTotal : round2(invoiceTotal * (0.2 + random.next() * 0.6));
  }

  invoice(k: number): StoredRecord<InvoiceBody> {
    const core = this.invoiceCore(k);
    const m = core.draftOrVoid ? undefined : this.paymentOfInvoice(k);
    const paid = m === undefined ? 0 : this.paymentAmount(m, core.body.total);
    const status =
      core.draftOrVoid ?? (m === undefined ? 'sent' : paid >= core.body.total ? 'paid' : 'partially_paid');
    const createdMs = this.invoiceCreatedMs(k);
    return {
      id: core.body.invoice_id,
      createdMs,
      modifiedMs: this.invoiceModifiedMs(k),
      body: {
        ...core.body,
        status,
        payment_made: paid,
        balance: status === 'void' ? 0 : round2(core.body.total - paid),
      },
    };
  }

  // ------------------------------------------------------------ customer payments

  /** A payment seeded against a draft or void invoice is left unapplied (credit on the customer). */
  payment(m: number): StoredRecord<PaymentBody> {
    const random = this.rng('payment', m);
    const k = this.invoiceOfPayment(m);
    const core = this.invoiceCore(k);
    const amount = this.paymentAmount(m, core.body.total);
    const applied = core.draftOrVoid ? 0 : amount;
    const createdMs = this.paymentCreatedMs(m);
    const applications: PaymentApplication[] =
      applied > 0
        ? [
            {
              invoice_id: core.body.invoice_id,
              invoice_number: core.body.invoice_number,
              date: core.body.date,
              invoice_amount: core.body.total,
              amount_applied: applied,
              balance_amount: round2(core.body.total - applied),
            },
          ]
        : [];
    return {
      id: this.ids.id(KIND_CODES.customerpayments, m),
      createdMs,
      modifiedMs: createdMs,
      body: {
        payment_id: this.ids.id(KIND_CODES.customerpayments, m),
        payment_number: String(m + 1),
        customer_id: core.body.customer_id,
        customer_name: core.body.customer_name,
        payment_mode: random.pick(PAYMENT_MODES),
        date: this.date(createdMs),
        amount,
        unused_amount: round2(amount - applied),
        bank_charges: 0,
        reference_number: random.chance(0.5) ? `REF-${random.int(100_000, 999_999)}` : '',
        description: '',
        currency_id: core.body.currency_id,
        currency_code: core.body.currency_code,
        exchange_rate: core.body.exchange_rate,
        account_id: this.depositAccount.id,
        account_name: this.depositAccount.name,
        invoices: applications,
        custom_fields: [],
      },
    };
  }

  // ------------------------------------------------------------ as base collections

  private base<B>(kind: RecordKind, count: number, created: (i: number) => number, lagMs: number, record: (i: number) => StoredRecord<B>): BaseRecords<B> {
    const code = KIND_CODES[kind];
    return {
      count,
      idOf: (index) => this.ids.id(code, index),
      indexOf: (id) => {
        const index = this.ids.index(code, id);
        return index !== undefined && index < count ? index : undefined;
      },
      createdMs: created,
      modifiedMs: (index) => created(index) + lagMs,
      record,
    };
  }

  baseContacts(): BaseRecords<ContactBody> {
    return this.base('contacts', this.counts.customers, (i) => this.contactCreatedMs(i), CONTACT_LAG_MS, (i) => this.contact(i));
  }

  basePersons(): BaseRecords<ContactPersonBody> {
    return this.base('contactpersons', this.counts.contactPersons, (i) => this.personCreatedMs(i), CONTACT_LAG_MS, (i) => this.person(i));
  }

  baseInvoices(): BaseRecords<InvoiceBody> {
    return this.base('invoices', this.counts.invoices, (i) => this.invoiceCreatedMs(i), INVOICE_LAG_MS, (i) => this.invoice(i));
  }

  basePayments(): BaseRecords<PaymentBody> {
    return this.base('customerpayments', this.counts.payments, (i) => this.paymentCreatedMs(i), 0, (i) => this.payment(i));
  }

  /** The seeded record of `kind` an id names, as an index; undefined for other ids. */
  baseIndex(kind: RecordKind, id: string): number | undefined {
    const index = this.ids.index(KIND_CODES[kind], id);
    const count = { contacts: this.counts.customers, contactpersons: this.counts.contactPersons, invoices: this.counts.invoices, customerpayments: this.counts.payments }[kind];
    return index !== undefined && index < count ? index : undefined;
  }
}
