/**
 * The Zoho Books sandbox's data plane: one organization's contacts, contact
 * persons, invoices and customer payments (reference/zohobooks.md §6), seeded
 * deterministically and held in virtual collections, with the relations
 * Zoho keeps: a payment's applications reduce invoice balances and set their
 * status; a contact's list entry shows its primary person and what it owes.
 * Time comes only from the injected clock; timestamps are whole seconds.
 */
import type { Clock } from '../../core/clock.ts';
import type { Contact, ContactPerson, ContactSummary, CustomerPayment, Invoice, InvoiceSummary, PaymentSummary } from '../../systems/zohobooks/schemas.ts';
import { formatZohoDate, formatZohoTimestamp, toWholeSecond } from '../../systems/zohobooks/timestamps.ts';
import type { Seed } from '../common/seeded-random.ts';
import type { OrganizationSettings } from './context.ts';
import {
  KIND_CODES,
  ZohoSeed,
  type ContactBody,
  type ContactPersonBody,
  type InvoiceBody,
  type PaymentBody,
  type RecordKind,
  type SeedSize,
} from './seed.ts';
import { VirtualCollection, type StoredRecord } from './virtual-collection.ts';

export type { RecordKind } from './seed.ts';
export const RECORD_KINDS: readonly RecordKind[] = ['contacts', 'contactpersons', 'invoices', 'customerpayments'];

export interface ZohoBooksDataOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
  settings: OrganizationSettings;
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** Statuses that owe nothing and take no payments. */
const CLOSED_STATUSES = new Set(['draft', 'void']);

export class ZohoBooksData {
  readonly clock: Clock;
  /** Mutable: the admin surface changes the plan, limits, data centre and time zone at run time. */
  readonly settings: OrganizationSettings;
  readonly seed: ZohoSeed;
  readonly contacts: VirtualCollection<ContactBody>;
  readonly persons: VirtualCollection<ContactPersonBody>;
  readonly invoices: VirtualCollection<InvoiceBody>;
  readonly payments: VirtualCollection<PaymentBody>;
  /** Indices of records created since the seed, per kind (ids continue after the seeded ones). */
  private next!: Record<RecordKind | 'lineItems' | 'invoiceNumber' | 'paymentNumber', number>;

  constructor(options: ZohoBooksDataOptions) {
    this.clock = options.clock;
    this.settings = options.settings;
    const anchorMs = options.clock.now();
    this.seed = new ZohoSeed({ seed: options.seed, size: options.size, anchorMs, utcOffsetMinutes: () => this.settings.utcOffsetMinutes });
    const seed = this.seed;
    const baseIndex = (kind: RecordKind, id: string) => seed.baseIndex(kind, id);
    this.contacts = new VirtualCollection(seed.baseContacts());
    this.persons = new VirtualCollection(seed.basePersons(), {
      byContact: {
        keysOf: (r: StoredRecord<ContactPersonBody>) => [r.body.contact_id],
        baseIndices: (contactId: string) => {
          const i = baseIndex('contacts', contactId);
          return i === undefined ? [] : seed.personsOfCustomer(i);
        },
      },
    });
    this.invoices = new VirtualCollection(seed.baseInvoices(), {
      byCustomer: {
        keysOf: (r: StoredRecord<InvoiceBody>) => [r.body.customer_id],
        baseIndices: (customerId: string) => {
          const i = baseIndex('contacts', customerId);
          return i === undefined ? [] : seed.invoicesOfCustomer(i);
        },
      },
    });
    this.payments = new VirtualCollection(seed.basePayments(), {
      byInvoice: {
        keysOf: (r: StoredRecord<PaymentBody>) => r.body.invoices.map((a) => a.invoice_id),
        baseIndices: (invoiceId: string) => {
          const k = baseIndex('invoices', invoiceId);
          const m = k === undefined ? undefined : seed.paymentOfInvoice(k);
          return m === undefined || seed.payment(m).body.invoices.length === 0 ? [] : [m];
        },
      },
      byCustomer: {
        keysOf: (r: StoredRecord<PaymentBody>) => [r.body.customer_id],
        baseIndices: (customerId: string) => {
          const i = baseIndex('contacts', customerId);
          return i === undefined ? [] : seed.paymentsOfCustomer(i);
        },
      },
    });
    this.resetCounters();
  }

