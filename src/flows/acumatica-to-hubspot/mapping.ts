/**
 * Acumatica records → HubSpot records (SPEC §2, issue: AR billing for
 * account managers). Pure functions; keys are
 * `acumatica:<tenant>:<object>:<id>`, written to HubSpot as `ml_source_id`.
 * Invoices are keyed by their natural key, type + reference number, so the
 * same document is one HubSpot invoice however it is read. Only AR documents
 * are read: nothing of the GL or AP ever reaches HubSpot.
 */
import type { MapResult, RejectedRecord, SourceRecord, StreamContext, TargetRecord } from '../../engine/flow-definition.ts';
import type { Contact, Customer, Payment, SalesInvoice } from '../../systems/acumatica/schemas.ts';
import { normalizeDomain } from '../../systems/hubspot/upsert-companies.ts';
import type { BillingLine } from '../billing-summary.ts';
import { companyDomain, compactProperties, invoiceParents, isCurrencyCode, isValidEmail, lineItemRecord, money } from '../mapping-rules.ts';

export const keyOf = (context: StreamContext, object: string, ...ids: string[]) => `acumatica:${context.sourceAccount}:${object}:${ids.join(':')}`;

const SOURCE = { ml_source_system: 'acumatica' };

/** `2026-01-05T00:00:00+00:00` → `2026-01-05`: HubSpot's date properties want the calendar date. */
export const dateOf = (value: string | null | undefined) => (value ? value.slice(0, 10) : undefined);

/** A customer becomes a company, matched on its website's (or else its email's) domain. */
export function mapCustomer(record: SourceRecord<Customer>, context: StreamContext): MapResult {
  const customer = record.data;
  const main = customer.MainContact ?? undefined;
  const address = main?.Address ?? undefined;
  const domain = normalizeDomain(main?.WebSite ?? undefined) ?? companyDomain(customer.Email ?? main?.Email ?? undefined);
  const company: TargetRecord = {
    key: keyOf(context, 'customer', customer.CustomerID),
    objectType: 'companies',
    match: { by: 'domain', domain },
    properties: compactProperties({
      ...SOURCE,
      name: customer.CustomerName || customer.CustomerID,
      domain,
      website: main?.WebSite,
      phone: main?.Phone1,
      address: address?.AddressLine1,
      city: address?.City,
      state: address?.State,
      zip: address?.PostalCode,
      country: address?.Country,
    }),
    parents: [],
  };
  return { records: [company], rejected: [] };
}

/** A contact becomes a contact (matched by email), associated to its business account's company. */
export function mapContact(record: SourceRecord<Contact>, context: StreamContext): MapResult {
  const contact = record.data;
  const key = keyOf(context, 'contact', String(contact.ContactID));
  const email = contact.Email?.trim().toLowerCase() || undefined;
  if (email !== undefined && !isValidEmail(email)) {
    return { records: [], rejected: [{ key, objectType: 'contacts', field: 'Email', reason: `contact ${contact.ContactID} has a malformed email "${contact.Email}"` }] };
  }
  const parents: TargetRecord['parents'] = contact.BusinessAccount
    ? // reference/hubspot.md §7.2: contact → company, unlabeled.
      [{ key: keyOf(context, 'customer', contact.BusinessAccount), objectType: 'companies', associationTypeId: 279 }]
    : [];
  return {
    records: [
      {
        key,
        objectType: 'contacts',
        match: email ? { by: 'email', email } : { by: 'source_id' },
        properties: compactProperties({
          ...SOURCE,
          firstname: contact.FirstName,
          lastname: contact.LastName || contact.DisplayName,
          email,
          phone: contact.Phone1,
          jobtitle: contact.JobTitle,
          company: contact.CompanyName,
        }),
        parents,
      },
    ],
    rejected: [],
  };
}

/** An AR invoice as the read found it: the document and its customer's primary contact. */
export interface InvoiceWithContact {
  invoice: SalesInvoice;
  primaryContactId: number | undefined;
}

/** Acumatica statuses in which the document is issued (reference/acumatica.md §3, UNCERTAIN list). */
const ISSUED = new Set(['Open', 'Closed']);

function statusSteps(status: string | null | undefined, hasContact: boolean, hasLines: boolean): Array<Record<string, string>> | undefined {
  if (!hasContact || !hasLines) return undefined;
  // `paid` is HubSpot's own conclusion from the payments associated to the invoice (reference/hubspot.md §9).
  if (status === 'Voided') return [{ hs_invoice_status: 'open' }, { hs_invoice_status: 'voided' }];
  return status && ISSUED.has(status) ? [{ hs_invoice_status: 'open' }] : undefined;
}

export const invoiceKey = (context: StreamContext, type: string, referenceNbr: string) => keyOf(context, 'invoice', type, referenceNbr);

