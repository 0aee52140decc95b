/**
 * One FreshBooks business's data plane (reference/freshbooks.md §4, §6):
 * clients, invoices with their lines, and payments, seeded deterministically
 * and held in overlaid collections, with the relations FreshBooks keeps: a
 * payment applied to an invoice moves its `paid`, `outstanding` and
 * statuses; deleting a payment (vis_state 1) gives the amount back. Every
 * change moves `updated` to now and is told to the listeners (the webhook
 * deliverer) as `<resource>.<action>`. Time comes only from the injected
 * clock; timestamps are whole seconds.
 */
import type { Clock } from '../../core/clock.ts';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';
import type { EventAction } from '../../systems/freshbooks/events.ts';
import {
  INVOICE_STATUS,
  type ClientCreate,
  type ClientUpdate,
  type InvoiceCreate,
  type InvoiceUpdate,
  type LineInput,
  type PaymentCreate,
  type PaymentUpdate,
  type Client,
  type Invoice,
  type LedgerAccount,
  type Line,
  type Payment,
} from '../../systems/freshbooks/schemas.ts';
import { easternDate, formatEasternTimestamp, formatUtcTimestamp, toWholeSecond } from '../../systems/freshbooks/timestamps.ts';
import type { z } from 'zod';
import type { Seed } from '../common/seeded-random.ts';
import { RecordCollection, type StoredRecord } from './collection.ts';
import { FreshBooksApiError, invalidField, notFound } from './errors.ts';
import {
  chartOfAccounts,
  FreshBooksSeed,
  round2,
  type BusinessSeed,
  type ClientBody,
  type InvoiceBody,
  type LedgerAccountSeed,
  type LineBody,
  type PaymentBody,
  type RecordKind,
  type SeedSize,
} from './seed.ts';

export const RECORD_KINDS: readonly RecordKind[] = ['clients', 'invoices', 'payments'];
export type { RecordKind };

export type EventResource = 'client' | 'invoice' | 'payment';

/** A change as the webhook deliverer hears of it. */
export interface ChangeEvent {
  accountId: string;
  resource: EventResource;
  action: EventAction;
  objectId: number;
  /** Epoch ms. */
  at: number;
}

export interface BusinessDataOptions {
  clock: Clock;
  seed: Seed;
  size: SeedSize;
  business: BusinessSeed;
}

