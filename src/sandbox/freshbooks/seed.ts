/**
 * Deterministic seed data for the FreshBooks sandbox, generated record by
 * record from its index so that nothing has to be held in memory: the same
 * seed, size and index always give the same record.
 *
 * Layout (small; medium ×10, large ×100, huge = 1,000,000 records; the
 * relations and times come from the shared seed layout):
 * - clients: every 5th an individual without an organization, the rest a
 *   company's contact; 85% bill in USD; a few archived (vis_state 2);
 * - invoices: contiguous runs per client, 1–5 lines each, in the client's
 *   currency; 8% of the unpaid ones drafts, the rest sent;
 * - payments: each applied to one invoice, 70% of them in full.
 *
 * Creation and update times never decrease with the index (what the
 * collections need); ids grow with the index and start at a seed-drawn base.
 */
import { Faker, en } from '@faker-js/faker';
import { easternDate } from '../../systems/freshbooks/timestamps.ts';
import { CONTACT_LAG_MS, INVOICE_LAG_MS, scaleCounts, SeedLayout, type SeedSize } from '../common/seed-layout.ts';
import { companyNameAt, drawNamePools, personNameAt, slug, type NamePools } from '../common/seed-names.ts';
import { SeededRandom, type Seed } from '../common/seeded-random.ts';
import type { BaseRecords, StoredRecord } from './collection.ts';

export type { SeedSize };

export interface SeedCounts {
  clients: number;
  invoices: number;
  payments: number;
}

const SMALL: SeedCounts = { clients: 20, invoices: 50, payments: 30 };
/** 1,000,000 records in all, in small's proportions. */
const HUGE: SeedCounts = { clients: 200_000, invoices: 500_000, payments: 300_000 };

export function seedCounts(size: SeedSize): SeedCounts {
  return scaleCounts(size, SMALL, HUGE);
}

// ---------------------------------------------------------------- stored bodies (what the data plane keeps)

export interface ClientBody {
  fname: string;
  lname: string;
  organization: string;
  email: string;
  bus_phone: string;
  home_phone: string | null;
  mob_phone: string;
  fax: string;
  note: string | null;
  p_street: string;
  p_street2: string;
  p_city: string;
  p_province: string;
  p_code: string;
  p_country: string;
  s_street: string;
  s_street2: string;
  s_city: string;
  s_province: string;
  s_code: string;
  s_country: string;
  currency_code: string;
  language: string;
  vat_name: string | null;
  vat_number: string | null;
  vis_state: 0 | 1 | 2;
}

export interface LineBody {
  lineid: number;
  name: string;
  description: string;
  qty: number;
  unit_cost: number;
  taxName1: string;
  taxAmount1: number | null;
  taxName2: string;
  taxAmount2: number | null;
  type: number;
}

export interface InvoiceBody {
  invoice_number: string;
  customerid: number;
  create_date: string;
  due_offset_days: number;
  currency_code: string;
  po_number: string | null;
  notes: string;
  terms: string | null;
  description: string;
  /** A percentage off the lines. */
  discount_value: number;
  /** 1 draft, 2 sent: what the invoice is apart from its payments. */
  status: 1 | 2;
  organization: string;
  fname: string;
  lname: string;
  email: string;
  street: string;
  street2: string;
  city: string;
  province: string;
  code: string;
  country: string;
  language: string;
  lines: LineBody[];
  /** The sum of the (undeleted) payments applied to it. */
  paid: number;
  date_paid: string | null;
  vis_state: 0 | 1 | 2;
}

export interface PaymentBody {
  invoiceid: number;
  clientid: number;
  amount: number;
  date: string;
  type: string;
  note: string;
  transactionid: string | null;
  orderid: number | string | null;
  vis_state: 0 | 1 | 2;
}

export type RecordKind = 'clients' | 'invoices' | 'payments';

// ---------------------------------------------------------------- the business and its user