export function mapInvoice(record: SourceRecord<InvoiceWithContact>, context: StreamContext): MapResult {
  const { invoice, primaryContactId } = record.data;
  const key = invoiceKey(context, invoice.Type, invoice.ReferenceNbr);
  const currency = invoice.Currency ?? '';
  if (!isCurrencyCode(currency)) {
    const rejected: RejectedRecord = { key, objectType: 'invoices', field: 'Currency', reason: `invoice ${invoice.Type} ${invoice.ReferenceNbr} has an invalid currency "${currency}"` };
    return { records: [], rejected: [rejected] };
  }
  const lines = (invoice.Details ?? []).map((line, index) =>
    lineItemRecord(
      keyOf(context, 'line_item', invoice.Type, invoice.ReferenceNbr, String(line.LineNbr ?? index + 1)),
      key,
      compactProperties({
        ...SOURCE,
        name: line.Description || line.InventoryID || `Line ${line.LineNbr ?? index + 1}`,
        description: line.Description,
        hs_sku: line.InventoryID,
        quantity: line.Qty ?? 1,
        price: money(line.UnitPrice ?? line.Amount),
      }),
    ),
  );
  const contactKey = primaryContactId === undefined ? undefined : keyOf(context, 'contact', String(primaryContactId));
  const parents = invoiceParents(keyOf(context, 'customer', invoice.CustomerID ?? ''), contactKey, lines.map((line) => line.key));
  const steps = statusSteps(invoice.Status, contactKey !== undefined, lines.length > 0);
  const target: TargetRecord = {
    key,
    objectType: 'invoices',
    match: { by: 'source_id' },
    properties: compactProperties({
      ...SOURCE,
      hs_currency: currency,
      hs_invoice_date: dateOf(invoice.Date),
      hs_due_date: dateOf(invoice.DueDate),
      hs_purchase_order_number: invoice.CustomerOrder,
      hs_comments: invoice.Description,
      // reference/hubspot.md §9: non-billable mirrors an invoice billed elsewhere; HubSpot renders and sends nothing.
      hs_invoice_billable: 'false',
      ml_invoice_number: `${invoice.Type} ${invoice.ReferenceNbr}`,
      ml_total: money(invoice.Amount),
      ml_balance_due: money(invoice.Balance),
      ml_status: invoice.Status,
    }),
    parents,
    ...(steps ? { afterAssociations: steps } : {}),
  };
  return { records: [...lines, target], rejected: [] };
}

const PAYMENT_METHODS: Record<string, string> = { CHECK: 'check', CASH: 'cash', CARD: 'card', CREDITCARD: 'card', ACH: 'ach', WIRE: 'wire_transfer', EFT: 'ach' };

/**
 * A payment becomes one HubSpot payment per invoice it was applied to, for
 * the amount applied there, so each invoice's paid amount and balance in
 * HubSpot match Acumatica's (reference/hubspot.md §11).
 */
export function mapPayment(record: SourceRecord<Payment>, context: StreamContext): MapResult {
  const payment = record.data;
  const records: TargetRecord[] = [];
  if (payment.Status === 'Voided' || payment.Hold) return { records, rejected: [] };
  for (const application of payment.DocumentsToApply ?? []) {
    const amount = money(application.AmountPaid);
    if (amount === undefined || Number(amount) <= 0) continue;
    records.push({
      key: keyOf(context, 'payment', payment.Type, payment.ReferenceNbr, application.DocType, application.ReferenceNbr),
      objectType: 'commerce_payments',
      match: { by: 'source_id' },
      properties: compactProperties({
        ...SOURCE,
        hs_initial_amount: amount,
        hs_initiated_date: payment.ApplicationDate ? `${dateOf(payment.ApplicationDate)}T00:00:00.000Z` : undefined,
        hs_currency_code: payment.CurrencyID && isCurrencyCode(payment.CurrencyID) ? payment.CurrencyID : undefined,
        hs_latest_status: 'succeeded',
        hs_payment_method_type: PAYMENT_METHODS[(payment.PaymentMethod ?? '').toUpperCase()] ?? 'other',
        hs_reference_number: payment.PaymentRef || `${payment.Type} ${payment.ReferenceNbr}`,
      }),
      // reference/hubspot.md §7.2: payment → invoice 542.
      parents: [{ key: invoiceKey(context, application.DocType, application.ReferenceNbr), objectType: 'invoices', associationTypeId: 542 }],
    });
  }
  return { records, rejected: [] };
}

/** An AR invoice as the billing summary sees it (the fallback without invoice writes). */
export function billingLineOf(invoice: SalesInvoice, today: string): BillingLine {
  const balance = invoice.Balance ?? 0;
  const due = dateOf(invoice.DueDate);
  return {
    number: `${invoice.Type} ${invoice.ReferenceNbr}`,
    date: dateOf(invoice.Date) ?? '',
    total: invoice.Amount ?? 0,
    balance,
    currency: invoice.Currency ?? undefined,
    billed: ISSUED.has(invoice.Status ?? ''),
    overdue: invoice.Status === 'Open' && balance > 0 && due !== undefined && due < today,
  };
}