  private resetCounters(): void {
    const { counts } = this.seed;
    this.next = {
      contacts: counts.customers,
      contactpersons: counts.contactPersons,
      invoices: counts.invoices,
      customerpayments: counts.payments,
      // Seeded line items use indices below invoices × 8.
      lineItems: Math.max(counts.invoices * 8, 80_000_000),
      invoiceNumber: counts.invoices + 1,
      paymentNumber: counts.payments + 1,
    };
  }

  /** Back to the seeded state (the seed's layout is fixed at construction, so a reset organization equals a new one). */
  reset(): void {
    for (const collection of this.collections()) collection.reset();
    this.resetCounters();
  }

  private collections(): Array<VirtualCollection<unknown>> {
    return [this.contacts, this.persons, this.invoices, this.payments] as Array<VirtualCollection<unknown>>;
  }

  collection(kind: RecordKind): VirtualCollection<Record<string, unknown>> {
    return { contacts: this.contacts, contactpersons: this.persons, invoices: this.invoices, customerpayments: this.payments }[kind] as never;
  }

  /** Records kept in memory across all kinds (the changed and created ones). */
  get overlaySize(): number {
    return this.collections().reduce((sum, c) => sum + c.overlaySize, 0);
  }

  /** The current instant in whole seconds (Zoho's timestamps carry none finer). */
  now(): number {
    return toWholeSecond(this.clock.now());
  }

  newId(kind: RecordKind | 'lineItems'): string {
    const code = kind === 'lineItems' ? KIND_CODES.lineItems : KIND_CODES[kind];
    return this.seed.ids.id(code, this.next[kind]++);
  }

  nextInvoiceNumber(): string {
    return `INV-${String(this.next.invoiceNumber++).padStart(6, '0')}`;
  }

  nextPaymentNumber(): string {
    return String(this.next.paymentNumber++);
  }

  timestamp(ms: number): string {
    return formatZohoTimestamp(ms, this.settings.utcOffsetMinutes);
  }

  today(): string {
    return formatZohoDate(this.clock.now(), this.settings.utcOffsetMinutes);
  }

  /** Stores a changed copy of a record with its modification time moved to now (or `modifiedMs`). */
  touch<B>(collection: VirtualCollection<B>, record: StoredRecord<B>, body: B, modifiedMs = this.now()): StoredRecord<B> {
    const next = { id: record.id, createdMs: record.createdMs, modifiedMs, body };
    collection.put(next);
    return next;
  }

  // ------------------------------------------------------------ relations

  personsOf(contactId: string): StoredRecord<ContactPersonBody>[] {
    return [...this.persons.members('byContact', contactId)];
  }

  invoicesOf(customerId: string): StoredRecord<InvoiceBody>[] {
    return [...this.invoices.members('byCustomer', customerId)];
  }

  paymentsOfCustomer(customerId: string): StoredRecord<PaymentBody>[] {
    return [...this.payments.members('byCustomer', customerId)];
  }

  paymentsOfInvoice(invoiceId: string): StoredRecord<PaymentBody>[] {
    return [...this.payments.members('byInvoice', invoiceId)];
  }

  // ------------------------------------------------------------ rendering (Zoho's shapes, §6)

  renderPerson(record: StoredRecord<ContactPersonBody>): ContactPerson {
    return {
      ...record.body,
      created_time: this.timestamp(record.createdMs),
      last_modified_time: this.timestamp(record.modifiedMs),
    };
  }

  /** §6.1: first_name, last_name, email, phone come from the primary contact person. */
  renderContactSummary(record: StoredRecord<ContactBody>): ContactSummary {
    const body = record.body;
    const persons = this.personsOf(record.id);
    const primary = persons.find((p) => p.body.is_primary_contact)?.body;
    let outstanding = 0;
    for (const invoice of this.invoicesOf(record.id)) {
      if (!CLOSED_STATUSES.has(invoice.body.status)) outstanding += Number(invoice.body.balance) || 0;
    }
    let unused = 0;
    for (const payment of this.paymentsOfCustomer(record.id)) unused += Number(payment.body.unused_amount) || 0;
    return {
      contact_id: body.contact_id,
      contact_name: body.contact_name,
      company_name: body.company_name,
      contact_type: body.contact_type,
      status: body.status,
      payment_terms: body.payment_terms,
      payment_terms_label: body.payment_terms_label,
      currency_id: body.currency_id,
      currency_code: body.currency_code,
      outstanding_receivable_amount: round2(outstanding),
      unused_credits_receivable_amount: round2(unused),
      first_name: primary?.first_name ?? '',
      last_name: primary?.last_name ?? '',
      email: primary?.email ?? '',
      phone: primary?.phone ?? '',
      mobile: primary?.mobile ?? '',
      created_time: this.timestamp(record.createdMs),
      last_modified_time: this.timestamp(record.modifiedMs),
    };
  }

