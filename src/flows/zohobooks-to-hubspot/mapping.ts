/**
 * Zoho Books records → HubSpot records (SPEC §2). Pure functions: the same
 * source record always maps to the same target records, which is what lets
 * the planner skip unchanged records and a replay repeat a write exactly.
 *
 * Keys are `zohobooks:<organization>:<object>:<id>`, written to HubSpot as
 * `ml_source_id`.
 */
import type { MapResult, RejectedRecord, SourceRecord, StreamContext, TargetRecord } from '../../engine/flow-definition.ts';
import { normalizeDomain } from '../../systems/hubspot/upsert-companies.ts';
import { compactProperties, invoiceParents, isCurrencyCode, isIsoDate, isValidEmail, lineItemRecord, money } from '../mapping-rules.ts';

/** The parts of Zoho Books records the mapping reads (reference/zohobooks.md §6). */
export interface ZohoAddress {
  address?: string | null;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  country?: string | null;
}

export interface ZohoContactPerson {
  contact_person_id: string;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  mobile?: string | null;
  designation?: string | null;
  is_primary_contact?: boolean | null;
}

export interface ZohoCustomer {
  contact_id: string;
  contact_name: string;
  company_name?: string | null;
  website?: string | null;
  phone?: string | null;
  currency_code?: string | null;
  billing_address?: ZohoAddress | null;
  contact_persons?: ZohoContactPerson[] | null;
}

export interface ZohoLineItem {
  line_item_id: string;
  name?: string | null;
  description?: string | null;
  rate?: number | string | null;
  quantity?: number | string | null;
  item_total?: number | string | null;
}

export interface ZohoInvoice {
  invoice_id: string;
  invoice_number: string;
  customer_id: string;
  status: string;
  date?: string | null;
  due_date?: string | null;
  reference_number?: string | null;
  currency_code?: string | null;
  total?: number | string | null;
  balance?: number | string | null;
  line_items?: ZohoLineItem[] | null;
  contact_persons?: Array<string | { contact_person_id: string }> | null;
}

export interface ZohoPaymentApplication {
  invoice_id: string;
  amount_applied: number | string;
}

export interface ZohoPayment {
  payment_id: string;
  payment_number?: string | null;
  customer_id: string;
  payment_mode?: string | null;
  date: string;
  amount?: number | string | null;
  reference_number?: string | null;
  currency_code?: string | null;
  invoices?: ZohoPaymentApplication[] | null;
}

export const keyOf = (context: StreamContext, object: string, ...ids: string[]) => `zohobooks:${context.sourceAccount}:${object}:${ids.join(':')}`;

const SOURCE = { ml_source_system: 'zohobooks' };

/** A customer becomes a company (matched by its website's domain) and its contact persons become contacts (matched by email). */
export function mapCustomer(record: SourceRecord<ZohoCustomer>, context: StreamContext): MapResult {
  const customer = record.data;
  const companyKey = keyOf(context, 'customer', customer.contact_id);
  const domain = normalizeDomain(customer.website ?? undefined);
  const address = customer.billing_address ?? {};
  const company: TargetRecord = {
    key: companyKey,
    objectType: 'companies',
    match: { by: 'domain', domain },
    properties: compactProperties({
      ...SOURCE,
      name: customer.company_name || customer.contact_name,
      domain,
      website: customer.website,
      phone: customer.phone,
      address: address.address,
      city: address.city,
      state: address.state,
      zip: address.zip,
      country: address.country,
    }),
    parents: [],
  };
  const records: TargetRecord[] = [company];
  const rejected: RejectedRecord[] = [];
  for (const person of customer.contact_persons ?? []) {
    const key = keyOf(context, 'contact_person', person.contact_person_id);
    const email = person.email?.trim().toLowerCase() || undefined;
    if (email !== undefined && !isValidEmail(email)) {
      rejected.push({ key, objectType: 'contacts', field: 'email', reason: `contact person ${person.contact_person_id} has a malformed email "${person.email}"` });
      continue;
    }
    records.push({
      key,
      objectType: 'contacts',
      match: email ? { by: 'email', email } : { by: 'source_id' },
      properties: compactProperties({
        ...SOURCE,
        firstname: person.first_name,
        lastname: person.last_name,
        email,
        phone: person.phone,
        mobilephone: person.mobile,
        jobtitle: person.designation,
        company: customer.company_name || customer.contact_name,
      }),
      // reference/hubspot.md §7.2: contact → company, unlabeled.
      parents: [{ key: companyKey, objectType: 'companies', associationTypeId: 279 }],
    });
  }
  return { records, rejected };
}

/** What a Zoho invoice's status becomes in HubSpot, once it has its contact and lines (reference/hubspot.md §9). */
function statusSteps(invoice: ZohoInvoice, hasContact: boolean, hasLines: boolean): Array<Record<string, string>> | undefined {
  if (invoice.status === 'draft' || !hasContact || !hasLines) return undefined;
  // `paid` is HubSpot's own conclusion from the payments associated to the invoice; it can't be written.
  if (invoice.status === 'void') return [{ hs_invoice_status: 'open' }, { hs_invoice_status: 'voided' }];
  return [{ hs_invoice_status: 'open' }];
}

