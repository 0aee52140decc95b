/**
 * PUT and DELETE as the contract API does them (reference/acumatica.md §4):
 * a PUT finds its record by the key fields in the body, else by `id`, else
 * by `$filter`, and creates one when nothing matches; `If-None-Match: *`
 * creates only and `If-Match: *` updates only (412 otherwise). Only the
 * fields sent are written, and a PUT that changes nothing leaves
 * LastModifiedDateTime alone. Validation problems answer 422 with the
 * record echoed and `error` on each field that failed.
 */
import { CUSTOMER_STATUSES } from '../../systems/acumatica/schemas.ts';
import { parseAcumaticaDateTime } from '../../systems/acumatica/timestamps.ts';
import { unwrapEntity } from '../../systems/acumatica/values.ts';
import { PAYABLE_STATUSES, type AcumaticaData, type AnyRecord, type EntityBodies } from './data.ts';
import type { EntitySpec } from './entities.ts';
import type { StoredRecord } from './entity-store.ts';
import { AcumaticaApiError, badRequest, preconditionFailed, refused } from './errors.ts';
import { matches, modifiedRange, type FilterExpr } from './odata-filter.ts';
import { plainView } from './render.ts';
import {
  CURRENCIES,
  dateOnly,
  documentSortKey,
  round2,
  TERMS,
  type AddressBody,
  type ApplicationBody,
  type ContactBody,
  type ContactInfoBody,
  type CustomerBody,
  type InvoiceBody,
  type InvoiceLineBody,
  type PaymentBody,
} from './seed.ts';

type Json = Record<string, unknown>;

