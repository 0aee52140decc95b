/**
 * Invoice and payment rules (reference/hubspot.md §9, §11): whether the
 * portal takes those writes at all, the draft → open → paid/voided life
 * cycle, deletes only of drafts and open invoices, and the amounts HubSpot
 * derives from an invoice's line items and payments.
 */
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { AssociationGraph } from './association-graph.ts';
import type { PortalSettings } from './context.ts';
import { HubSpotApiError, validationError } from './errors.ts';
import { formatMoney, isoString } from './property-values.ts';
import type { RecordStore, StoredRecord } from './record-store.ts';
import type { RecordWriter, WriteContext } from './record-writer.ts';

/** Payment states that count as money received. */
const COLLECTED = new Set(['succeeded', 'partially_refunded', 'refunded', 'disputed_won']);

function refused(message: string, subCategory: string): HubSpotApiError {
  return new HubSpotApiError(403, { category: 'FORBIDDEN', subCategory, message });
}

function money(record: StoredRecord | undefined, name: string): number {
  const n = Number(record?.props.get(name) ?? '0');
  return Number.isFinite(n) ? n : 0;
}

export class InvoiceRules {
  private nextNumber = 1001;

  constructor(
    private readonly stores: ReadonlyMap<HubSpotObjectType, RecordStore>,
    private readonly graph: AssociationGraph,
    private readonly writer: RecordWriter,
    private readonly settings: PortalSettings,
  ) {}

  /** Refuses invoice and payment writes the portal does not take (reads always work). */
  gate(type: HubSpotObjectType): void {
    if (type === 'invoices' && !this.settings.invoiceWrites) {
      throw refused(
        'This portal does not accept invoice writes through the API; invoices can only be read.',
        'crm.invoices.WRITES_NOT_ENABLED',
      );
    }
    if (type === 'commerce_payments' && !this.settings.commercePayments) {
      // §11: the account must have HubSpot payments or Stripe payment processing set up.
      throw refused(
        'Payments cannot be recorded: this account has no payment processing (HubSpot payments or Stripe) set up.',
        'crm.commerce_payments.PAYMENTS_NOT_ENABLED',
      );
    }
  }

  /** Values HubSpot fills in on a new invoice (§9: dates default to now, status to draft). */
  invoiceDefaults(props: Map<string, string>, now: number): void {
    if (!props.has('hs_invoice_status')) props.set('hs_invoice_status', 'draft');
    if (!props.has('hs_invoice_date')) props.set('hs_invoice_date', isoString(now));
    if (!props.has('hs_due_date')) props.set('hs_due_date', props.get('hs_invoice_date')!);
    if (!props.has('hs_invoice_billable')) props.set('hs_invoice_billable', 'true');
    if (!props.has('hs_number')) props.set('hs_number', `INV-${this.nextNumber++}`);
    for (const name of ['hs_subtotal', 'hs_amount_billed', 'hs_amount_paid', 'hs_balance_due']) {
      if (!props.has(name)) props.set(name, '0.00');
    }
  }

  /** §9: moving to `open` needs an associated contact and at least one line item. */
  private requireOpenable(contacts: number, lineItems: number): void {
    if (contacts >= 1 && lineItems >= 1) return;
    throw validationError(
      `An invoice can only be opened with at least one associated contact and at least one associated line item (it has ${contacts} contact(s) and ${lineItems} line item(s)).`,
      { subCategory: 'crm.invoices.INVALID_STATUS_TRANSITION' },
    );
  }

  checkCreate(props: ReadonlyMap<string, string>, inline: { contacts: number; lineItems: number }): void {
    const status = props.get('hs_invoice_status');
    if (status === 'paid' || status === 'voided') {
      throw validationError(`A new invoice cannot start as ${status}; create it as draft or open.`, {
        subCategory: 'crm.invoices.INVALID_STATUS_TRANSITION',
      });
    }
    if (status === 'open') this.requireOpenable(inline.contacts, inline.lineItems);
  }