export interface BusinessSeed {
  /** Scopes /projects/business/<id> (§3). */
  id: number;
  businessUuid: string;
  accountId: string;
  name: string;
  timezone: string;
  /** The membership's id in users/me. */
  membershipId: number;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function chars(random: SeededRandom, alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[random.int(0, alphabet.length - 1)];
  return text;
}

/** The sandbox user (users/me) and the businesses they own: the first holds the seeded data, the second is empty. */
export function identitySeed(seed: Seed): { userId: number; firstName: string; lastName: string; email: string; businesses: [BusinessSeed, BusinessSeed] } {
  const random = new SeededRandom(`freshbooks/${seed}/identity`);
  const business = (name: string, timezone: string): BusinessSeed => ({
    id: random.int(2_000_000, 2_999_999),
    businessUuid: random.uuid(),
    accountId: chars(random, ALNUM, 6),
    name,
    timezone,
    membershipId: random.int(6_000_000, 7_999_999),
  });
  return {
    userId: random.int(2_100_000, 2_199_999),
    firstName: 'Sandbox',
    lastName: 'Owner',
    email: 'owner@sandbox.example',
    businesses: [business('Sandbox Studio Inc.', 'America/New_York'), business('Sandbox Side Project', 'America/Toronto')],
  };
}

// ---------------------------------------------------------------- the chart of accounts (§6)

export interface LedgerAccountSeed {
  uuid: string;
  name: string;
  number: string;
  type: 'asset' | 'liability' | 'equity' | 'income' | 'expense';
  subType: string;
  systemAccountName: string | null;
  parent: number | undefined;
}

const CHART: ReadonlyArray<Omit<LedgerAccountSeed, 'uuid'>> = [
  { name: 'Cash', number: '1000', type: 'asset', subType: 'Cash & Bank', systemAccountName: 'Cash', parent: undefined },
  { name: 'Petty Cash', number: '1010', type: 'asset', subType: 'Cash & Bank', systemAccountName: null, parent: 0 },
  { name: 'Accounts Receivable', number: '1200', type: 'asset', subType: 'Accounts Receivable', systemAccountName: 'Accounts Receivable', parent: undefined },
  { name: 'Equipment', number: '1500', type: 'asset', subType: 'Fixed Assets', systemAccountName: null, parent: undefined },
  { name: 'Accounts Payable', number: '2000', type: 'liability', subType: 'Accounts Payable', systemAccountName: 'Accounts Payable', parent: undefined },
  { name: 'Sales Taxes', number: '2200', type: 'liability', subType: 'Sales Taxes', systemAccountName: 'Sales Taxes', parent: undefined },
  { name: "Owner's Equity", number: '3000', type: 'equity', subType: "Owner's Equity", systemAccountName: "Owner's Equity", parent: undefined },
  { name: 'Retained Earnings', number: '3200', type: 'equity', subType: 'Retained Earnings', systemAccountName: 'Retained Earnings', parent: undefined },
  { name: 'Sales', number: '4000', type: 'income', subType: 'Sales', systemAccountName: 'Sales', parent: undefined },
  { name: 'Consulting Revenue', number: '4010', type: 'income', subType: 'Sales', systemAccountName: null, parent: 8 },
  { name: 'Other Income', number: '4900', type: 'income', subType: 'Other Income', systemAccountName: null, parent: undefined },
  { name: 'Advertising', number: '5000', type: 'expense', subType: 'Advertising', systemAccountName: null, parent: undefined },
  { name: 'Office Expenses', number: '5100', type: 'expense', subType: 'Office Expenses', systemAccountName: null, parent: undefined },
  { name: 'Professional Fees', number: '5200', type: 'expense', subType: 'Professional Fees', systemAccountName: null, parent: undefined },
  { name: 'Travel', number: '5300', type: 'expense', subType: 'Travel', systemAccountName: null, parent: undefined },
];

export function chartOfAccounts(seed: Seed, accountId: string): LedgerAccountSeed[] {
  const random = new SeededRandom(`freshbooks/${seed}/${accountId}/ledger`);
  return CHART.map((account) => ({ ...account, uuid: random.uuid() }));
}

// ---------------------------------------------------------------- pools and currencies

const CURRENCIES: ReadonlyArray<{ code: string; rate: number; country: string }> = [
  { code: 'USD', rate: 1, country: 'United States' },
  { code: 'CAD', rate: 0.74, country: 'Canada' },
  { code: 'EUR', rate: 1.08, country: 'Germany' },
  { code: 'GBP', rate: 1.27, country: 'United Kingdom' },
];
const TERMS = [0, 15, 30, 30, 45];
const PAYMENT_TYPES = ['Check', 'Cash', 'Bank Transfer', 'Credit Card', 'ACH'];
const TLDS = ['com', 'com', 'io', 'co', 'net', 'org'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com'];

export const round2 = (n: number) => Math.round(n * 100) / 100;

interface Pools extends NamePools {
  products: Array<{ name: string; description: string; rate: number }>;
}

function buildPools(seed: Seed): Pools {
  const faker = new Faker({ locale: [en] });
  faker.seed(Array.from(`freshbooks/${seed}`).map((ch) => ch.charCodeAt(0)));
  return {
    ...drawNamePools(faker, { abbreviatedStates: true }),
    products: Array.from({ length: 40 }, () => ({
      name: faker.commerce.productName(),
      description: faker.commerce.productDescription().slice(0, 120),
      rate: Number(faker.commerce.price({ min: 15, max: 2_500 })),
    })),
  };
}

export interface SeedOptions {
  seed: Seed;
  size: SeedSize;
  /** The instant the data is laid out before (the clock's time when the sandbox was built). */
  anchorMs: number;
  /** Which business the data belongs to: its records and ids differ from another business's. */
  accountId: string;
}

/** The seeded business's records, one by one from their index. */
export class FreshBooksSeed extends SeedLayout {
  readonly counts: SeedCounts;
  readonly idBase: Record<RecordKind, number>;
  private readonly pools: Pools;

  constructor(private readonly options: SeedOptions) {
    const counts = seedCounts(options.size);
    super({ customers: counts.clients, persons: 0, invoices: counts.invoices, payments: counts.payments }, options.anchorMs);
    this.counts = counts;
    const random = new SeededRandom(`freshbooks/${options.seed}/${options.accountId}/ids`);
    // Each kind's ids start at its own base, far enough apart that created records never reach the next kind's.
    this.idBase = {
      clients: 100_000 + random.int(0, 99_999),
      invoices: 1_000_000 + random.int(0, 99_999),
      payments: 2_000_000 + random.int(0, 99_999),
    };
    this.pools = buildPools(options.seed);
  }

  private rng(kind: string, index: number): SeededRandom {
    return new SeededRandom(`freshbooks/${this.options.seed}/${this.options.accountId}/${kind}/${index}`);
  }

  id(kind: RecordKind, index: number): number {
    return this.idBase[kind] + index;
  }

  /** The seeded record of `kind` an id names, as an index; undefined for other ids. */
  indexOf(kind: RecordKind, id: string | number): number | undefined {
    const n = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    const index = n - this.idBase[kind];
    return Number.isInteger(index) && index >= 0 && index < this.counts[kind] ? index : undefined;
  }

  // ------------------------------------------------------------ clients

  private currencyOf(i: number) {
    const random = this.rng('currency', i);
    return random.chance(0.85) ? CURRENCIES[0]! : random.pick(CURRENCIES.slice(1));
  }

  clientTerms(i: number): number {
    return this.rng('terms', i).pick(TERMS);
  }

  client(i: number): StoredRecord<ClientBody> {
    const random = this.rng('client', i);
    const { first, last } = personNameAt(this.pools, i);
    const individual = i % 5 === 3;
    const { name, round } = companyNameAt(this.pools.companies, i);
    const organization = individual ? '' : round > 0 ? `${name} (${round + 1})` : name;
    const domain = individual ? random.pick(FREE_MAIL) : `${slug(name) || 'company'}${round > 0 ? `-${round + 1}` : ''}.${random.pick(TLDS)}`;
    const currency = this.currencyOf(i);
    const place = random.pick(this.pools.cities);
    const phone = () => `${random.int(200, 989)}-555-${String(random.int(0, 9999)).padStart(4, '0')}`;
    const createdMs = this.customerCreatedMs(i);
    return {
      id: String(this.id('clients', i)),
      createdMs,
      updatedMs: createdMs + CONTACT_LAG_MS,
      body: {
        fname: first,
        lname: last,
        organization,
        email: `${slug(first)}.${slug(last)}${i >= this.pools.firstNames.length ? i : ''}@${domain}`,
        bus_phone: individual ? '' : phone(),
        home_phone: null,
        mob_phone: random.chance(0.5) ? phone() : '',
        fax: '',
        note: null,
        p_street: random.pick(this.pools.streets),
        p_street2: '',
        p_city: place.city,
        p_province: place.state,
        p_code: place.zip,
        p_country: currency.country,
        s_street: '',
        s_street2: '',
        s_city: '',
        s_province: '',
        s_code: '',
        s_country: '',
        currency_code: currency.code,
        language: 'en',
        vat_name: null,
        vat_number: null,
        vis_state: i % 23 === 11 ? 2 : 0,
      },
    };
  }

  // ------------------------------------------------------------ invoices

  invoiceUpdatedMs(k: number): number {
    return this.invoiceCreatedMs(k) + INVOICE_LAG_MS;
  }

  /** The amount seeded payment `m` pays of its invoice's total. */
  private paymentAmount(m: number, total: number): number {
    const random = this.rng('payment-amount', m);
    return random.chance(0.7) ? total : round2(total * (0.2 + random.next() * 0.6));
  }

  private invoiceCore(k: number): { body: Omit<InvoiceBody, 'paid' | 'date_paid'>; total: number } {
    const random = this.rng('invoice', k);
    const i = this.customerOfInvoice(k);
    const client = this.client(i).body;
    const currency = CURRENCIES.find((c) => c.code === client.currency_code) ?? CURRENCIES[0]!;
    const lines: LineBody[] = [];
    const count = random.int(1, 5);
    for (let n = 0; n < count; n++) {
      const product = random.pick(this.pools.products);
      lines.push({
        lineid: n + 1,
        name: product.name,
        description: product.description,
        qty: random.int(1, 10),
        unit_cost: round2(product.rate / currency.rate),
        taxName1: '',
        taxAmount1: null,
        taxName2: '',
        taxAmount2: null,
        type: 0,
      });
    }
    const total = round2(lines.reduce((sum, line) => sum + round2(line.qty * line.unit_cost), 0));
    const draft = random.chance(0.08) && this.paymentOfInvoice(k) === undefined;
    return {
      total,
      body: {
        invoice_number: String(k + 1).padStart(7, '0'),
        customerid: this.id('clients', i),
        create_date: easternDate(this.invoiceCreatedMs(k)),
        due_offset_days: this.clientTerms(i),
        currency_code: currency.code,
        po_number: random.chance(0.4) ? `PO-${random.int(10_000, 99_999)}` : null,
        notes: 'Thanks for your business.',
        terms: null,
        description: '',
        discount_value: 0,
        status: draft ? 1 : 2,
        organization: client.organization,
        fname: client.fname,
        lname: client.lname,
        email: client.email,
        street: client.p_street,
        street2: client.p_street2,
        city: client.p_city,
        province: client.p_province,
        code: client.p_code,
        country: client.p_country,
        language: 'en',
        lines,
        vis_state: 0,
      },
    };
  }

  invoice(k: number): StoredRecord<InvoiceBody> {
    const core = this.invoiceCore(k);
    const m = this.paymentOfInvoice(k);
    const paid = m === undefined ? 0 : this.paymentAmount(m, core.total);
    return {
      id: String(this.id('invoices', k)),
      createdMs: this.invoiceCreatedMs(k),
      updatedMs: this.invoiceUpdatedMs(k),
      body: { ...core.body, paid, date_paid: m !== undefined && paid >= core.total ? easternDate(this.paymentCreatedMs(m)) : null },
    };
  }

  // ------------------------------------------------------------ payments

  payment(m: number): StoredRecord<PaymentBody> {
    const random = this.rng('payment', m);
    const k = this.invoiceOfPayment(m);
    const core = this.invoiceCore(k);
    const createdMs = this.paymentCreatedMs(m);
    return {
      id: String(this.id('payments', m)),
      createdMs,
      updatedMs: createdMs,
      body: {
        invoiceid: this.id('invoices', k),
        clientid: core.body.customerid,
        amount: this.paymentAmount(m, core.total),
        date: easternDate(createdMs),
        type: random.pick(PAYMENT_TYPES),
        note: '',
        transactionid: random.chance(0.3) ? `TX-${random.int(100_000, 999_999)}` : null,
        orderid: null,
        vis_state: 0,
      },
    };
  }

  // ------------------------------------------------------------ as base collections

  private base<B>(kind: RecordKind, created: (i: number) => number, lagMs: number, record: (i: number) => StoredRecord<B>): BaseRecords<B> {
    return {
      count: this.counts[kind],
      idOf: (index) => String(this.id(kind, index)),
      indexOf: (id) => this.indexOf(kind, id),
      updatedMs: (index) => created(index) + lagMs,
      record,
    };
  }

  baseClients(): BaseRecords<ClientBody> {
    return this.base('clients', (i) => this.customerCreatedMs(i), CONTACT_LAG_MS, (i) => this.client(i));
  }

  baseInvoices(): BaseRecords<InvoiceBody> {
    return this.base('invoices', (k) => this.invoiceCreatedMs(k), INVOICE_LAG_MS, (k) => this.invoice(k));
  }

  basePayments(): BaseRecords<PaymentBody> {
    return this.base('payments', (m) => this.paymentCreatedMs(m), 0, (m) => this.payment(m));
  }
}