  renderContact(record: StoredRecord<ContactBody>): Contact {
    const persons = this.personsOf(record.id);
    const { contact_id: _id, contact_name: _name, company_name: _company, contact_type: _type, status: _status, ...rest } = record.body;
    return {
      ...rest,
      ...this.renderContactSummary(record),
      contact_persons: persons.map((p) => this.renderPerson(p)),
      primary_contact_id: persons.find((p) => p.body.is_primary_contact)?.id ?? '',
    };
  }

  /** A sent (or partially paid) invoice past its due date reads as overdue; stored status otherwise. */
  invoiceStatus(body: InvoiceBody): string {
    if (body.status === 'sent' && typeof body.due_date === 'string' && body.due_date !== '' && body.due_date < this.today()) return 'overdue';
    return body.status;
  }

  renderInvoiceSummary(record: StoredRecord<InvoiceBody>): InvoiceSummary {
    const b = record.body;
    return {
      invoice_id: b.invoice_id,
      invoice_number: b.invoice_number,
      customer_id: b.customer_id,
      customer_name: b.customer_name,
      status: this.invoiceStatus(b),
      date: b.date,
      due_date: b.due_date,
      reference_number: b.reference_number,
      currency_id: b.currency_id,
      currency_code: b.currency_code,
      exchange_rate: b.exchange_rate,
      total: b.total,
      balance: b.balance,
      created_time: this.timestamp(record.createdMs),
      last_modified_time: this.timestamp(record.modifiedMs),
    };
  }

  renderInvoice(record: StoredRecord<InvoiceBody>): Invoice {
    return { ...record.body, ...this.renderInvoiceSummary(record) };
  }

  renderPaymentSummary(record: StoredRecord<PaymentBody>): PaymentSummary {
    const { invoices, account_id: _account, account_name: _accountName, custom_fields: _fields, ...rest } = record.body;
    return {
      ...rest,
      invoice_numbers: invoices.map((a) => a.invoice_number ?? '').join(','),
      created_time: this.timestamp(record.createdMs),
      last_modified_time: this.timestamp(record.modifiedMs),
    };
  }

  renderPayment(record: StoredRecord<PaymentBody>): CustomerPayment {
    return { ...record.body, ...this.renderPaymentSummary(record) };
  }

  // ------------------------------------------------------------ admin: bulk data, raw fields, times

  /**
   * Inserts records as given, bypassing validation (the admin surface's
   * bulk load). Missing ids, numbers and times are filled in; invoice
   * totals are computed from `line_items` unless given.
   */
  bulkInsert(kind: RecordKind, records: Array<Record<string, unknown>>): string[] {
    const now = this.now();
    return records.map((input) => {
      const { created_time, last_modified_time, createdMs, modifiedMs, ...fields } = input as Record<string, unknown> & {
        createdMs?: unknown;
        modifiedMs?: unknown;
      };
      const created = readTime(createdMs ?? created_time) ?? now;
      const modified = readTime(modifiedMs ?? last_modified_time) ?? Math.max(created, now);
      const id = this.newId(kind);
      const body = this.defaults(kind, id, fields);
      this.collection(kind).put({ id, createdMs: toWholeSecond(created), modifiedMs: toWholeSecond(modified), body });
      return id;
    });
  }

