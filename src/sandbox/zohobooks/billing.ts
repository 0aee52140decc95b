/**
 * How invoices and payments move each other (reference/zohobooks.md §6.3,
 * §6.4): an invoice's total is the sum of its lines, its balance the total
 * less what payments applied, and its status follows (sent → partially_paid
 * → paid). Applying or withdrawing a payment moves the invoice's
 * `last_modified_time`.
 */
import type { LineItem, LineItemInput } from '../../systems/zohobooks/schemas.ts';
import { round2, type ZohoBooksData } from './data.ts';
import { doesNotExist, invalidField, refused } from './errors.ts';
import type { InvoiceBody, PaymentBody } from './seed.ts';
import type { StoredRecord } from './virtual-collection.ts';

/** The stored status an invoice takes from its payments (draft and void stay). */
export function settledStatus(body: InvoiceBody): string {
  if (body.status === 'draft' || body.status === 'void') return body.status;
  if (body.total > 0 && body.balance <= 0) return 'paid';
  if (body.payment_made > 0) return 'partially_paid';
  return 'sent';
}

/** Lines from a write: kept ids must be the invoice's own; totals are computed (no taxes in the sandbox). */
export function buildLines(data: ZohoBooksData, inputs: readonly LineItemInput[], existing: readonly LineItem[] = []): LineItem[] {
  const known = new Map(existing.map((line) => [line.line_item_id, line]));
  return inputs.map((input, n) => {
    const current = input.line_item_id === undefined ? undefined : known.get(input.line_item_id);
    if (input.line_item_id !== undefined && !current) throw invalidField(`line_items.${n}.line_item_id`, 'not a line of this invoice');
    const quantity = input.quantity ?? 1;
    const discount = input.discount ?? 0;
    const total = round2(input.rate * quantity - discount);
    if (total < 0) throw invalidField(`line_items.${n}.discount`, 'the discount exceeds the line amount');
    return {
      ...(current ?? {}),
      line_item_id: current?.line_item_id ?? data.newId('lineItems'),
      item_id: input.item_id ?? current?.item_id ?? '',
      name: input.name ?? current?.name ?? '',
      description: input.description ?? current?.description ?? '',
      item_order: n + 1,
      rate: input.rate,
      quantity,
      unit: input.unit ?? current?.unit ?? '',
      discount,
      tax_id: input.tax_id ?? '',
      tax_name: '',
      tax_percentage: 0,
      item_total: total,
    };
  });
}

export function totals(lines: readonly LineItem[]): { sub_total: number; tax_total: number; total: number } {
  const subTotal = round2(lines.reduce((sum, line) => sum + line.item_total, 0));
  return { sub_total: subTotal, tax_total: 0, total: subTotal };
}

/** Adds (`sign` 1) or withdraws (`sign` -1) a payment's applications on their invoices. */
export function applyPayment(data: ZohoBooksData, applications: PaymentBody['invoices'], sign: 1 | -1, now: number): void {
  for (const application of applications) {
    const invoice = data.invoices.get(application.invoice_id);
    // An invoice deleted behind the data plane's back (admin) has nothing left to update.
    if (!invoice) continue;
    const body = structuredClone(invoice.body);
    body.payment_made = round2(Math.max(0, body.payment_made + sign * application.amount_applied));
    body.balance = round2(body.total - body.payment_made);
    body.status = settledStatus(body);
    data.touch(data.invoices, invoice, body, now);
  }
}

export interface ApplicationInput {
  invoice_id: string;
  amount_applied: number;
}

/**
 * Checks a payment's applications and snapshots them the way Zoho returns
 * them. `previous` are the payment's own current applications (an update
 * may re-apply what it already holds).
 */
export function checkApplications(
  data: ZohoBooksData,
  customerId: string,
  amount: number,
  inputs: readonly ApplicationInput[],
  previous: PaymentBody['invoices'] = [],
): PaymentBody['invoices'] {
  const seen = new Set<string>();
  let applied = 0;
  const result = inputs.map((input, n) => {
    if (seen.has(input.invoice_id)) throw invalidField(`invoices.${n}.invoice_id`, 'the invoice is listed twice');
    seen.add(input.invoice_id);
    const invoice = data.invoices.get(input.invoice_id);
    if (!invoice) throw doesNotExist('Invoice');
    const body = invoice.body;
    if (body.customer_id !== customerId) throw invalidField(`invoices.${n}.invoice_id`, 'the invoice belongs to another customer');
    if (body.status === 'draft' || body.status === 'void') throw refused(`Payments cannot be applied to a ${body.status} invoice (${body.invoice_number}).`);
    const already = previous.find((p) => p.invoice_id === input.invoice_id)?.amount_applied ?? 0;
    const available = round2(body.balance + already);
    if (input.amount_applied > available + 0.005) {
      throw refused(`The amount applied to invoice ${body.invoice_number} exceeds its balance (${available.toFixed(2)}).`);
    }
    applied += input.amount_applied;
    return {
      invoice_id: body.invoice_id,
      invoice_number: body.invoice_number,
      date: body.date,
      invoice_amount: body.total,
      amount_applied: round2(input.amount_applied),
      balance_amount: round2(available - input.amount_applied),
    };
  });
  if (round2(applied) > round2(amount) + 0.005) throw refused('The amount applied to invoices exceeds the payment amount.');
  return result;
}

export function appliedTotal(applications: PaymentBody['invoices']): number {
  return round2(applications.reduce((sum, a) => sum + a.amount_applied, 0));
}

export function requireInvoice(data: ZohoBooksData, id: string): StoredRecord<InvoiceBody> {
  const record = data.invoices.get(id);
  if (!record) throw doesNotExist('Invoice');
  return record;
}
