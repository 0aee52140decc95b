/**
 * Customer payments (reference/zohobooks.md §6.4): the list (key
 * `customerpayments`, summaries without applications), GET by id with
 * `invoices[]`, and create / update (PUT) / delete, whose applications
 * reduce and restore invoice balances (billing.ts).
 */
import type { Hono } from 'hono';
import { PaymentCreate, PaymentUpdate, type PaymentSummary } from '../../systems/zohobooks/schemas.ts';
import { applyPayment, appliedTotal, checkApplications } from './billing.ts';
import { round2, type ZohoBooksData } from './data.ts';
import { doesNotExist, invalidField, invalidParam, refused, sendJson } from './errors.ts';
import { dateRange, listRecords, readListParams, textFilters, type ResourceListSpec } from './listing.ts';
import { readBody } from './request-body.ts';
import type { PaymentBody } from './seed.ts';
import type { StoredRecord } from './virtual-collection.ts';

export function registerPaymentRoutes(app: Hono, base: string, data: ZohoBooksData): void {
  const spec: ResourceListSpec<PaymentBody, PaymentSummary> = {
    sortColumns: {
      customer_name: { value: (p) => p.customer_name ?? '' },
      payment_number: { value: (p) => Number(p.payment_number) || 0 },
      payment_mode: { value: (p) => p.payment_mode ?? '' },
      date: { value: (p) => p.date },
      amount: { value: (p) => p.amount },
      reference_number: { value: (p) => p.reference_number ?? '' },
      created_time: {},
      last_modified_time: {},
    },
    defaultSort: { column: 'created_time', order: 'D' },
    render: (record) => data.renderPaymentSummary(record),
  };

  const getPayment = (id: string) => {
    const record = data.payments.get(id);
    if (!record) throw doesNotExist('Payment');
    return record;
  };
  const customerOf = (id: string) => {
    const customer = data.contacts.get(id);
    if (!customer) throw doesNotExist('Customer');
    if (customer.body.contact_type !== 'customer') throw invalidField('customer_id', 'the contact is not a customer');
    return customer;
  };

  app.get(`${base}/customerpayments`, (c) => {
    const query = c.req.query();
    const params = readListParams(query, spec);
    // §6.4: filter_by PaymentMode.All or PaymentMode.<Mode>.
    const filterBy = query.filter_by ?? 'PaymentMode.All';
    const mode = /^PaymentMode\.(\w+)$/.exec(filterBy)?.[1];
    if (!mode) throw invalidParam('filter_by');
    const inDates = dateRange(query);
    const text = textFilters<StoredRecord<PaymentBody>>(query, {
      reference_number: (r) => r.body.reference_number,
      customer_name: (r) => r.body.customer_name,
      notes: (r) => r.body.description,
    });
    const search = query.search_text?.toLowerCase();
    const result = listRecords(data.payments, spec, {
      ...params,
      appliedFilter: filterBy,
      predicate: (record) => {
        const body = record.body;
        if (query.customer_id && body.customer_id !== query.customer_id) return false;
        if (mode !== 'All' && body.payment_mode.toLowerCase() !== mode.toLowerCase()) return false;
        if (inDates && !inDates(body.date)) return false;
        if (!text.every((test) => test(record))) return false;
        return !search || `${body.payment_number} ${body.reference_number} ${body.customer_name}`.toLowerCase().includes(search);
      },
    });
    return sendJson(c, 200, { code: 0, message: 'success', customerpayments: result.items, page_context: result.pageContext });
  });

  app.post(`${base}/customerpayments`, async (c) => {
    const input = await readBody(c, PaymentCreate);
    const customer = customerOf(input.customer_id);
    const applications = checkApplications(data, customer.id, input.amount, input.invoices ?? []);
    const currency = data.seed.currencyById(customer.body.currency_id) ?? data.seed.currencies[0]!;
    const id = data.newId('customerpayments');
    const now = data.now();
    const body: PaymentBody = {
      payment_id: id,
      payment_number: data.nextPaymentNumber(),
      customer_id: customer.id,
      customer_name: customer.body.contact_name,
      payment_mode: input.payment_mode ?? 'cash',
      date: input.date ?? data.today(),
      amount: round2(input.amount),
      unused_amount: round2(input.amount - appliedTotal(applications)),
      bank_charges: input.bank_charges ?? 0,
      reference_number: input.reference_number ?? '',
      description: input.description ?? '',
      currency_id: currency.id,
      currency_code: currency.code,
      exchange_rate: input.exchange_rate ?? currency.rate,
      account_id: input.account_id ?? data.seed.depositAccount.id,
      account_name: data.seed.depositAccount.name,
      invoices: applications,
      custom_fields: input.custom_fields ?? [],
    };
    data.payments.put({ id, createdMs: now, modifiedMs: now, body });
    applyPayment(data, applications, 1, now);
    return sendJson(c, 201, { code: 0, message: 'The payment has been recorded.', payment: data.renderPayment(getPayment(id)) });
  });

  app.get(`${base}/customerpayments/:payment_id{[0-9]+}`, (c) => {
    const record = getPayment(c.req.param('payment_id'));
    return sendJson(c, 200, { code: 0, message: 'success', payment: data.renderPayment(record) });
  });

  app.put(`${base}/customerpayments/:payment_id{[0-9]+}`, async (c) => {
    const record = getPayment(c.req.param('payment_id'));
    const input = await readBody(c, PaymentUpdate);
    const { invoices: applicationInputs, customer_id: customerId, amount: newAmount, ...fields } = input;
    const customer = customerOf(customerId ?? record.body.customer_id);
    const amount = newAmount ?? record.body.amount;
    if (customer.id !== record.body.customer_id && applicationInputs === undefined && record.body.invoices.length > 0) {
      throw refused('Give the invoices to apply to when moving a payment to another customer.');
    }
    const previous = customer.id === record.body.customer_id ? record.body.invoices : [];
    const applications = checkApplications(
      data,
      customer.id,
      amount,
      applicationInputs ?? record.body.invoices.map((a) => ({ invoice_id: a.invoice_id, amount_applied: a.amount_applied })),
      previous,
    );
    const now = data.now();
    applyPayment(data, record.body.invoices, -1, now);
    const body: PaymentBody = {
      ...structuredClone(record.body),
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      customer_id: customer.id,
      customer_name: customer.body.contact_name,
      amount: round2(amount),
      unused_amount: round2(amount - appliedTotal(applications)),
      invoices: applications,
    };
    data.touch(data.payments, record, body, now);
    applyPayment(data, applications, 1, now);
    return sendJson(c, 200, { code: 0, message: 'The payment details have been updated.', payment: data.renderPayment(getPayment(record.id)) });
  });

  app.delete(`${base}/customerpayments/:payment_id{[0-9]+}`, (c) => {
    const record = getPayment(c.req.param('payment_id'));
    data.payments.delete(record.id);
    applyPayment(data, record.body.invoices, -1, data.now());
    return sendJson(c, 200, { code: 0, message: 'The payment has been deleted.' });
  });
}