  checkStatusChange(record: StoredRecord, next: string | undefined): void {
    const current = record.props.get('hs_invoice_status') ?? 'draft';
    if (next === undefined) throw validationError('hs_invoice_status cannot be cleared.');
    if (next === current) return;
    if (next === 'paid') {
      // §9: `paid` comes from payments; the API cannot record a manual payment.
      throw validationError('An invoice becomes paid when its payments cover it; associate a succeeded payment instead of setting the status.', {
        subCategory: 'crm.invoices.INVALID_STATUS_TRANSITION',
      });
    }
    const allowed: Record<string, string[]> = { draft: ['open'], open: ['voided'], paid: [], voided: [] };
    if (!(allowed[current] ?? []).includes(next)) {
      throw validationError(`An invoice cannot move from ${current} to ${next}.`, { subCategory: 'crm.invoices.INVALID_STATUS_TRANSITION' });
    }
    if (next === 'open') {
      this.requireOpenable(
        this.graph.targets('invoices', record.id, 'contacts').size,
        this.graph.targets('invoices', record.id, 'line_items').size,
      );
    }
  }

  /** §9: only draft invoices, and open ones, can be deleted. */
  checkArchive(record: StoredRecord): void {
    const status = record.props.get('hs_invoice_status') ?? 'draft';
    if (status !== 'draft' && status !== 'open') {
      throw validationError(`Only draft or open invoices can be deleted; invoice ${record.id} is ${status}.`);
    }
  }

  /** Totals from line items and collected payments; an open invoice whose balance reaches zero becomes paid. */
  recomputeInvoice(id: string, ctx: WriteContext): void {
    const invoice = this.stores.get('invoices')!.find(id);
    if (!invoice) return;
    const lineItems = this.stores.get('line_items')!;
    const payments = this.stores.get('commerce_payments')!;
    let subtotal = 0;
    for (const lineItemId of this.graph.targets('invoices', id, 'line_items').keys()) {
      subtotal += money(lineItems.find(lineItemId), 'amount');
    }
    let paid = 0;
    for (const paymentId of this.graph.targets('invoices', id, 'commerce_payments').keys()) {
      const payment = payments.find(paymentId);
      if (payment && COLLECTED.has(payment.props.get('hs_latest_status') ?? '')) {
        paid += money(payment, 'hs_initial_amount') - money(payment, 'hs_refunds_amount');
      }
    }
    const balance = Math.max(0, subtotal - paid);
    const changes = new Map<string, string | undefined>([
      ['hs_subtotal', formatMoney(subtotal)],
      ['hs_amount_billed', formatMoney(subtotal)],
      ['hs_amount_paid', formatMoney(paid)],
      ['hs_balance_due', formatMoney(balance)],
    ]);
    const status = invoice.props.get('hs_invoice_status');
    if (status === 'open' && subtotal > 0 && balance === 0) changes.set('hs_invoice_status', 'paid');
    if (status === 'paid' && balance > 0) changes.set('hs_invoice_status', 'open');
    this.writer.change(invoice, changes, ctx);
  }

  recomputePayment(id: string, ctx: WriteContext): void {
    const payment = this.stores.get('commerce_payments')!.find(id);
    if (!payment) return;
    const count = this.graph.targets('commerce_payments', id, 'invoices').size;
    this.writer.change(
      payment,
      new Map([
        ['hs_has_associated_invoice', String(count > 0)],
        ['hs_number_of_associated_invoices', String(count)],
      ]),
      ctx,
    );
  }

  /** After a line item's or payment's values changed: the invoices they belong to. */
  afterRecordChange(record: StoredRecord, ctx: WriteContext): void {
    if (record.type !== 'line_items' && record.type !== 'commerce_payments') return;
    for (const invoiceId of this.graph.targets(record.type, record.id, 'invoices').keys()) this.recomputeInvoice(invoiceId, ctx);
  }

  afterPairChange(a: HubSpotObjectType, aId: string, b: HubSpotObjectType, bId: string, ctx: WriteContext): void {
    const sides: Array<[HubSpotObjectType, string, HubSpotObjectType]> = [
      [a, aId, b],
      [b, bId, a],
    ];
    for (const [type, id, other] of sides) {
      if (type === 'invoices' && (other === 'line_items' || other === 'commerce_payments')) this.recomputeInvoice(id, ctx);
      if (type === 'commerce_payments' && other === 'invoices') this.recomputePayment(id, ctx);
    }
  }

  reset(): void {
    this.nextNumber = 1001;
  }
}
