/**
 * FreshBooks records → HubSpot records (SPEC §2, FreshBooks → HubSpot): a
 * client becomes a contact, and a company too when it has an organization;
 * an invoice becomes line items and an invoice; a payment becomes a
 * payment associated to its invoice. Pure functions; keys are
 * `freshbooks:<account>:<object>:<id>`, written to HubSpot as `ml_source_id`.
 */
import type { MapResult, SourceRecord, StreamContext, TargetRecord } from '../../engine/flow-definition.ts';
import type { Client, Invoice, Payment } from '../../systems/freshbooks/schemas.ts';
import { companyDomain, compactProperties, invoiceParents, isCurrencyCode, isValidEmail, lineItemRecord, money } from '../mapping-rules.ts';

const SOURCE = { ml_source_system: 'freshbooks' };

export const keyOf = (context: StreamContext, object: string, ...ids: Array<string | number>) => `freshbooks:${context.sourceAccount}:${object}:${ids.join(':')}`;

/** FreshBooks soft-deletes (vis_state 1); a deleted record is left as it is in HubSpot. */
const isDeleted = (record: { vis_state?: number | null }) => record.vis_state === 1;

/** The client's company is keyed by the client: FreshBooks has no company record of its own. */
export const companyKeyOf = (context: StreamContext, clientId: number | string) => keyOf(context, 'company', clientId);
export const contactKeyOf = (context: StreamContext, clientId: number | string) => keyOf(context, 'client', clientId);

export function mapClient(record: SourceRecord<Client>, context: StreamContext): MapResult {
  const client = record.data;
  if (isDeleted(client)) return { records: [], rejected: [] };
  const key = contactKeyOf(context, client.userid);
  const email = client.email?.trim().toLowerCase() || undefined;
  if (email !== undefined && !isValidEmail(email)) {
    return { records: [], rejected: [{ key, objectType: 'contacts', field: 'email', reason: `client ${client.userid} has a malformed email "${client.email}"` }] };
  }
  const records: TargetRecord[] = [];
  const organization = client.organization?.trim();
  if (organization) {
    const domain = companyDomain(email);
    records.push({
      key: companyKeyOf(context, client.userid),
      objectType: 'companies',
      match: { by: 'domain', domain },
      properties: compactProperties({
        ...SOURCE,
        name: organization,
        domain,
        phone: client.bus_phone,
        address: client.p_street,
        city: client.p_city,
        state: client.p_province,
        zip: client.p_code,
        country: client.p_country,
      }),
      parents: [],
    });
  }
  records.push({
    key,
    objectType: 'contacts',
    match: email ? { by: 'email', email } : { by: 'source_id' },
    properties: compactProperties({
      ...SOURCE,
      firstname: client.fname,
      lastname: client.lname || (email ? undefined : organization),
      email,
      phone: client.bus_phone || client.mob_phone || client.home_phone,
      mobilephone: client.mob_phone,
      company: organization,
    }),
    // reference/hubspot.md §7.2: contact → company, unlabeled.
    parents: organization ? [{ key: companyKeyOf(context, client.userid), objectType: 'companies', associationTypeId: 279 }] : [],
  });
  return { records, rejected: [] };
}

/** An invoice as the read found it, with whether its client has an organization (a company to associate). */
export interface InvoiceWithClient {
  invoice: Invoice;
  clientHasCompany: boolean;
}

/** FreshBooks statuses in which the invoice was issued (sent, viewed, paid, partial, …): everything but draft. */
const DRAFT = 1;

export function mapInvoice(record: SourceRecord<InvoiceWithClient>, context: StreamContext): MapResult {
  const { invoice, clientHasCompany } = record.data;
  if (isDeleted(invoice)) return { records: [], rejected: [] };
  const key = keyOf(context, 'invoice', invoice.invoiceid);
  const currency = invoice.currency_code;
  if (!isCurrencyCode(currency)) {
    return { records: [], rejected: [{ key, objectType: 'invoices', field: 'currency_code', reason: `invoice ${invoice.invoice_number} has an invalid currency "${currency}"` }] };
  }
  const lines = (invoice.lines ?? []).map((line) =>
    lineItemRecord(
      keyOf(context, 'line_item', invoice.invoiceid, line.lineid),
      key,
      compactProperties({ ...SOURCE, name: line.name || line.description || `Line ${line.lineid}`, description: line.description, quantity: line.qty, price: money(line.unit_cost.amount) }),
    ),
  );
  const parents = invoiceParents(
    clientHasCompany ? companyKeyOf(context, invoice.customerid) : undefined,
    contactKeyOf(context, invoice.customerid),
    lines.map((line) => line.key),
  );
  // reference/hubspot.md §9: `open` needs a contact and a line item; `paid` is HubSpot's own conclusion from payments.
  const open = lines.length > 0 && invoice.status !== DRAFT;
  return {
    records: [
      ...lines,
      {
        key,
        objectType: 'invoices',
        match: { by: 'source_id' },
        properties: compactProperties({
          ...SOURCE,
          hs_currency: currency,
          hs_invoice_date: invoice.create_date,
          hs_due_date: invoice.due_date,
          hs_purchase_order_number: invoice.po_number,
          hs_comments: invoice.notes,
          hs_invoice_billable: 'false',
          ml_invoice_number: invoice.invoice_number,
          ml_total: money(invoice.amount.amount),
          ml_balance_due: money(invoice.outstanding.amount),
          ml_status: invoice.v3_status || invoice.display_status,
        }),
        parents,
        ...(open ? { afterAssociations: [{ hs_invoice_status: 'open' }] } : {}),
      },
    ],
    rejected: [],
  };
}

const PAYMENT_METHODS: Record<string, string> = { check: 'check', cash: 'cash', 'credit card': 'card', credit: 'other', 'bank transfer': 'ach', ach: 'ach', 'debit card': 'card', paypal: 'other' };

export function mapPayment(record: SourceRecord<Payment>, context: StreamContext): MapResult {
  const payment = record.data;
  if (isDeleted(payment)) return { records: [], rejected: [] };
  const amount = money(payment.amount.amount);
  if (amount === undefined || Number(amount) <= 0) return { records: [], rejected: [] };
  return {
    records: [
      {
        key: keyOf(context, 'payment', payment.id),
        objectType: 'commerce_payments',
        match: { by: 'source_id' },
        properties: compactProperties({
          ...SOURCE,
          hs_initial_amount: amount,
          hs_initiated_date: `${payment.date}T00:00:00.000Z`,
          hs_currency_code: isCurrencyCode(payment.amount.code) ? payment.amount.code : undefined,
          hs_latest_status: 'succeeded',
          hs_payment_method_type: PAYMENT_METHODS[payment.type.toLowerCase()] ?? 'other',
          hs_reference_number: payment.transactionid || `FreshBooks payment ${payment.id}`,
        }),
        // reference/hubspot.md §7.2: payment → invoice 542.
        parents: [{ key: keyOf(context, 'invoice', payment.invoiceid), objectType: 'invoices', associationTypeId: 542 }],
      },
    ],
    rejected: [],
  };
}