const DAY = 86_400_000;
const money = (amount: number, code: string) => ({ amount: round2(amount).toFixed(2), code });
const text = (value: string | null | undefined, fallback = ''): string => (value === undefined || value === null ? fallback : value);

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export class BusinessData {
  readonly clock: Clock;
  readonly business: BusinessSeed;
  readonly seed: FreshBooksSeed;
  readonly clients: RecordCollection<ClientBody>;
  readonly invoices: RecordCollection<InvoiceBody>;
  readonly payments: RecordCollection<PaymentBody>;
  readonly ledger: LedgerAccountSeed[];
  private readonly anchorMs: number;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private next!: Record<RecordKind | 'invoiceNumber', number>;

  constructor(options: BusinessDataOptions) {
    this.clock = options.clock;
    this.business = options.business;
    this.anchorMs = options.clock.now();
    this.seed = new FreshBooksSeed({ seed: options.seed, size: options.size, anchorMs: this.anchorMs, accountId: options.business.accountId });
    this.clients = new RecordCollection(this.seed.baseClients());
    this.invoices = new RecordCollection(this.seed.baseInvoices());
    this.payments = new RecordCollection(this.seed.basePayments());
    this.ledger = chartOfAccounts(options.seed, options.business.accountId);
    this.resetCounters();
  }

  get accountId(): string {
    return this.business.accountId;
  }

  private resetCounters(): void {
    const { counts } = this.seed;
    this.next = { clients: counts.clients, invoices: counts.invoices, payments: counts.payments, invoiceNumber: counts.invoices + 1 };
  }

  /** Back to the seeded state. */
  reset(): void {
    for (const kind of RECORD_KINDS) this.collection(kind).reset();
    this.resetCounters();
  }

  collection(kind: RecordKind): RecordCollection<Record<string, unknown>> {
    return { clients: this.clients, invoices: this.invoices, payments: this.payments }[kind] as never;
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(resource: EventResource, action: EventAction, objectId: string): void {
    const event: ChangeEvent = { accountId: this.accountId, resource, action, objectId: Number(objectId), at: this.clock.now() };
    for (const listener of this.listeners) listener(event);
  }

  /** The current instant in whole seconds (FreshBooks' timestamps carry none finer). */
  now(): number {
    return toWholeSecond(this.clock.now());
  }

  private newId(kind: RecordKind): string {
    return String(this.seed.id(kind, this.next[kind]++));
  }

  private put<B>(collection: RecordCollection<B>, record: StoredRecord<B>, body: B): StoredRecord<B> {
    const next = { id: record.id, createdMs: record.createdMs, updatedMs: this.now(), body };
    collection.put(next);
    return next;
  }

  // ------------------------------------------------------------ rendering (FreshBooks' shapes, §4)

  renderClient(record: StoredRecord<ClientBody>): Client {
    const id = Number(record.id);
    return {
      id,
      userid: id,
      ...record.body,
      updated: formatEasternTimestamp(record.updatedMs),
      signup_date: formatUtcTimestamp(record.createdMs),
      accounting_systemid: this.accountId,
      role: 'client',
      num_logins: 0,
      last_activity: null,
      last_login: null,
      allow_late_fees: false,
      allow_late_notifications: false,
      has_retainer: false,
      retainer_id: null,
      level: 0,
      notified: false,
      pref_email: true,
      pref_gmail: false,
    };
  }

  private lineAmount(line: LineBody): number {
    return round2(line.qty * line.unit_cost);
  }

  /** Lines, discount and taxes (percentages of each line's amount) → the invoice's amount. */
  invoiceTotals(body: InvoiceBody): { subtotal: number; discount: number; tax: number; amount: number } {
    const subtotal = round2(body.lines.reduce((sum, line) => sum + this.lineAmount(line), 0));
    const tax = round2(
      body.lines.reduce((sum, line) => sum + (this.lineAmount(line) * ((line.taxAmount1 ?? 0) + (line.taxAmount2 ?? 0))) / 100, 0),
    );
    const discount = round2((subtotal * body.discount_value) / 100);
    return { subtotal, discount, tax, amount: round2(subtotal - discount + tax) };
  }

  renderInvoice(record: StoredRecord<InvoiceBody>, withLines: boolean): Invoice {
    const body = record.body;
    const id = Number(record.id);
    const { amount, discount } = this.invoiceTotals(body);
    const outstanding = Math.max(0, round2(amount - body.paid));
    const dueDate = addDays(body.create_date, body.due_offset_days);
    const fullyPaid = amount > 0 && body.paid >= amount;
    const partly = body.paid > 0 && !fullyPaid;
    const overdue = body.status === INVOICE_STATUS.sent && !fullyPaid && dueDate < easternDate(this.clock.now());
    const status = fullyPaid ? INVOICE_STATUS.paid : partly ? INVOICE_STATUS.partial : body.status;
    const v3 = fullyPaid ? 'paid' : partly ? 'partial' : body.status === INVOICE_STATUS.draft ? 'draft' : overdue ? 'overdue' : 'sent';
    const updated = formatEasternTimestamp(record.updatedMs);
    const { lines, paid: _paid, discount_value, ...rest } = body;
    return {
      ...rest,
      id,
      invoiceid: id,
      accountid: this.accountId,
      accounting_systemid: this.accountId,
      due_date: dueDate,
      created_at: formatEasternTimestamp(record.createdMs),
      updated,
      amount: money(amount, body.currency_code),
      outstanding: money(outstanding, body.currency_code),
      paid: money(body.paid, body.currency_code),
      discount_total: money(discount, body.currency_code),
      discount_value: String(discount_value),
      status,
      v3_status: v3,
      display_status: body.status === INVOICE_STATUS.draft && body.paid === 0 ? 'draft' : 'sent',
      payment_status: fullyPaid ? 'paid' : partly ? 'partial' : 'unpaid',
      template: 'clean-grouped',
      ...(withLines ? { lines: lines.map((line) => this.renderLine(line, id, body.currency_code, updated)) } : {}),
    };
  }

  private renderLine(line: LineBody, invoiceid: number, currency: string, updated: string): Line {
    return {
      lineid: line.lineid,
      invoiceid,
      name: line.name,
      description: line.description,
      qty: String(line.qty),
      unit_cost: money(line.unit_cost, currency),
      amount: money(this.lineAmount(line), currency),
      taxName1: line.taxName1,
      taxAmount1: line.taxAmount1 === null ? null : String(line.taxAmount1),
      taxName2: line.taxName2,
      taxAmount2: line.taxAmount2 === null ? null : String(line.taxAmount2),
      taxNumber1: null,
      taxNumber2: null,
      type: line.type,
      compounded_tax: false,
      updated,
      expenseid: 0,
      date: null,
      retainer_id: null,
      retainer_period_id: null,
    };
  }

  renderPayment(record: StoredRecord<PaymentBody>): Payment {
    const body = record.body;
    const id = Number(record.id);
    const currency = this.invoices.get(String(body.invoiceid))?.body.currency_code ?? 'USD';
    return {
      id,
      logid: id,
      invoiceid: body.invoiceid,
      clientid: body.clientid,
      amount: money(body.amount, currency),
      date: body.date,
      type: body.type,
      note: body.note,
      gateway: null,
      transactionid: body.transactionid,
      creditid: null,
      overpaymentid: null,
      orderid: body.orderid,
      from_credit: false,
      vis_state: body.vis_state,
      updated: formatEasternTimestamp(record.updatedMs),
      accounting_systemid: this.accountId,
    };
  }

  /** §6: a ledger account as the business-scoped API shows it. */
  renderLedgerAccount(account: LedgerAccountSeed): LedgerAccount {
    const subAccounts = this.ledger.filter((a) => a.parent !== undefined && this.ledger[a.parent] === account).map((a) => a.uuid);
    return {
      uuid: account.uuid,
      name: account.name,
      number: account.number,
      type: account.type,
      sub_type: account.subType,
      system_account_name: account.systemAccountName,
      auto_created: account.systemAccountName !== null,
      state: 'active',
      parent_account: account.parent === undefined ? null : this.ledger[account.parent]!.uuid,
      sub_accounts: subAccounts,
      description: '',
      updated_at: new Date(this.anchorMs - 800 * DAY).toISOString().replace('Z', '000Z'),
    };
  }

  // ------------------------------------------------------------ clients (§4)

  private liveClient(id: string | number): StoredRecord<ClientBody> {
    const record = this.clients.get(String(id));
    if (!record) throw notFound('client', String(id));
    return record;
  }

  createClient(input: z.output<typeof ClientCreate>): StoredRecord<ClientBody> {
    const named = [input.fname, input.lname, input.email, input.organization].some((v) => typeof v === 'string' && v.trim() !== '');
    // §4: "Create requires at least one of fname/lname/email/organization (error 7012)".
    if (!named) {
      throw new FreshBooksApiError(422, ERRNO.clientNameRequired, 'A client needs at least one of a first name, last name, email or organization.', {
        object: 'client',
        field: 'fname',
      });
    }
    const now = this.now();
    const body: ClientBody = {
      fname: text(input.fname),
      lname: text(input.lname),
      organization: text(input.organization),
      email: text(input.email),
      bus_phone: text(input.bus_phone),
      home_phone: input.home_phone ?? null,
      mob_phone: text(input.mob_phone),
      fax: text(input.fax),
      note: input.note ?? null,
      p_street: text(input.p_street),
      p_street2: text(input.p_street2),
      p_city: text(input.p_city),
      p_province: text(input.p_province),
      p_code: text(input.p_code),
      p_country: text(input.p_country),
      s_street: text(input.s_street),
      s_street2: text(input.s_street2),
      s_city: text(input.s_city),
      s_province: text(input.s_province),
      s_code: text(input.s_code),
      s_country: text(input.s_country),
      currency_code: (input.currency_code ?? 'USD').toUpperCase(),
      language: text(input.language, 'en'),
      vat_name: input.vat_name ?? null,
      vat_number: input.vat_number ?? null,
      vis_state: 0,
    };
    const record = { id: this.newId('clients'), createdMs: now, updatedMs: now, body };
    this.clients.put(record);
    this.emit('client', 'create', record.id);
    return record;
  }

  updateClient(id: string, input: z.output<typeof ClientUpdate>): StoredRecord<ClientBody> {
    const record = this.liveClient(id);
    const body: ClientBody = { ...record.body };
    for (const [key, value] of Object.entries(input)) {
      if (!(key in body) || value === undefined) continue;
      (body as unknown as Record<string, unknown>)[key] = key === 'currency_code' && typeof value === 'string' ? value.toUpperCase() : value;
    }
    const next = this.put(this.clients, record, body);
    this.emit('client', this.visAction(record.body.vis_state, body.vis_state), id);
    return next;
  }

  /** Deleting is `vis_state: 1` (§4); restoring or archiving is an update. */
  private visAction(before: number, after: number): EventAction {
    return after === 1 && before !== 1 ? 'delete' : 'update';
  }

  // ------------------------------------------------------------ invoices (§4)

  private lines(inputs: Array<z.output<typeof LineInput>>, currency: string): LineBody[] {
    return inputs.map((line, n) => {
      if (line.unit_cost.code !== undefined && line.unit_cost.code.toUpperCase() !== currency) {
        throw invalidField('invoice', `lines.${n}.unit_cost.code`, `A line's currency must be the invoice's (${currency}).`, line.unit_cost.code);
      }
      return {
        lineid: n + 1,
        name: line.name,
        description: text(line.description),
        qty: line.qty ?? 1,
        unit_cost: round2(line.unit_cost.amount),
        taxName1: text(line.taxName1),
        taxAmount1: line.taxAmount1 ?? null,
        taxName2: text(line.taxName2),
        taxAmount2: line.taxAmount2 ?? null,
        type: line.type ?? 0,
      };
    });
  }

  private liveInvoice(id: string | number): StoredRecord<InvoiceBody> {
    const record = this.invoices.get(String(id));
    if (!record) throw notFound('invoice', String(id));
    return record;
  }

  createInvoice(input: z.output<typeof InvoiceCreate>): StoredRecord<InvoiceBody> {
    const client = this.clients.get(String(input.customerid));
    if (!client || client.body.vis_state === 1) {
      throw invalidField('invoice', 'customerid', `Client ${input.customerid} does not exist.`, input.customerid);
    }
    const currency = (input.currency_code ?? client.body.currency_code).toUpperCase();
    const now = this.now();
    const c = client.body;
    const body: InvoiceBody = {
      invoice_number: input.invoice_number ?? String(this.next.invoiceNumber++).padStart(7, '0'),
      customerid: Number(client.id),
      // UNCERTAIN: FreshBooks may require create_date; the sandbox takes today when it is left out.
      create_date: input.create_date ?? easternDate(now),
      due_offset_days: input.due_offset_days ?? 0,
      currency_code: currency,
      po_number: input.po_number ?? null,
      notes: text(input.notes),
      terms: input.terms ?? null,
      description: text(input.description),
      discount_value: input.discount_value ?? 0,
      status: input.status ?? INVOICE_STATUS.draft,
      organization: input.organization ?? c.organization,
      fname: input.fname ?? c.fname,
      lname: input.lname ?? c.lname,
      email: input.email ?? c.email,
      street: c.p_street,
      street2: c.p_street2,
      city: c.p_city,
      province: c.p_province,
      code: c.p_code,
      country: c.p_country,
      language: c.language,
      lines: this.lines(input.lines ?? [], currency),
      paid: 0,
      date_paid: null,
      vis_state: 0,
    };
    const record = { id: this.newId('invoices'), createdMs: now, updatedMs: now, body };
    this.invoices.put(record);
    this.emit('invoice', 'create', record.id);
    return record;
  }

  updateInvoice(id: string, input: z.output<typeof InvoiceUpdate>): StoredRecord<InvoiceBody> {
    const record = this.liveInvoice(id);
    const body: InvoiceBody = { ...record.body };
    if (input.customerid !== undefined) {
      const client = this.clients.get(String(input.customerid));
      if (!client || client.body.vis_state === 1) throw invalidField('invoice', 'customerid', `Client ${input.customerid} does not exist.`, input.customerid);
      body.customerid = Number(client.id);
    }
    for (const key of ['create_date', 'due_offset_days', 'invoice_number', 'po_number', 'notes', 'terms', 'description', 'status', 'organization', 'fname', 'lname', 'email', 'vis_state'] as const) {
      if (input[key] !== undefined) (body as unknown as Record<string, unknown>)[key] = input[key];
    }
    if (input.discount_value !== undefined) body.discount_value = input.discount_value ?? 0;
    if (input.currency_code !== undefined) body.currency_code = input.currency_code.toUpperCase();
    // UNCERTAIN: FreshBooks' handling of `lines` on update; here they replace every line.
    if (input.lines !== undefined) body.lines = this.lines(input.lines, body.currency_code);
    const next = this.put(this.invoices, record, body);
    this.emit('invoice', this.visAction(record.body.vis_state, body.vis_state), id);
    return next;
  }

  // ------------------------------------------------------------ payments (§4)

  private livePayment(id: string | number): StoredRecord<PaymentBody> {
    const record = this.payments.get(String(id));
    if (!record) throw notFound('payment', String(id));
    return record;
  }

  /** Moves an invoice's paid amount by `delta` (a payment made, changed or deleted) and tells the listeners. */
  private applyToInvoice(invoiceId: number, delta: number, date: string): void {
    if (delta === 0) return;
    const invoice = this.invoices.get(String(invoiceId));
    if (!invoice) return;
    const paid = Math.max(0, round2(invoice.body.paid + delta));
    const { amount } = this.invoiceTotals(invoice.body);
    const datePaid = amount > 0 && paid >= amount ? (invoice.body.date_paid ?? date) : null;
    this.put(this.invoices, invoice, { ...invoice.body, paid, date_paid: datePaid });
    this.emit('invoice', 'update', invoice.id);
  }

  createPayment(input: z.output<typeof PaymentCreate>): StoredRecord<PaymentBody> {
    const invoice = this.invoices.get(String(input.invoiceid));
    if (!invoice || invoice.body.vis_state === 1) throw invalidField('payment', 'invoiceid', `Invoice ${input.invoiceid} does not exist.`, input.invoiceid);
    this.checkAmount(input.amount, invoice.body.currency_code);
    const now = this.now();
    const body: PaymentBody = {
      invoiceid: Number(invoice.id),
      clientid: invoice.body.customerid,
      amount: round2(input.amount.amount),
      date: input.date,
      type: input.type ?? 'Check',
      note: text(input.note),
      transactionid: input.transactionid ?? null,
      orderid: input.orderid ?? null,
      vis_state: input.vis_state === 1 ? 1 : 0,
    };
    const record = { id: this.newId('payments'), createdMs: now, updatedMs: now, body };
    this.payments.put(record);
    this.emit('payment', 'create', record.id);
    if (body.vis_state !== 1) this.applyToInvoice(body.invoiceid, body.amount, body.date);
    return record;
  }

  private checkAmount(amount: { amount: number; code?: string | undefined }, currency: string): void {
    if (!(amount.amount > 0)) throw invalidField('payment', 'amount', 'A payment’s amount must be more than zero.', amount.amount);
    if (amount.code !== undefined && amount.code.toUpperCase() !== currency) {
      throw invalidField('payment', 'amount.code', `A payment’s currency must be its invoice’s (${currency}).`, amount.code);
    }
  }

  updatePayment(id: string, input: z.output<typeof PaymentUpdate>): StoredRecord<PaymentBody> {
    const record = this.livePayment(id);
    const currency = this.invoices.get(String(record.body.invoiceid))?.body.currency_code ?? 'USD';
    if (input.amount !== undefined) this.checkAmount(input.amount, currency);
    const body: PaymentBody = { ...record.body };
    if (input.amount !== undefined) body.amount = round2(input.amount.amount);
    for (const key of ['date', 'type', 'note', 'transactionid', 'orderid', 'vis_state'] as const) {
      if (input[key] !== undefined) (body as unknown as Record<string, unknown>)[key] = input[key] ?? null;
    }
    body.note = text(body.note);
    const next = this.put(this.payments, record, body);
    this.emit('payment', this.visAction(record.body.vis_state, body.vis_state), id);
    const counted = (b: PaymentBody) => (b.vis_state === 1 ? 0 : b.amount);
    this.applyToInvoice(body.invoiceid, round2(counted(body) - counted(record.body)), body.date);
    return next;
  }

  // ------------------------------------------------------------ reads

  getClient(id: string): StoredRecord<ClientBody> {
    return this.liveClient(id);
  }

  getInvoice(id: string): StoredRecord<InvoiceBody> {
    return this.liveInvoice(id);
  }

  getPayment(id: string): StoredRecord<PaymentBody> {
    return this.livePayment(id);
  }

  // ------------------------------------------------------------ admin: bulk data, raw fields, times

  /** Inserts records as given (stored bodies), bypassing validation; missing fields take defaults. */
  bulkInsert(kind: RecordKind, records: Array<Record<string, unknown>>): string[] {
    const now = this.now();
    return records.map((input) => {
      const { createdMs, updatedMs, ...fields } = input;
      const created = typeof createdMs === 'number' ? toWholeSecond(createdMs) : now;
      const updated = typeof updatedMs === 'number' ? toWholeSecond(updatedMs) : Math.max(created, now);
      const id = this.newId(kind);
      this.collection(kind).put({ id, createdMs: created, updatedMs: updated, body: { ...this.defaults(kind), ...fields } });
      return id;
    });
  }

  private defaults(kind: RecordKind): Record<string, unknown> {
    if (kind === 'clients') {
      const blank = Object.fromEntries(Object.keys(this.seed.client(0).body).map((key) => [key, '']));
      return { ...blank, home_phone: null, note: null, vat_name: null, vat_number: null, currency_code: 'USD', language: 'en', vis_state: 0 };
    }
    if (kind === 'invoices') {
      return {
        invoice_number: String(this.next.invoiceNumber++).padStart(7, '0'),
        customerid: 0,
        create_date: easternDate(this.clock.now()),
        due_offset_days: 0,
        currency_code: 'USD',
        po_number: null,
        notes: '',
        terms: null,
        description: '',
        discount_value: 0,
        status: INVOICE_STATUS.sent,
        organization: '',
        fname: '',
        lname: '',
        email: '',
        street: '',
        street2: '',
        city: '',
        province: '',
        code: '',
        country: '',
        language: 'en',
        lines: [],
        paid: 0,
        date_paid: null,
        vis_state: 0,
      };
    }
    return { invoiceid: 0, clientid: 0, amount: 0, date: easternDate(this.clock.now()), type: 'Check', note: '', transactionid: null, orderid: null, vis_state: 0 };
  }

  /** Sets stored fields as given, bypassing every rule (an invoice in currency `XYZ`). */
  setFields(kind: RecordKind, id: string, fields: Record<string, unknown>, touch: boolean): StoredRecord<Record<string, unknown>> | undefined {
    const collection = this.collection(kind);
    const record = collection.get(id);
    if (!record) return undefined;
    const next = { ...record, updatedMs: touch ? this.now() : record.updatedMs, body: { ...structuredClone(record.body), ...fields } };
    collection.put(next);
    return next;
  }

  /** Gives many records one `updated` instant (ties at page edges); returns the ids it found. */
  setUpdatedTime(kind: RecordKind, ids: readonly string[], at: number): string[] {
    const collection = this.collection(kind);
    const found: string[] = [];
    for (const id of ids) {
      const record = collection.get(id);
      if (!record) continue;
      collection.put({ ...record, updatedMs: toWholeSecond(at) });
      found.push(id);
    }
    return found;
  }
}
