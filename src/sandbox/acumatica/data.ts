/**
 * The Acumatica sandbox's data plane: one tenant's customers, contacts, sales
 * invoices and payments (reference/acumatica.md §3), seeded deterministically
 * and held in key-ordered entity stores, with the arithmetic Acumatica keeps:
 * a payment's applications reduce its invoices' Balance, raise their
 * PaymentTotal and move them Open → Closed (and back when withdrawn). Every
 * change moves LastModifiedDateTime to the clock's now (milliseconds) and is
 * told to listeners (push notifications, §9).
 */
import type { Clock } from '../../core/clock.ts';
import type { EntityName } from '../../systems/acumatica/schemas.ts';
import type { Seed } from '../common/seeded-random.ts';
import { ENTITY_SPECS } from './entities.ts';
import { EntityStore, type StoredRecord } from './entity-store.ts';
import {
  AcumaticaSeed,
  customerIdOf,
  dateOnly,
  documentSortKey,
  FIRST_CONTACT_ID,
  invoiceNbrOf,
  paymentNbrOf,
  round2,
  type ApplicationBody,
  type ContactBody,
  type CustomerBody,
  type GuidKind,
  type InvoiceBody,
  type PaymentBody,
  type SeedSize,
} from './seed.ts';

export interface EntityBodies {
  Customer: CustomerBody;
  Contact: ContactBody;
  SalesInvoice: InvoiceBody;
  Payment: PaymentBody;
}

export type AnyRecord = StoredRecord<Record<string, unknown>>;

export interface ChangeEvent {
  entity: EntityName;
  kind: 'inserted' | 'updated' | 'deleted';
  before: AnyRecord | undefined;
  after: AnyRecord | undefined;
}

export interface AcumaticaDataOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
}

/** An invoice can take payments once released and while not voided. */
export const PAYABLE_STATUSES = new Set(['Open', 'Closed']);

export class AcumaticaData {
  readonly clock: Clock;
  readonly seed: AcumaticaSeed;
  readonly customers: EntityStore<CustomerBody>;
  readonly contacts: EntityStore<ContactBody>;
  readonly invoices: EntityStore<InvoiceBody>;
  readonly payments: EntityStore<PaymentBody>;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private next!: Record<GuidKind | 'customerId' | 'contactId' | 'invoiceNbr' | 'paymentNbr', number>;

  constructor(options: AcumaticaDataOptions) {
    this.clock = options.clock;
    this.seed = new AcumaticaSeed({ seed: options.seed, size: options.size, anchorMs: options.clock.now() });
    const seed = this.seed;
    const customerIndex = (customerId: string) => seed.baseCustomers().indexOfKey(customerId.toUpperCase());
    this.customers = new EntityStore(seed.baseCustomers());
    this.contacts = new EntityStore(seed.baseContacts(), {
      byCustomer: {
        keysOf: (body) => (body.BusinessAccount ? [body.BusinessAccount.toUpperCase()] : []),
        baseIndices: (key) => {
          const i = customerIndex(key);
          return i === undefined ? [] : seed.contactsOfCustomer(i);
        },
      },
    });
    this.invoices = new EntityStore(seed.baseInvoices(), {
      byCustomer: {
        keysOf: (body) => (body.CustomerID ? [body.CustomerID.toUpperCase()] : []),
        baseIndices: (key) => {
          const i = customerIndex(key);
          return i === undefined ? [] : seed.invoicesOfCustomer(i);
        },
      },
    });
    this.payments = new EntityStore(seed.basePayments(), {
      byInvoice: {
        keysOf: (body) => body.DocumentsToApply.map((a) => documentSortKey(a.DocType, a.ReferenceNbr)),
        baseIndices: (key) => {
          const k = seed.baseInvoices().indexOfKey(key);
          const m = k === undefined ? undefined : seed.paymentOfInvoice(k);
          return m === undefined || seed.payment(m).body.DocumentsToApply.length === 0 ? [] : [m];
        },
      },
      byCustomer: {
        keysOf: (body) => (body.CustomerID ? [body.CustomerID.toUpperCase()] : []),
        baseIndices: (key) => {
          const i = customerIndex(key);
          return i === undefined ? [] : seed.paymentsOfCustomer(i);
        },
      },
    });
    this.resetCounters();
  }

  private resetCounters(): void {
    const { counts } = this.seed;
    this.next = {
      customer: counts.customers,
      contact: counts.contacts,
      invoice: counts.invoices,
      payment: counts.payments,
      invoiceLine: Math.max(counts.invoices * 8, 80_000_000),
      application: Math.max(counts.payments, 80_000_000),
      customerId: counts.customers,
      contactId: counts.contacts,
      invoiceNbr: counts.invoices,
      paymentNbr: counts.payments,
    };
  }