/** An invoice becomes its line items, then an invoice associated to its company, contact and lines. */
export function mapInvoice(record: SourceRecord<ZohoInvoice>, context: StreamContext): MapResult {
  const invoice = record.data;
  const key = keyOf(context, 'invoice', invoice.invoice_id);
  const currency = invoice.currency_code ?? '';
  if (!isCurrencyCode(currency)) {
    return { records: [], rejected: [{ key, objectType: 'invoices', field: 'currency_code', reason: `invoice ${invoice.invoice_number} has an invalid currency "${currency}"` }] };
  }
  for (const [field, value] of [['date', invoice.date], ['due_date', invoice.due_date]] as const) {
    if (value && !isIsoDate(value)) {
      return { records: [], rejected: [{ key, objectType: 'invoices', field, reason: `invoice ${invoice.invoice_number} has an unreadable ${field} "${value}"` }] };
    }
  }
  const lines = (invoice.line_items ?? []).map((line) =>
    lineItemRecord(
      keyOf(context, 'line_item', invoice.invoice_id, line.line_item_id),
      key,
      compactProperties({
        ...SOURCE,
        name: line.name || line.description || `Line ${line.line_item_id}`,
        description: line.description,
        quantity: line.quantity ?? 1,
        price: money(line.rate),
      }),
    ),
  );
  const firstPerson = invoice.contact_persons?.[0];
  const contactPersonId = typeof firstPerson === 'string' ? firstPerson : firstPerson?.contact_person_id;
  const parents = invoiceParents(
    keyOf(context, 'customer', invoice.customer_id),
    contactPersonId ? keyOf(context, 'contact_person', contactPersonId) : undefined,
    lines.map((line) => line.key),
  );
  const steps = statusSteps(invoice, contactPersonId !== undefined, lines.length > 0);
  const target: TargetRecord = {
    key,
    objectType: 'invoices',
    match: { by: 'source_id' },
    properties: compactProperties({
      ...SOURCE,
      hs_currency: currency,
      hs_invoice_date: invoice.date,
      hs_due_date: invoice.due_date,
      hs_purchase_order_number: invoice.reference_number,
      // §9: a non-billable invoice mirrors one billed elsewhere: HubSpot renders and emails nothing.
      hs_invoice_billable: 'false',
      ml_invoice_number: invoice.invoice_number,
      ml_total: money(invoice.total),
      ml_balance_due: money(invoice.balance),
      ml_status: invoice.status,
    }),
    parents,
    ...(steps ? { afterAssociations: steps } : {}),
  };
  return { records: [...lines, target], rejected: [] };
}

const PAYMENT_METHODS: Record<string, string> = {
  cash: 'cash',
  check: 'check',
  cheque: 'check',
  creditcard: 'card',
  'credit card': 'card',
  banktransfer: 'wire_transfer',
  'bank transfer': 'wire_transfer',
  bankremittance: 'wire_transfer',
  ach: 'ach',
};

/**
 * A customer payment becomes one HubSpot payment per invoice it was applied
 * to, for the amount applied there, so each invoice's paid amount and
 * balance in HubSpot match Zoho's (reference/hubspot.md §11: a payment marks
 * the invoices it is associated with). Unapplied money is not an invoice payment.
 */
export function mapPayment(record: SourceRecord<ZohoPayment>, context: StreamContext): MapResult {
  const payment = record.data;
  const records: TargetRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const application of payment.invoices ?? []) {
    const key = keyOf(context, 'payment', payment.payment_id, application.invoice_id);
    const amount = money(application.amount_applied);
    if (amount === undefined || Number(amount) <= 0) continue;
    if (!isIsoDate(payment.date)) {
      rejected.push({ key, objectType: 'commerce_payments', field: 'date', reason: `payment ${payment.payment_number ?? payment.payment_id} has an unreadable date "${payment.date}"` });
      continue;
    }
    records.push({
      key,
      objectType: 'commerce_payments',
      match: { by: 'source_id' },
      properties: compactProperties({
        ...SOURCE,
        hs_initial_amount: amount,
        hs_initiated_date: `${payment.date}T00:00:00.000Z`,
        hs_currency_code: payment.currency_code && isCurrencyCode(payment.currency_code) ? payment.currency_code : undefined,
        // A payment recorded in the books has been received.
        hs_latest_status: 'succeeded',
        hs_payment_method_type: PAYMENT_METHODS[(payment.payment_mode ?? '').toLowerCase()] ?? 'other',
        hs_reference_number: payment.reference_number || payment.payment_number,
      }),
      // reference/hubspot.md §7.2: payment → invoice 542.
      parents: [{ key: keyOf(context, 'invoice', application.invoice_id), objectType: 'invoices', associationTypeId: 542 }],
    });
  }
  return { records, rejected };
}
