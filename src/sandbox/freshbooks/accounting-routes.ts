/**
 * The account-scoped accounting API (reference/freshbooks.md §4, §5) under
 * `/accounting/account/<accountId>/…`: clients, invoices (lines with
 * `include[]=lines`) and payments. GET lists and reads, POST creates, PUT
 * updates (and deletes with `vis_state: 1`: the accounting API has no
 * DELETE); every body and answer wraps the record in its key (`client`,
 * `invoice`, `payment`) inside `{"response": {"result": …}}`.
 */
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { ACCOUNTING_PATHS } from '../../systems/freshbooks/paths.ts';
import {
  ClientCreate,
  ClientUpdate,
  InvoiceCreate,
  InvoiceUpdate,
  PaymentCreate,
  PaymentUpdate,
} from '../../systems/freshbooks/schemas.ts';
import type { FreshBooksEnv } from './context.ts';
import type { BusinessData } from './data.ts';
import { invalidField, invalidParameter, sendJson } from './errors.ts';
import { listPage, readListQuery, type ResourceListSpec } from './listing.ts';
import type { ClientBody, InvoiceBody, PaymentBody } from './seed.ts';

/** Reads `{"<key>": {...}}` and checks the inner object; the first problem is answered as a field error. */
export async function readWrapped<S extends z.ZodType>(c: Context, key: string, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    const text = await c.req.text();
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw invalidParameter(key, 'The request body is not valid JSON.');
  }
  const inner = json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[key] : undefined;
  if (inner === undefined || inner === null || typeof inner !== 'object') throw invalidField(key, key, `The body must be {"${key}": {...}}.`);
  const result = schema.safeParse(inner);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || key;
  throw invalidField(key, field, `${field}: ${issue.message}`);
}

const idParam = (c: Context, name: string) => {
  const id = c.req.param(name) ?? '';
  if (!/^\d+$/.test(id)) throw invalidParameter(name, `${name} must be a number`, id);
  return id;
};

const business = (c: Context<FreshBooksEnv>): BusinessData => c.get('business');

function clientSpec(data: BusinessData): ResourceListSpec<ClientBody, unknown> {
  return {
    key: 'clients',
    fields: {
      userid: { value: (r) => r.id, plural: 'userids' },
      email: { value: (r) => r.body.email, like: true },
      organization: { value: (r) => r.body.organization, like: true },
      fname: { value: (r) => r.body.fname, like: true },
      lname: { value: (r) => r.body.lname, like: true },
      currency_code: { value: (r) => r.body.currency_code },
    },
    sorts: { organization: (r) => r.body.organization.toLowerCase(), lname: (r) => r.body.lname.toLowerCase() },
    idAliases: ['userid', 'clientid'],
    defaultSort: { field: 'id', descending: true },
    visState: (r) => r.body.vis_state,
    render: (r) => data.renderClient(r),
  };
}

function invoiceSpec(data: BusinessData): ResourceListSpec<InvoiceBody, unknown> {
  return {
    key: 'invoices',
    fields: {
      invoiceid: { value: (r) => r.id, plural: 'invoiceids' },
      customerid: { value: (r) => r.body.customerid, plural: 'customerids' },
      clientid: { value: (r) => r.body.customerid, plural: 'clientids' },
      invoice_number: { value: (r) => r.body.invoice_number, like: true },
      currency_code: { value: (r) => r.body.currency_code },
      po_number: { value: (r) => r.body.po_number, like: true },
      date: { value: (r) => r.body.create_date, between: 'date' },
      create_date: { value: (r) => r.body.create_date, between: 'date' },
      amount: { value: (r) => data.invoiceTotals(r.body).amount, between: 'number' },
    },
    sorts: { create_date: (r) => r.body.create_date, invoice_number: (r) => r.body.invoice_number },
    idAliases: ['invoiceid'],
    defaultSort: { field: 'id', descending: true },
    visState: (r) => r.body.vis_state,
    render: (r, includes) => data.renderInvoice(r, includes.has('lines')),
  };
}

