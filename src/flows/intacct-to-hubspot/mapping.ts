/**
 * Sage Intacct records → HubSpot records (SPEC §2, Intacct ↔ HubSpot): a
 * vendor becomes a company, the person it names a contact, an AP bill an
 * invoice with its line items. Pure functions; keys are
 * `intacct:<company>:<object>:<id>`, written to HubSpot as `ml_source_id`.
 * A bill is keyed by its RECORDNO, the Intacct record number, so a replay
 * or a re-read finds the invoice it already made.
 */
import type { MapResult, SourceRecord, StreamContext, TargetRecord } from '../../engine/flow-definition.ts';
import type { ApBill, Contact, Vendor } from '../../systems/intacct/schemas.ts';
import { companyDomain, compactProperties, invoiceParents, isCurrencyCode, isValidEmail, lineItemRecord, money } from '../mapping-rules.ts';
import { contactFields, contactKey, vendorFields, vendorKey } from '../intacct-hubspot/shared-fields.ts';

const SOURCE = { ml_source_system: 'intacct' };

export const billKey = (context: StreamContext, recordNo: string) => `intacct:${context.sourceAccount}:bill:${recordNo}`;

/** `mm/dd/yyyy` (reference/intacct.md §1) → `yyyy-mm-dd`. */
export function isoDateOf(value: string | undefined): string | undefined {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(value ?? '');
  return match ? `${match[3]}-${match[1]}-${match[2]}` : undefined;
}

export function mapVendor(record: SourceRecord<Vendor>, context: StreamContext): MapResult {
  const vendor = record.data;
  const domain = companyDomain(vendor.DISPLAYCONTACT?.EMAIL1);
  const shared = vendorFields(vendor);
  const company: TargetRecord = {
    key: vendorKey(context.sourceAccount, vendor.VENDORID),
    objectType: 'companies',
    match: { by: 'domain', domain },
    properties: compactProperties({ ...SOURCE, ...shared, name: shared.name ?? vendor.VENDORID, domain }),
    parents: [],
  };
  return { records: [company], rejected: [] };
}

/** A contact as the read found it: the record, and the vendor it is the display contact of, if any. */
export interface ContactWithVendor {
  contact: Contact;
  vendorId: string | undefined;
}

export function mapContact(record: SourceRecord<ContactWithVendor>, context: StreamContext): MapResult {
  const { contact, vendorId } = record.data;
  const key = contactKey(context.sourceAccount, contact.CONTACTNAME);
  const shared = contactFields(contact);
  const email = shared.email?.trim().toLowerCase();
  if (!email || !isValidEmail(email)) {
    const reason = email ? `contact ${contact.CONTACTNAME} has a malformed email "${shared.email}"` : `contact ${contact.CONTACTNAME} has no email to match a HubSpot contact by`;
    return { records: [], rejected: email ? [{ key, objectType: 'contacts', field: 'EMAIL1', reason }] : [] };
  }
  return {
    records: [
      {
        key,
        objectType: 'contacts',
        match: { by: 'email', email },
        properties: compactProperties({ ...SOURCE, ...shared, email, lastname: shared.lastname ?? contact.PRINTAS, company: contact.COMPANYNAME }),
        // reference/hubspot.md §7.2: contact → company, unlabeled.
        parents: vendorId ? [{ key: vendorKey(context.sourceAccount, vendorId), objectType: 'companies', associationTypeId: 279 }] : [],
      },
    ],
    rejected: [],
  };
}

/** A bill as the read found it, with the vendor's display contact when that contact reaches HubSpot. */
export interface BillWithContact {
  bill: ApBill;
  contactName: string | undefined;
}

/** Bill states in which the bill is issued (reference/intacct.md §5.5). */
const ISSUED = new Set(['Posted', 'Partially Paid', 'Paid', 'Submitted', 'Partially Approved']);

export function mapBill(record: SourceRecord<BillWithContact>, context: StreamContext): MapResult {
  const { bill, contactName } = record.data;
  const key = billKey(context, bill.RECORDNO);
  const currency = bill.CURRENCY || bill.BASECURR || 'USD';
  if (!isCurrencyCode(currency)) {
    return { records: [], rejected: [{ key, objectType: 'invoices', field: 'CURRENCY', reason: `bill ${bill.RECORDID ?? bill.RECORDNO} has an invalid currency "${currency}"` }] };
  }
  const items = bill.APBILLITEMS?.APBILLITEM ?? [];
  const lines = items.map((line, index) =>
    lineItemRecord(
      `${key}:line:${line.LINE_NO || String(index + 1)}`,
      key,
      compactProperties({
        ...SOURCE,
        name: line.ENTRYDESCRIPTION || line.ACCOUNTLABEL || `Account ${line.ACCOUNTNO ?? index + 1}`,
        description: line.ENTRYDESCRIPTION,
        hs_sku: line.ACCOUNTNO,
        quantity: 1,
        price: money(line.TRX_AMOUNT),
      }),
    ),
  );
  const contact = contactName ? contactKey(context.sourceAccount, contactName) : undefined;
  const parents = invoiceParents(vendorKey(context.sourceAccount, bill.VENDORID), contact, lines.map((line) => line.key));
  const classId = items.find((line) => line.CLASSID)?.CLASSID;
  // reference/hubspot.md §9: `open` needs a contact and a line item; `paid` is HubSpot's own conclusion from payments.
  const open = contact !== undefined && lines.length > 0 && ISSUED.has(bill.STATE ?? '');
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
          hs_invoice_date: isoDateOf(bill.WHENCREATED),
          hs_due_date: isoDateOf(bill.WHENDUE),
          hs_purchase_order_number: bill.DOCNUMBER,
          hs_comments: bill.DESCRIPTION,
          // reference/hubspot.md §9: non-billable mirrors a document kept elsewhere; HubSpot sends nothing.
          hs_invoice_billable: 'false',
          ml_invoice_number: bill.RECORDID || bill.RECORDNO,
          ml_total: money(bill.TOTALENTERED),
          ml_balance_due: money(bill.TOTALDUE),
          ml_status: bill.STATE,
          ml_intacct_class: classId,
        }),
        parents,
        ...(open ? { afterAssociations: [{ hs_invoice_status: 'open' }] } : {}),
      },
    ],
    rejected: [],
  };
}