interface FieldProblem {
  path: Array<string | number>;
  message: string;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const INVOICE_TYPES = ['Invoice', 'Debit Memo', 'Credit Memo'];
const PAYMENT_TYPES = ['Payment', 'Prepayment'];
const DAY = 86_400_000;

/** A 422 (§4): the body as sent, with `error` on each field that failed and on the record. */
function invalid(wire: Json, problems: FieldProblem[]): AcumaticaApiError {
  const echo = structuredClone(wire);
  for (const problem of problems) {
    let node: Json = echo;
    for (let i = 0; i < problem.path.length - 1; i++) {
      const key = problem.path[i]!;
      const next = (node as Record<string | number, unknown>)[key];
      if (!isObject(next) && !Array.isArray(next)) (node as Record<string | number, unknown>)[key] = {};
      node = (node as Record<string | number, unknown>)[key] as Json;
    }
    const last = problem.path[problem.path.length - 1]!;
    const wrapper = (node as Record<string | number, unknown>)[last];
    (node as Record<string | number, unknown>)[last] = { ...(isObject(wrapper) ? wrapper : {}), error: problem.message };
  }
  echo.error = `The record has ${problems.length === 1 ? 'an error' : `${problems.length} errors`}; see the fields marked with "error".`;
  return new AcumaticaApiError(422, echo);
}

function text(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return typeof value === 'string' ? value : String(value);
}

function numberOf(value: unknown, path: Array<string | number>, problems: FieldProblem[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) {
    problems.push({ path, message: 'The value is not a number.' });
    return undefined;
  }
  return n;
}

function mergeAddress(current: AddressBody, input: unknown): AddressBody {
  if (!isObject(input)) return current;
  const next = { ...current };
  for (const field of Object.keys(current) as Array<keyof AddressBody>) {
    const value = text(input[field]);
    if (value !== undefined) next[field] = value;
  }
  return next;
}

function mergeContactInfo(current: ContactInfoBody, input: unknown): ContactInfoBody {
  if (!isObject(input)) return current;
  const next = { ...current, Address: mergeAddress(current.Address, input.Address) };
  for (const field of ['DisplayName', 'FirstName', 'LastName', 'Email', 'Phone1', 'WebSite', 'Attention'] as const) {
    const value = text(input[field]);
    if (value !== undefined) next[field] = value;
  }
  return next;
}

function mergeCustom(current: EntityBodies[keyof EntityBodies]['custom'], input: unknown): EntityBodies[keyof EntityBodies]['custom'] {
  if (!isObject(input)) return current;
  const next = structuredClone(current ?? {});
  for (const [view, fields] of Object.entries(input)) {
    if (!isObject(fields)) continue;
    next[view] = { ...(next[view] ?? {}), ...(fields as Record<string, string | number | boolean | null>) };
  }
  return next;
}

function checkEmail(value: string | null | undefined, path: Array<string | number>, problems: FieldProblem[]): void {
  if (value !== null && value !== undefined && value !== '' && !EMAIL.test(value)) problems.push({ path, message: `'${value}' is not a valid email address.` });
}

const emptyAddress = (): AddressBody => ({ AddressLine1: null, AddressLine2: null, City: null, State: null, PostalCode: null, Country: null });
const emptyInfo = (): ContactInfoBody => ({
  DisplayName: null,
  FirstName: null,
  LastName: null,
  Email: null,
  Phone1: null,
  WebSite: null,
  Attention: null,
  Address: emptyAddress(),
});

function setText<B>(body: B, plain: Json, fields: ReadonlyArray<keyof B & string>): void {
  for (const field of fields) {
    const value = text(plain[field]);
    if (value !== undefined) (body as Record<string, unknown>)[field] = value;
  }
}

// ---------------------------------------------------------------- per entity

interface Prepared<B> {
  body: B;
  problems: FieldProblem[];
  /** Runs after the record is saved (a payment's applications move its invoices). */
  after?: (record: StoredRecord<B>) => void;
}

function prepareCustomer(data: AcumaticaData, plain: Json, existing: CustomerBody | undefined): Prepared<CustomerBody> {
  const problems: FieldProblem[] = [];
  const body: CustomerBody = existing
    ? structuredClone(existing)
    : {
        CustomerID: '',
        CustomerName: null,
        CustomerClass: 'DEFAULT',
        Status: 'Active',
        Email: null,
        CurrencyID: 'USD',
        Terms: 'NET30',
        CreditLimit: 0,
        AccountRef: null,
        PrimaryContactID: null,
        MainContact: emptyInfo(),
        BillingContact: emptyInfo(),
        note: null,
      };
  setText(body, plain, ['CustomerName', 'CustomerClass', 'Status', 'Email', 'CurrencyID', 'Terms', 'AccountRef']);
  const credit = numberOf(plain.CreditLimit, ['CreditLimit'], problems);
  if (credit !== undefined) body.CreditLimit = credit;
  const primary = numberOf(plain.PrimaryContactID, ['PrimaryContactID'], problems);
  if (primary !== undefined) body.PrimaryContactID = primary;
  body.MainContact = mergeContactInfo(body.MainContact, plain.MainContact);
  body.BillingContact = mergeContactInfo(body.BillingContact, plain.BillingContact);
  if (plain.note !== undefined) body.note = text(plain.note) ?? null;
  if (plain.custom !== undefined) body.custom = mergeCustom(body.custom, plain.custom);
  if (!existing) {
    const id = text(plain.CustomerID);
    if (id !== undefined && id !== null && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$/.test(id)) {
      problems.push({ path: ['CustomerID'], message: 'The Customer ID may have up to 30 letters, digits, "-" and "_".' });
    }
    body.CustomerID = id ? id.toUpperCase() : '';
  }
  if (!body.CustomerName || body.CustomerName.trim() === '') problems.push({ path: ['CustomerName'], message: "'Customer Name' cannot be empty." });
  if (body.Status !== null && !(CUSTOMER_STATUSES as readonly string[]).includes(body.Status)) {
    problems.push({ path: ['Status'], message: `'${body.Status}' is not one of the allowed values (${CUSTOMER_STATUSES.join(', ')}).` });
  }
  if (body.CurrencyID !== null && !CURRENCIES.some((c) => c.id === body.CurrencyID)) problems.push({ path: ['CurrencyID'], message: "'Currency ID' cannot be found in the system." });
  if (body.Terms !== null && !(body.Terms in TERMS)) problems.push({ path: ['Terms'], message: "'Terms' cannot be found in the system." });
  checkEmail(body.Email, ['Email'], problems);
  checkEmail(body.MainContact.Email, ['MainContact', 'Email'], problems);
  checkEmail(body.BillingContact.Email, ['BillingContact', 'Email'], problems);
  return { body, problems };
}

function prepareContact(data: AcumaticaData, plain: Json, existing: ContactBody | undefined): Prepared<ContactBody> {
  const problems: FieldProblem[] = [];
  const body: ContactBody = existing
    ? structuredClone(existing)
    : {
        ContactID: 0,
        DisplayName: null,
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
        Address: emptyAddress(),
        note: null,
      };
  setText(body, plain, ['DisplayName', 'FirstName', 'LastName', 'Email', 'Phone1', 'JobTitle', 'CompanyName', 'BusinessAccount']);
  if (typeof plain.Active === 'boolean') {
    body.Active = plain.Active;
    body.Status = plain.Active ? 'Active' : 'Inactive';
  }
  body.Address = mergeAddress(body.Address, plain.Address);
  if (plain.note !== undefined) body.note = text(plain.note) ?? null;
  if (plain.custom !== undefined) body.custom = mergeCustom(body.custom, plain.custom);
  if (!body.LastName || body.LastName.trim() === '') problems.push({ path: ['LastName'], message: "'Last Name' cannot be empty." });
  if (body.BusinessAccount) {
    const customer = data.customers.get(body.BusinessAccount.toUpperCase());
    if (!customer) problems.push({ path: ['BusinessAccount'], message: "'Business Account' cannot be found in the system." });
    else {
      body.BusinessAccount = customer.body.CustomerID;
      if (plain.CompanyName === undefined && (!existing || existing.BusinessAccount !== body.BusinessAccount)) body.CompanyName = customer.body.CustomerName;
    }
  }
  if (plain.DisplayName === undefined && (plain.FirstName !== undefined || plain.LastName !== undefined || !existing)) {
    body.DisplayName = [body.FirstName, body.LastName].filter((s) => s).join(' ') || null;
  }
  checkEmail(body.Email, ['Email'], problems);
  return { body, problems };
}

function prepareInvoice(data: AcumaticaData, plain: Json, existing: InvoiceBody | undefined): Prepared<InvoiceBody> {
  const problems: FieldProblem[] = [];
  if (existing && (existing.Status === 'Closed' || existing.Status === 'Voided')) {
    throw refused(`The document ${existing.Type} ${existing.ReferenceNbr} is ${existing.Status} and cannot be changed.`);
  }
  const type = text(plain.Type) ?? existing?.Type ?? 'Invoice';
  if (!INVOICE_TYPES.includes(type)) problems.push({ path: ['Type'], message: `'${type}' is not one of the allowed values (${INVOICE_TYPES.join(', ')}).` });
  const body: InvoiceBody = existing
    ? structuredClone(existing)
    : {
        Type: type,
        ReferenceNbr: '',
        CustomerID: null,
        Status: 'Open',
        Date: dateOnly(data.now()),
        DueDate: null,
        Currency: null,
        Amount: 0,
        Balance: 0,
        DetailTotal: 0,
        TaxTotal: 0,
        PaymentTotal: 0,
        Description: null,
        CustomerOrder: null,
        Hold: false,
        Details: [],
        note: null,
      };
  if (!existing) body.ReferenceNbr = text(plain.ReferenceNbr) ?? '';
  setText(body, plain, ['CustomerID', 'Currency', 'Description', 'CustomerOrder']);
  for (const field of ['Date', 'DueDate'] as const) {
    const value = text(plain[field]);
    if (value === undefined) continue;
    if (value !== null && parseAcumaticaDateTime(value) === undefined) problems.push({ path: [field], message: `'${value}' is not a date.` });
    else body[field] = value === null ? null : dateOnly(parseAcumaticaDateTime(value)!);
  }
  if (typeof plain.Hold === 'boolean') body.Hold = plain.Hold;
  if (plain.note !== undefined) body.note = text(plain.note) ?? null;
  if (plain.custom !== undefined) body.custom = mergeCustom(body.custom, plain.custom);

  const customer = body.CustomerID ? data.customers.get(body.CustomerID.toUpperCase()) : undefined;
  if (!body.CustomerID) problems.push({ path: ['CustomerID'], message: "'Customer' cannot be empty." });
  else if (!customer) problems.push({ path: ['CustomerID'], message: "'Customer' cannot be found in the system." });
  else body.CustomerID = customer.body.CustomerID;
  if (existing && existing.PaymentTotal > 0 && body.CustomerID !== existing.CustomerID) {
    problems.push({ path: ['CustomerID'], message: 'The customer of a document with applied payments cannot change.' });
  }
  if (!existing && plain.Currency === undefined) body.Currency = customer?.body.CurrencyID ?? 'USD';
  if (body.Currency !== null && !CURRENCIES.some((c) => c.id === body.Currency)) problems.push({ path: ['Currency'], message: "'Currency' cannot be found in the system." });
  if (!body.DueDate && body.Date) body.DueDate = dateOnly(parseAcumaticaDateTime(body.Date)! + (TERMS[customer?.body.Terms ?? 'NET30'] ?? 30) * DAY);

  if (Array.isArray(plain.Details)) {
    const lines = [...body.Details];
    plain.Details.forEach((input: unknown, n) => {
      if (!isObject(input)) return problems.push({ path: ['Details', n], message: 'A line must be an object.' });
      const index = typeof input.id === 'string' ? lines.findIndex((line) => line.id === input.id) : -1;
      if (typeof input.id === 'string' && index < 0) return problems.push({ path: ['Details', n, 'InventoryID'], message: 'The line id is not a line of this document.' });
      if (input.delete === true) {
        if (index >= 0) lines.splice(index, 1);
        return;
      }
      const line: InvoiceLineBody =
        index >= 0
          ? { ...lines[index]! }
          : { id: data.newGuid('invoiceLine'), LineNbr: 0, InventoryID: null, Description: null, Qty: 1, UnitPrice: 0, Amount: 0, UOM: 'EA' };
      setText(line, input, ['InventoryID', 'Description', 'UOM']);
      const qty = numberOf(input.Qty, ['Details', n, 'Qty'], problems);
      const price = numberOf(input.UnitPrice, ['Details', n, 'UnitPrice'], problems);
      if (qty !== undefined) line.Qty = qty;
      if (price !== undefined) line.UnitPrice = price;
      if (line.Qty < 0) problems.push({ path: ['Details', n, 'Qty'], message: 'The quantity cannot be negative.' });
      if (line.UnitPrice < 0) problems.push({ path: ['Details', n, 'UnitPrice'], message: 'The unit price cannot be negative.' });
      line.Amount = round2(line.Qty * line.UnitPrice);
      if (index >= 0) lines[index] = line;
      else lines.push(line);
    });
    body.Details = lines.map((line, n) => ({ ...line, LineNbr: line.LineNbr > 0 ? line.LineNbr : n + 1 }));
  }
  body.DetailTotal = round2(body.Details.reduce((sum, line) => sum + line.Amount, 0));
  body.Amount = round2(body.DetailTotal + body.TaxTotal);
  if (body.Amount + 0.005 < body.PaymentTotal) problems.push({ path: ['Amount'], message: `The amount cannot be less than what was paid (${body.PaymentTotal.toFixed(2)}).` });
  body.Balance = round2(Math.max(0, body.Amount - body.PaymentTotal));
  // No release step in the sandbox: a document off hold is Open at once (known deviation).
  body.Status = body.Hold ? 'On Hold' : body.Balance <= 0 && body.PaymentTotal > 0 ? 'Closed' : 'Open';
  return { body, problems };
}

function preparePayment(data: AcumaticaData, plain: Json, existing: PaymentBody | undefined): Prepared<PaymentBody> {
  const problems: FieldProblem[] = [];
  if (existing && existing.Status === 'Voided') throw refused(`The payment ${existing.ReferenceNbr} is Voided and cannot be changed.`);
  const type = text(plain.Type) ?? existing?.Type ?? 'Payment';
  if (!PAYMENT_TYPES.includes(type)) problems.push({ path: ['Type'], message: `'${type}' is not one of the allowed values (${PAYMENT_TYPES.join(', ')}).` });
  const body: PaymentBody = existing
    ? structuredClone(existing)
    : {
        Type: type,
        ReferenceNbr: '',
        CustomerID: null,
        Status: 'Open',
        ApplicationDate: dateOnly(data.now()),
        PaymentAmount: 0,
        AvailableBalance: 0,
        AppliedToDocuments: 0,
        PaymentMethod: 'CHECK',
        PaymentRef: null,
        CashAccount: '10200',
        CurrencyID: null,
        Description: null,
        Hold: false,
        DocumentsToApply: [],
        note: null,
      };
  if (!existing) body.ReferenceNbr = text(plain.ReferenceNbr) ?? '';
  setText(body, plain, ['CustomerID', 'PaymentMethod', 'PaymentRef', 'CashAccount', 'CurrencyID', 'Description']);
  const applicationDate = text(plain.ApplicationDate);
  if (applicationDate) {
    const ms = parseAcumaticaDateTime(applicationDate);
    if (ms === undefined) problems.push({ path: ['ApplicationDate'], message: `'${applicationDate}' is not a date.` });
    else body.ApplicationDate = dateOnly(ms);
  }
  const amount = numberOf(plain.PaymentAmount, ['PaymentAmount'], problems);
  if (amount !== undefined) body.PaymentAmount = round2(amount);
  if (plain.note !== undefined) body.note = text(plain.note) ?? null;
  if (plain.custom !== undefined) body.custom = mergeCustom(body.custom, plain.custom);
  if (!(body.PaymentAmount > 0)) problems.push({ path: ['PaymentAmount'], message: "'Payment Amount' must be greater than 0." });

  const customer = body.CustomerID ? data.customers.get(body.CustomerID.toUpperCase()) : undefined;
  if (!body.CustomerID) problems.push({ path: ['CustomerID'], message: "'Customer' cannot be empty." });
  else if (!customer) problems.push({ path: ['CustomerID'], message: "'Customer' cannot be found in the system." });
  else body.CustomerID = customer.body.CustomerID;
  if (!existing && plain.CurrencyID === undefined) body.CurrencyID = customer?.body.CurrencyID ?? 'USD';

  const previous = existing?.DocumentsToApply ?? [];
  if (Array.isArray(plain.DocumentsToApply)) {
    const kept: ApplicationBody[] = [];
    let remaining = body.PaymentAmount;
    const seen = new Set<string>();
    plain.DocumentsToApply.forEach((input: unknown, n) => {
      if (!isObject(input)) return problems.push({ path: ['DocumentsToApply', n], message: 'An application must be an object.' });
      if (input.delete === true) return;
      const docType = text(input.DocType) ?? 'Invoice';
      const referenceNbr = text(input.ReferenceNbr);
      if (!referenceNbr) return problems.push({ path: ['DocumentsToApply', n, 'ReferenceNbr'], message: "'Reference Nbr.' cannot be empty." });
      const key = documentSortKey(docType, referenceNbr);
      if (seen.has(key)) return problems.push({ path: ['DocumentsToApply', n, 'ReferenceNbr'], message: 'The document is listed twice.' });
      seen.add(key);
      const invoice = data.invoices.get(key);
      if (!invoice) return problems.push({ path: ['DocumentsToApply', n, 'ReferenceNbr'], message: "'Reference Nbr.' cannot be found in the system." });
      if (customer && invoice.body.CustomerID !== customer.body.CustomerID) {
        return problems.push({ path: ['DocumentsToApply', n, 'ReferenceNbr'], message: 'The document belongs to another customer.' });
      }
      const already = previous.find((p) => p.DocType === docType && p.ReferenceNbr === referenceNbr);
      if (!PAYABLE_STATUSES.has(invoice.body.Status ?? '') || (invoice.body.Status === 'Closed' && !already)) {
        return problems.push({ path: ['DocumentsToApply', n, 'ReferenceNbr'], message: `The document is ${invoice.body.Status ?? 'not released'} and cannot take payments.` });
      }
      const available = round2(invoice.body.Balance + (already?.AmountPaid ?? 0));
      const requested = numberOf(input.AmountPaid, ['DocumentsToApply', n, 'AmountPaid'], problems);
      const paid = round2(requested ?? Math.min(available, Math.max(0, remaining)));
      if (paid <= 0) return problems.push({ path: ['DocumentsToApply', n, 'AmountPaid'], message: "'Amount Paid' must be greater than 0." });
      if (paid > available + 0.005) return problems.push({ path: ['DocumentsToApply', n, 'AmountPaid'], message: `'Amount Paid' cannot exceed the document's balance (${available.toFixed(2)}).` });
      remaining = round2(remaining - paid);
      kept.push({ id: already?.id ?? data.newGuid('application'), DocType: docType, ReferenceNbr: referenceNbr, AmountPaid: paid, Description: text(input.Description) ?? already?.Description ?? null });
    });
    if (remaining < -0.005) problems.push({ path: ['PaymentAmount'], message: 'The amounts applied exceed the payment amount.' });
    body.DocumentsToApply = kept;
  } else if (body.DocumentsToApply.reduce((sum, a) => sum + a.AmountPaid, 0) > body.PaymentAmount + 0.005) {
    problems.push({ path: ['PaymentAmount'], message: 'The payment amount cannot be less than what is applied.' });
  }
  data.settlePayment(body);
  return {
    body,
    problems,
    after: () => {
      const now = data.now();
      data.applyToInvoices(previous, -1, now);
      data.applyToInvoices(body.DocumentsToApply, 1, now);
    },
  };
}

// ---------------------------------------------------------------- PUT and DELETE

export interface PutOptions {
  filter: FilterExpr | undefined;
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
}

function locate(data: AcumaticaData, spec: EntitySpec, plain: Json, options: PutOptions): AnyRecord | undefined {
  const store = data.anyStore(spec.name);
  const hasKeys = spec.keyFields.every((field) => plain[field] !== undefined && plain[field] !== null && plain[field] !== '');
  if (hasKeys) {
    const key = spec.sortKeyFromKeys(spec.keyFields.map((field) => String(plain[field])));
    const found = key === undefined ? undefined : store.get(key);
    if (found || spec.name !== 'Contact') return found;
  }
  if (typeof plain.id === 'string') return store.getByGuid(plain.id);
  if (options.filter) {
    for (const record of store.scan(modifiedRange(options.filter))) if (matches(options.filter, plainView(spec, record))) return record;
  }
  return undefined;
}

export function putRecord(data: AcumaticaData, spec: EntitySpec, wire: unknown, options: PutOptions): AnyRecord {
  if (!isObject(wire)) throw badRequest('The request body must be a JSON object: the record to create or update.');
  const plain = unwrapEntity(wire);
  const found = locate(data, spec, plain, options);
  if (found && options.ifNoneMatch?.trim() === '*') throw preconditionFailed(`The ${spec.name} record already exists (If-None-Match: *).`);
  if (!found && options.ifMatch?.trim() === '*') throw preconditionFailed(`No ${spec.name} record matches (If-Match: *).`);

  const prepared = (() => {
    switch (spec.name) {
      case 'Customer':
        return prepareCustomer(data, plain, found?.body as CustomerBody | undefined);
      case 'Contact':
        return prepareContact(data, plain, found?.body as ContactBody | undefined);
      case 'SalesInvoice':
        return prepareInvoice(data, plain, found?.body as InvoiceBody | undefined);
      case 'Payment':
        return preparePayment(data, plain, found?.body as PaymentBody | undefined);
    }
  })() as unknown as Prepared<Json>;
  if (prepared.problems.length > 0) throw invalid(wire, prepared.problems);

  const body = prepared.body;
  if (found && JSON.stringify(found.body) === JSON.stringify(body)) return found;
  if (!found) {
    // Keys the instance numbers are taken only once the record is valid.
    if (spec.name === 'Customer' && !body.CustomerID) body.CustomerID = data.newCustomerId();
    if (spec.name === 'Contact') body.ContactID = data.newContactId();
    if (spec.name === 'SalesInvoice' && !body.ReferenceNbr) body.ReferenceNbr = data.newInvoiceNbr();
    if (spec.name === 'Payment' && !body.ReferenceNbr) body.ReferenceNbr = data.newPaymentNbr();
    if (data.anyStore(spec.name).get(spec.sortKeyOf(body))) throw refused(`A ${spec.name} record ${spec.naturalKey(body)} already exists.`);
  }
  const now = data.now();
  const record = data.save(spec.name, {
    key: found?.key ?? spec.sortKeyOf(body),
    guid: found?.guid ?? data.newGuid(spec.guidKind),
    createdMs: found?.createdMs ?? now,
    modifiedMs: now,
    body: body as never,
  }) as unknown as AnyRecord;
  prepared.after?.(record);
  return data.anyStore(spec.name).get(record.key)!;
}

/** DELETE (§4: 204): documents with applications and customers with documents are refused. */
export function deleteRecord(data: AcumaticaData, spec: EntitySpec, record: AnyRecord): void {
  switch (spec.name) {
    case 'Customer': {
      const id = String(record.body.CustomerID);
      if (data.invoicesOf(id).length > 0 || data.paymentsOfCustomer(id).length > 0) {
        throw refused(`The customer ${id} has documents and cannot be deleted.`);
      }
      for (const contact of data.contactsOf(id)) data.touch('Contact', contact, { ...contact.body, BusinessAccount: null });
      break;
    }
    case 'SalesInvoice': {
      const body = record.body as unknown as InvoiceBody;
      if (body.PaymentTotal > 0 || data.paymentsOfInvoice(body.Type, body.ReferenceNbr).length > 0) {
        throw refused(`The document ${body.Type} ${body.ReferenceNbr} has payments applied and cannot be deleted.`);
      }
      break;
    }
    case 'Payment': {
      const body = record.body as unknown as PaymentBody;
      data.remove(spec.name, record.key);
      data.applyToInvoices(body.DocumentsToApply, -1);
      return;
    }
    default:
      break;
  }
  data.remove(spec.name, record.key);
}
