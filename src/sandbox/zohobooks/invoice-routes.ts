/**
 * Invoices (reference/zohobooks.md §6.3): lists are summaries without line
 * items, GET by id has them; create, update (PUT), delete and the status
 * actions. Totals and balance come from the lines and applied payments
 * (billing.ts).
 */
import type { Hono } from 'hono';
import { InvoiceCreate, InvoiceUpdate, type InvoiceSummary } from '../../systems/zohobooks/schemas.ts';
import { parseZohoDate, formatZohoDate } from '../../systems/zohobooks/timestamps.ts';
import { buildLines, requireInvoice, settledStatus, totals } from './billing.ts';
import { round2, type ZohoBooksData } from './data.ts';
import { doesNotExist, invalidField, invalidParam, refused, sendJson } from './errors.ts';
import { dateRange, listRecords, readListParams, textFilters, type ResourceListSpec } from './listing.ts';
import { readBody } from './request-body.ts';
import { termsLabel, type InvoiceBody } from './seed.ts';
import type { StoredRecord } from './virtual-collection.ts';

const DAY = 86_400_000;

/** §6.3 `status` values and `filter_by` names, as predicates on the status a reader sees. */
const UNPAID = new Set(['sent', 'overdue', 'partially_paid']);
const STATUS_FILTERS: Record<string, (status: string) => boolean> = {
  sent: (s) => s === 'sent',
  draft: (s) => s === 'draft',
  overdue: (s) => s === 'overdue',
  paid: (s) => s === 'paid',
  void: (s) => s === 'void',
  unpaid: (s) => UNPAID.has(s),
  partially_paid: (s) => s === 'partially_paid',
  // Views are not tracked in the sandbox.
  viewed: () => false,
};
const FILTER_BY: Record<string, (status: string) => boolean> = {
  'Status.All': () => true,
  'Status.Sent': STATUS_FILTERS.sent!,
  'Status.Draft': STATUS_FILTERS.draft!,
  'Status.OverDue': STATUS_FILTERS.overdue!,
  'Status.Paid': STATUS_FILTERS.paid!,
  'Status.Void': STATUS_FILTERS.void!,
  'Status.Unpaid': STATUS_FILTERS.unpaid!,
  'Status.PartiallyPaid': STATUS_FILTERS.partially_paid!,
  'Status.Viewed': STATUS_FILTERS.viewed!,
};

function addDays(date: string, days: number): string {
  const start = parseZohoDate(date, 0)!;
  return formatZohoDate(start + days * DAY, 0);
}