  private defaults(kind: RecordKind, id: string, fields: Record<string, unknown>): Record<string, unknown> {
    const base = this.seed.currencies[0]!;
    switch (kind) {
      case 'contacts': {
        const name = String(fields.contact_name ?? fields.company_name ?? `Customer ${id}`);
        return {
          contact_name: name,
          company_name: name,
          contact_type: 'customer',
          customer_sub_type: 'business',
          status: 'active',
          payment_terms: 0,
          payment_terms_label: 'Due on Receipt',
          currency_id: base.id,
          currency_code: base.code,
          website: '',
          credit_limit: 0,
          notes: '',
          billing_address: {},
          shipping_address: {},
          custom_fields: [],
          is_linked_with_zohocrm: false,
          ...fields,
          contact_id: id,
        };
      }
      case 'contactpersons':
        return {
          contact_id: '',
          salutation: '',
          first_name: '',
          last_name: '',
          email: '',
          phone: '',
          mobile: '',
          designation: '',
          department: '',
          skype: '',
          is_primary_contact: false,
          enable_portal: false,
          ...fields,
          contact_person_id: id,
        };
      case 'invoices': {
        const lines = Array.isArray(fields.line_items) ? (fields.line_items as Array<Record<string, unknown>>) : [];
        const lineItems = lines.map((line, n) => {
          const rate = Number(line.rate ?? 0);
          const quantity = Number(line.quantity ?? 1);
          return {
            item_order: n + 1,
            item_total: round2(rate * quantity - Number(line.discount ?? 0)),
            discount: 0,
            ...line,
            rate,
            quantity,
            line_item_id: typeof line.line_item_id === 'string' ? line.line_item_id : this.newId('lineItems'),
          };
        });
        const total = round2(lineItems.reduce((sum, line) => sum + Number(line.item_total), 0));
        const customer = typeof fields.customer_id === 'string' ? this.contacts.get(fields.customer_id)?.body : undefined;
        return {
          invoice_number: this.nextInvoiceNumber(),
          customer_id: '',
          customer_name: customer?.contact_name ?? '',
          status: 'sent',
          date: this.today(),
          due_date: this.today(),
          payment_terms: 0,
          payment_terms_label: 'Due on Receipt',
          reference_number: '',
          currency_id: customer?.currency_id ?? base.id,
          currency_code: customer?.currency_code ?? base.code,
          exchange_rate: 1,
          sub_total: total,
          tax_total: 0,
          discount: 0,
          total,
          payment_made: 0,
          balance: total,
          contact_persons: [],
          notes: '',
          terms: '',
          custom_fields: [],
          ...fields,
          line_items: lineItems,
          invoice_id: id,
        };
      }
      case 'customerpayments': {
        const amount = Number(fields.amount ?? 0);
        return {
          payment_number: this.nextPaymentNumber(),
          customer_id: '',
          customer_name: '',
          payment_mode: 'cash',
          date: this.today(),
          amount,
          unused_amount: amount,
          bank_charges: 0,
          reference_number: '',
          description: '',
          currency_id: base.id,
          currency_code: base.code,
          exchange_rate: 1,
          account_id: this.seed.depositAccount.id,
          account_name: this.seed.depositAccount.name,
          invoices: [],
          custom_fields: [],
          ...fields,
          payment_id: id,
        };
      }
    }
  }

  /**
   * Sets field values as given, bypassing every rule (tests need an invoice
   * in currency "XYZ" or a person with email "not-an-email"). Moves the
   * modification time to now unless `touch` is false or the fields set it.
   */
  setFields(kind: RecordKind, id: string, fields: Record<string, unknown>, touch = true): StoredRecord<Record<string, unknown>> | undefined {
    const collection = this.collection(kind);
    const record = collection.get(id);
    if (!record) return undefined;
    const { created_time, last_modified_time, ...rest } = fields;
    const idField = { contacts: 'contact_id', contactpersons: 'contact_person_id', invoices: 'invoice_id', customerpayments: 'payment_id' }[kind];
    const body = { ...structuredClone(record.body), ...rest, [idField]: id };
    const modified = readTime(last_modified_time) ?? (touch ? this.now() : record.modifiedMs);
    const created = readTime(created_time) ?? record.createdMs;
    const next = { id, createdMs: toWholeSecond(created), modifiedMs: toWholeSecond(modified), body };
    collection.put(next);
    return next;
  }

  /** Moves many records' modification time to one instant; returns the ids it found. */
  setModifiedTime(kind: RecordKind, ids: readonly string[], at: number): string[] {
    const collection = this.collection(kind);
    const found: string[] = [];
    for (const id of ids) {
      const record = collection.get(id);
      if (!record) continue;
      collection.put({ ...record, modifiedMs: toWholeSecond(at) });
      found.push(id);
    }
    return found;
  }
}

/** Epoch ms from a number or a Zoho/ISO timestamp; undefined when absent or unreadable. */
function readTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return undefined;
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}