  /** Back to the seeded state (the layout is fixed at construction, so a reset tenant equals a new one). */
  reset(): void {
    for (const name of Object.keys(ENTITY_SPECS) as EntityName[]) this.store(name).reset();
    this.resetCounters();
  }

  store<E extends EntityName>(entity: E): EntityStore<EntityBodies[E]> {
    const stores = { Customer: this.customers, Contact: this.contacts, SalesInvoice: this.invoices, Payment: this.payments };
    return stores[entity] as unknown as EntityStore<EntityBodies[E]>;
  }

  anyStore(entity: EntityName): EntityStore<Record<string, unknown>> {
    return this.store(entity) as unknown as EntityStore<Record<string, unknown>>;
  }

  /** Records kept in memory across all entities (the changed and created ones). */
  get overlaySize(): number {
    return (Object.keys(ENTITY_SPECS) as EntityName[]).reduce((sum, name) => sum + this.store(name).overlaySize, 0);
  }

  now(): number {
    return this.clock.now();
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ChangeEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // ------------------------------------------------------------ new keys and ids

  newGuid(kind: GuidKind): string {
    return this.seed.guids.guid(kind, this.next[kind]++);
  }

  newCustomerId(): string {
    for (;;) {
      const id = customerIdOf(this.next.customerId++);
      if (!this.customers.get(id)) return id;
    }
  }

  newContactId(): number {
    return FIRST_CONTACT_ID + this.next.contactId++;
  }

  newInvoiceNbr(): string {
    for (;;) {
      const nbr = invoiceNbrOf(this.next.invoiceNbr++);
      if (!this.invoices.get(documentSortKey('Invoice', nbr))) return nbr;
    }
  }

  newPaymentNbr(): string {
    for (;;) {
      const nbr = paymentNbrOf(this.next.paymentNbr++);
      if (!this.payments.get(documentSortKey('Payment', nbr))) return nbr;
    }
  }

  // ------------------------------------------------------------ writing

  /** Stores a record (new or a new version) and tells the listeners. */
  save<E extends EntityName>(entity: E, record: StoredRecord<EntityBodies[E]>): StoredRecord<EntityBodies[E]> {
    const store = this.store(entity);
    const before = store.get(record.key);
    store.put(record);
    this.emit({ entity, kind: before ? 'updated' : 'inserted', before: before as unknown as AnyRecord | undefined, after: record as unknown as AnyRecord });
    return record;
  }

  /** A new version of `record` with `body`, modified now (or at `modifiedMs`). */
  touch<E extends EntityName>(entity: E, record: StoredRecord<EntityBodies[E]>, body: EntityBodies[E], modifiedMs = this.now()): StoredRecord<EntityBodies[E]> {
    return this.save(entity, { key: record.key, guid: record.guid, createdMs: record.createdMs, modifiedMs, body });
  }

  remove(entity: EntityName, key: string): AnyRecord | undefined {
    const before = this.anyStore(entity).delete(key);
    if (before) this.emit({ entity, kind: 'deleted', before, after: undefined });
    return before;
  }

  // ------------------------------------------------------------ relations

  contactsOf(customerId: string): Array<StoredRecord<ContactBody>> {
    return [...this.contacts.members('byCustomer', customerId.toUpperCase())];
  }

  invoicesOf(customerId: string): Array<StoredRecord<InvoiceBody>> {
    return [...this.invoices.members('byCustomer', customerId.toUpperCase())];
  }

  paymentsOfCustomer(customerId: string): Array<StoredRecord<PaymentBody>> {
    return [...this.payments.members('byCustomer', customerId.toUpperCase())];
  }

  paymentsOfInvoice(type: string, referenceNbr: string): Array<StoredRecord<PaymentBody>> {
    return [...this.payments.members('byInvoice', documentSortKey(type, referenceNbr))];
  }

  // ------------------------------------------------------------ payments and balances

  /** Adds (`sign` 1) or withdraws (`sign` -1) applications on their invoices, moving Balance, PaymentTotal, Status. */
  applyToInvoices(applications: readonly ApplicationBody[], sign: 1 | -1, now = this.now()): void {
    for (const application of applications) {
      const invoice = this.invoices.get(documentSortKey(application.DocType, application.ReferenceNbr));
      // An invoice deleted behind the data plane's back (admin) has nothing left to update.
      if (!invoice) continue;
      const body = structuredClone(invoice.body);
      body.PaymentTotal = round2(Math.max(0, body.PaymentTotal + sign * application.AmountPaid));
      body.Balance = round2(Math.max(0, body.Amount - body.PaymentTotal));
      if (PAYABLE_STATUSES.has(body.Status ?? '')) body.Status = body.Balance <= 0 ? 'Closed' : 'Open';
      this.touch('SalesInvoice', invoice, body, now);
    }
  }

  /** A payment's status and unapplied balance from its applications. */
  settlePayment(body: PaymentBody): PaymentBody {
    const applied = round2(body.DocumentsToApply.reduce((sum, a) => sum + a.AmountPaid, 0));
    body.AppliedToDocuments = applied;
    body.AvailableBalance = round2(body.PaymentAmount - applied);
    if (body.Status !== 'On Hold' && body.Status !== 'Voided') body.Status = body.AvailableBalance <= 0 ? 'Closed' : 'Open';
    return body;
  }

  /**
   * Admin: a payment of `amount` (default: the whole balance) applied to one
   * invoice, as a clerk would enter and release it. Moves the invoice to
   * Closed when paid in full; a part payment leaves it Open with a lower Balance.
   */
  payInvoice(type: string, referenceNbr: string, amount?: number): { payment: StoredRecord<PaymentBody>; invoice: StoredRecord<InvoiceBody> } | string {
    const invoice = this.invoices.get(documentSortKey(type, referenceNbr));
    if (!invoice) return `No sales invoice ${type}/${referenceNbr}.`;
    if (invoice.body.Status !== 'Open') return `Sales invoice ${type}/${referenceNbr} is ${invoice.body.Status ?? 'not open'}; only Open invoices take payments.`;
    const paid = round2(amount ?? invoice.body.Balance);
    if (!(paid > 0) || paid > invoice.body.Balance + 0.005) return `The amount must be more than 0 and at most the balance (${invoice.body.Balance.toFixed(2)}).`;
    const now = this.now();
    const referenceNbrOfPayment = this.newPaymentNbr();
    const body = this.settlePayment({
      Type: 'Payment',
      ReferenceNbr: referenceNbrOfPayment,
      CustomerID: invoice.body.CustomerID,
      Status: 'Open',
      ApplicationDate: dateOnly(now),
      PaymentAmount: paid,
      AvailableBalance: paid,
      AppliedToDocuments: 0,
      PaymentMethod: 'CHECK',
      PaymentRef: null,
      CashAccount: '10200',
      CurrencyID: invoice.body.Currency,
      Description: `Payment of ${type} ${referenceNbr}`,
      Hold: false,
      DocumentsToApply: [{ id: this.newGuid('application'), DocType: type, ReferenceNbr: referenceNbr, AmountPaid: paid, Description: null }],
      note: null,
    });
    const payment = this.save('Payment', {
      key: documentSortKey('Payment', referenceNbrOfPayment),
      guid: this.newGuid('payment'),
      createdMs: now,
      modifiedMs: now,
      body,
    });
    this.applyToInvoices(body.DocumentsToApply, 1, now);
    return { payment, invoice: this.invoices.get(invoice.key)! };
  }

  // ------------------------------------------------------------ admin: bulk data, raw fields, times

  /**
   * Inserts records as given (plain form), bypassing validation; missing
   * keys, ids and times are filled in. Invoice totals come from Details
   * unless given.
   */
  bulkInsert(entity: EntityName, records: Array<Record<string, unknown>>): string[] {
    const now = this.now();
    const spec = ENTITY_SPECS[entity];
    return records.map((input) => {
      const { LastModifiedDateTime, createdMs, modifiedMs, ...fields } = input as Record<string, unknown> & { createdMs?: unknown; modifiedMs?: unknown };
      const created = readTime(createdMs) ?? now;
      const modified = readTime(modifiedMs ?? LastModifiedDateTime) ?? Math.max(created, now);
      const body = this.defaults(entity, fields);
      const key = spec.sortKeyOf(body);
      const existing = this.anyStore(entity).get(key);
      this.save(entity, {
        key,
        guid: existing?.guid ?? this.newGuid(spec.guidKind),
        createdMs: existing?.createdMs ?? created,
        modifiedMs: modified,
        body: body as never,
      });
      return spec.naturalKey(body);
    });
  }

  private defaults(entity: EntityName, fields: Record<string, unknown>): Record<string, unknown> {
    const address = { AddressLine1: null, AddressLine2: null, City: null, State: null, PostalCode: null, Country: null };
    const info = { DisplayName: null, FirstName: null, LastName: null, Email: null, Phone1: null, WebSite: null, Attention: null, Address: address };
    switch (entity) {
      case 'Customer': {
        const id = typeof fields.CustomerID === 'string' ? fields.CustomerID.toUpperCase() : this.newCustomerId();
        return {
          CustomerName: `Customer ${id}`,
          CustomerClass: 'DEFAULT',
          Status: 'Active',
          Email: null,
          CurrencyID: 'USD',
          Terms: 'NET30',
          CreditLimit: 0,
          AccountRef: null,
          PrimaryContactID: null,
          MainContact: { ...info, ...(fields.MainContact as object | undefined) },
          BillingContact: { ...info, ...(fields.BillingContact as object | undefined) },
          note: null,
          ...fields,
          CustomerID: id,
        };
      }
      case 'Contact':
        return {
          DisplayName: [fields.FirstName, fields.LastName].filter((s) => typeof s === 'string').join(' ') || null,
          FirstName: null,
          LastName: null,
          Email: null,
          Phone1: null,
          JobTitle: null,
          CompanyName: null,
          BusinessAccount: null,
          Active: true,
          Status: 'Active',
          Type: 'Contact',
          Address: { ...address, ...(fields.Address as object | undefined) },
          note: null,
          ...fields,
          ContactID: typeof fields.ContactID === 'number' ? fields.ContactID : this.newContactId(),
        };
      case 'SalesInvoice': {
        const lines = Array.isArray(fields.Details) ? (fields.Details as Array<Record<string, unknown>>) : [];
        const details = lines.map((line, n) => {
          const qty = Number(line.Qty ?? 1);
          const price = Number(line.UnitPrice ?? 0);
          return {
            LineNbr: n + 1,
            InventoryID: null,
            Description: null,
            UOM: 'EA',
            ...line,
            Qty: qty,
            UnitPrice: price,
            Amount: typeof line.Amount === 'number' ? line.Amount : round2(qty * price),
            id: typeof line.id === 'string' ? line.id : this.newGuid('invoiceLine'),
          };
        });
        const amount = round2(details.reduce((sum, line) => sum + Number(line.Amount), 0));
        const today = dateOnly(this.now());
        return {
          Type: 'Invoice',
          CustomerID: null,
          Status: 'Open',
          Date: today,
          DueDate: today,
          Currency: 'USD',
          Amount: amount,
          Balance: amount,
          DetailTotal: amount,
          TaxTotal: 0,
          PaymentTotal: 0,
          Description: null,
          CustomerOrder: null,
          Hold: false,
          note: null,
          ...fields,
          ReferenceNbr: typeof fields.ReferenceNbr === 'string' ? fields.ReferenceNbr : this.newInvoiceNbr(),
          Details: details,
        };
      }
      case 'Payment': {
        const amount = Number(fields.PaymentAmount ?? 0);
        const apps = Array.isArray(fields.DocumentsToApply) ? (fields.DocumentsToApply as Array<Record<string, unknown>>) : [];
        return {
          Type: 'Payment',
          CustomerID: null,
          Status: 'Open',
          ApplicationDate: null,
          PaymentAmount: amount,
          AvailableBalance: amount,
          AppliedToDocuments: 0,
          PaymentMethod: 'CHECK',
          PaymentRef: null,
          CashAccount: '10200',
          CurrencyID: 'USD',
          Description: null,
          Hold: false,
          note: null,
          ...fields,
          ReferenceNbr: typeof fields.ReferenceNbr === 'string' ? fields.ReferenceNbr : this.newPaymentNbr(),
          DocumentsToApply: apps.map((a) => ({ Description: null, ...a, id: typeof a.id === 'string' ? a.id : this.newGuid('application') })),
        };
      }
    }
  }

  /**
   * Sets field values as given, bypassing every rule (tests need an invoice
   * in currency "XYZ" or a contact with email "not-an-email"). Moves the
   * modification time to now unless `touch` is false or the fields set it.
   */
  setFields(entity: EntityName, key: string, fields: Record<string, unknown>, touch = true): AnyRecord | undefined {
    const store = this.anyStore(entity);
    const record = store.get(key);
    if (!record) return undefined;
    const { LastModifiedDateTime, id: _id, ...rest } = fields;
    const spec = ENTITY_SPECS[entity];
    const body = { ...structuredClone(record.body), ...rest };
    // Keys stay: a record's identity does not change through this door.
    for (const field of spec.keyFields) body[field] = record.body[field];
    const modified = readTime(LastModifiedDateTime) ?? (touch ? this.now() : record.modifiedMs);
    return this.save(entity, { key: record.key, guid: record.guid, createdMs: record.createdMs, modifiedMs: modified, body } as never) as unknown as AnyRecord;
  }

  /** Moves many records' LastModifiedDateTime to one instant; returns the keys it found. */
  setModifiedTime(entity: EntityName, keys: readonly string[], at: number): string[] {
    const store = this.anyStore(entity);
    const found: string[] = [];
    for (const key of keys) {
      const record = store.get(key);
      if (!record) continue;
      this.save(entity, { ...record, modifiedMs: at } as never);
      found.push(key);
    }
    return found;
  }
}

/** Epoch ms from a number or an ISO date-time; undefined when absent or unreadable. */
export function readTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