export function registerInvoiceRoutes(app: Hono, base: string, data: ZohoBooksData): void {
  const spec: ResourceListSpec<InvoiceBody, InvoiceSummary> = {
    sortColumns: {
      customer_name: { value: (i) => i.customer_name ?? '' },
      invoice_number: { value: (i) => i.invoice_number },
      date: { value: (i) => i.date },
      due_date: { value: (i) => i.due_date ?? '' },
      total: { value: (i) => i.total },
      balance: { value: (i) => i.balance },
      created_time: {},
      last_modified_time: {},
    },
    defaultSort: { column: 'created_time', order: 'D' },
    render: (record) => data.renderInvoiceSummary(record),
  };

  const customerOf = (id: string) => {
    const customer = data.contacts.get(id);
    if (!customer) throw doesNotExist('Customer');
    if (customer.body.contact_type !== 'customer') throw invalidField('customer_id', 'the contact is not a customer');
    return customer;
  };

  app.get(`${base}/invoices`, (c) => {
    const query = c.req.query();
    const params = readListParams(query, spec);
    const filterBy = query.filter_by ?? 'Status.All';
    const byFilter = FILTER_BY[filterBy];
    if (!byFilter) throw invalidParam('filter_by');
    const byStatus = query.status ? STATUS_FILTERS[query.status] : undefined;
    if (query.status && !byStatus) throw invalidParam('status');
    const inDates = dateRange(query);
    const text = textFilters<StoredRecord<InvoiceBody>>(query, {
      invoice_number: (r) => r.body.invoice_number,
      reference_number: (r) => r.body.reference_number,
      customer_name: (r) => r.body.customer_name,
    });
    const search = query.search_text?.toLowerCase();
    const result = listRecords(data.invoices, spec, {
      ...params,
      appliedFilter: filterBy,
      predicate: (record) => {
        const body = record.body;
        if (query.customer_id && body.customer_id !== query.customer_id) return false;
        const status = data.invoiceStatus(body);
        if (!byFilter(status) || (byStatus && !byStatus(status))) return false;
        if (inDates && !inDates(body.date)) return false;
        if (!text.every((test) => test(record))) return false;
        return !search || `${body.invoice_number} ${body.reference_number} ${body.customer_name}`.toLowerCase().includes(search);
      },
    });
    return sendJson(c, 200, { code: 0, message: 'success', invoices: result.items, page_context: result.pageContext });
  });

  app.post(`${base}/invoices`, async (c) => {
    const input = await readBody(c, InvoiceCreate);
    const customer = customerOf(input.customer_id);
    const currency = data.seed.currencyById(customer.body.currency_id) ?? data.seed.currencies[0]!;
    const lines = buildLines(data, input.line_items);
    const sums = totals(lines);
    const date = input.date ?? data.today();
    const terms = input.payment_terms ?? customer.body.payment_terms;
    const id = data.newId('invoices');
    const now = data.now();
    const body: InvoiceBody = {
      invoice_id: id,
      invoice_number: input.invoice_number ?? data.nextInvoiceNumber(),
      customer_id: customer.id,
      customer_name: customer.body.contact_name,
      // §6.3: created as a draft unless `send=true`.
      status: c.req.query('send') === 'true' ? 'sent' : 'draft',
      date,
      due_date: input.due_date ?? addDays(date, terms),
      payment_terms: terms,
      payment_terms_label: input.payment_terms_label ?? termsLabel(terms),
      reference_number: input.reference_number ?? '',
      currency_id: currency.id,
      currency_code: currency.code,
      exchange_rate: input.exchange_rate ?? currency.rate,
      line_items: lines,
      ...sums,
      discount: 0,
      payment_made: 0,
      balance: sums.total,
      contact_persons: input.contact_persons ?? [],
      notes: input.notes ?? '',
      terms: input.terms ?? '',
      custom_fields: input.custom_fields ?? [],
    };
    data.invoices.put({ id, createdMs: now, modifiedMs: now, body });
    return sendJson(c, 201, { code: 0, message: 'The invoice has been created.', invoice: data.renderInvoice(requireInvoice(data, id)) });
  });

  app.get(`${base}/invoices/:invoice_id{[0-9]+}`, (c) => {
    const record = requireInvoice(data, c.req.param('invoice_id'));
    return sendJson(c, 200, { code: 0, message: 'success', invoice: data.renderInvoice(record) });
  });

  app.put(`${base}/invoices/:invoice_id{[0-9]+}`, async (c) => {
    const record = requireInvoice(data, c.req.param('invoice_id'));
    const input = await readBody(c, InvoiceUpdate);
    const body = structuredClone(record.body);
    const { line_items: lineInputs, customer_id: customerId, ...fields } = input;
    if (customerId !== undefined && customerId !== body.customer_id) {
      if (body.payment_made > 0) throw refused('The customer of an invoice with payments cannot be changed.');
      const customer = customerOf(customerId);
      const currency = data.seed.currencyById(customer.body.currency_id) ?? data.seed.currencies[0]!;
      Object.assign(body, {
        customer_id: customer.id,
        customer_name: customer.body.contact_name,
        currency_id: currency.id,
        currency_code: currency.code,
        exchange_rate: currency.rate,
      });
    }
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) (body as unknown as Record<string, unknown>)[key] = value;
    if (input.payment_terms !== undefined && input.payment_terms_label === undefined) body.payment_terms_label = termsLabel(input.payment_terms);
    if (lineInputs !== undefined) {
      body.line_items = buildLines(data, lineInputs, record.body.line_items);
      Object.assign(body, totals(body.line_items));
    }
    body.balance = round2(body.total - body.payment_made);
    if (body.balance < 0) throw refused('The invoice total cannot be less than the payments already applied to it.');
    body.status = settledStatus(body);
    data.touch(data.invoices, record, body);
    return sendJson(c, 200, { code: 0, message: 'Invoice information has been updated.', invoice: data.renderInvoice(requireInvoice(data, record.id)) });
  });

  app.delete(`${base}/invoices/:invoice_id{[0-9]+}`, (c) => {
    const record = requireInvoice(data, c.req.param('invoice_id'));
    if (record.body.payment_made > 0) throw refused('The invoice cannot be deleted as payments have been recorded for it.');
    data.invoices.delete(record.id);
    return sendJson(c, 200, { code: 0, message: 'The invoice has been deleted.' });
  });

  // §6.3: POST /invoices/{id}/status/sent|void|draft.
  app.post(`${base}/invoices/:invoice_id{[0-9]+}/status/:status{sent|void|draft}`, (c) => {
    const record = requireInvoice(data, c.req.param('invoice_id'));
    const target = c.req.param('status');
    const body = structuredClone(record.body);
    if (target === 'void') {
      if (body.payment_made > 0) throw refused('An invoice with payments cannot be voided; remove the payments first.');
      body.status = 'void';
      body.balance = 0;
    } else if (target === 'draft') {
      if (body.payment_made > 0 || body.status === 'draft') throw refused(`The invoice cannot be marked as draft from ${body.status}.`);
      body.status = 'draft';
      body.balance = round2(body.total - body.payment_made);
    } else {
      if (body.status !== 'draft' && body.status !== 'void') throw refused(`The invoice is already ${body.status}.`);
      body.status = 'sent';
      body.balance = round2(body.total - body.payment_made);
      body.status = settledStatus(body);
    }
    data.touch(data.invoices, record, body);
    const message = { sent: 'Invoice status has been changed to Sent.', void: 'Invoice status has been changed to Void.', draft: 'Status of invoice changed from void to draft.' }[
      target as 'sent' | 'void' | 'draft'
    ];
    return sendJson(c, 200, { code: 0, message });
  });
}