function paymentSpec(data: BusinessData): ResourceListSpec<PaymentBody, unknown> {
  return {
    key: 'payments',
    fields: {
      invoiceid: { value: (r) => r.body.invoiceid, plural: 'invoiceids' },
      clientid: { value: (r) => r.body.clientid, plural: 'clientids' },
      type: { value: (r) => r.body.type },
      date: { value: (r) => r.body.date, between: 'date' },
      amount: { value: (r) => r.body.amount, between: 'number' },
    },
    sorts: { date: (r) => r.body.date },
    idAliases: ['paymentid', 'logid'],
    defaultSort: { field: 'id', descending: true },
    visState: (r) => r.body.vis_state,
    render: (r) => data.renderPayment(r),
  };
}

export function registerAccountingRoutes(app: Hono<FreshBooksEnv>, prefix: string): void {
  const base = `${prefix}/accounting/account/:accountId`;
  const clients = `${base}${ACCOUNTING_PATHS.clients}`;
  const invoices = `${base}${ACCOUNTING_PATHS.invoices}`;
  const payments = `${base}${ACCOUNTING_PATHS.payments}`;
  const ok = (c: Context, result: unknown) => sendJson(c, 200, { response: { result } });

  // ------------------------------------------------------------ clients
  app.get(clients, (c) => {
    const data = business(c);
    const page = listPage(data.clients, clientSpec(data), readListQuery(c));
    return ok(c, { clients: page.items, page: page.page, pages: page.pages, per_page: page.per_page, total: page.total });
  });
  app.get(`${clients}/:id`, (c) => {
    const data = business(c);
    return ok(c, { client: data.renderClient(data.getClient(idParam(c, 'id'))) });
  });
  app.post(clients, async (c) => {
    const data = business(c);
    const record = data.createClient(await readWrapped(c, 'client', ClientCreate));
    return ok(c, { client: data.renderClient(record) });
  });
  app.put(`${clients}/:id`, async (c) => {
    const data = business(c);
    const id = idParam(c, 'id');
    const record = data.updateClient(id, await readWrapped(c, 'client', ClientUpdate));
    return ok(c, { client: data.renderClient(record) });
  });

  // ------------------------------------------------------------ invoices
  app.get(invoices, (c) => {
    const data = business(c);
    const page = listPage(data.invoices, invoiceSpec(data), readListQuery(c));
    return ok(c, { invoices: page.items, page: page.page, pages: page.pages, per_page: page.per_page, total: page.total });
  });
  const withLines = (c: Context) => readListQuery(c).includes.has('lines');
  app.get(`${invoices}/:id`, (c) => {
    const data = business(c);
    return ok(c, { invoice: data.renderInvoice(data.getInvoice(idParam(c, 'id')), withLines(c)) });
  });
  app.post(invoices, async (c) => {
    const data = business(c);
    const record = data.createInvoice(await readWrapped(c, 'invoice', InvoiceCreate));
    return ok(c, { invoice: data.renderInvoice(record, withLines(c)) });
  });
  app.put(`${invoices}/:id`, async (c) => {
    const data = business(c);
    const id = idParam(c, 'id');
    const record = data.updateInvoice(id, await readWrapped(c, 'invoice', InvoiceUpdate));
    return ok(c, { invoice: data.renderInvoice(record, withLines(c)) });
  });

  // ------------------------------------------------------------ payments
  app.get(payments, (c) => {
    const data = business(c);
    const page = listPage(data.payments, paymentSpec(data), readListQuery(c));
    return ok(c, { payments: page.items, page: page.page, pages: page.pages, per_page: page.per_page, total: page.total });
  });
  app.get(`${payments}/:id`, (c) => {
    const data = business(c);
    return ok(c, { payment: data.renderPayment(data.getPayment(idParam(c, 'id'))) });
  });
  app.post(payments, async (c) => {
    const data = business(c);
    const record = data.createPayment(await readWrapped(c, 'payment', PaymentCreate));
    return ok(c, { payment: data.renderPayment(record) });
  });
  app.put(`${payments}/:id`, async (c) => {
    const data = business(c);
    const id = idParam(c, 'id');
    const record = data.updatePayment(id, await readWrapped(c, 'payment', PaymentUpdate));
    return ok(c, { payment: data.renderPayment(record) });
  });
}
