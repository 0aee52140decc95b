/**
 * How a seeded accounting system's records relate by index and when each was
 * made, shared by the emulators whose data is customers, their contact
 * persons, invoices and payments. Every relation is arithmetic on indices,
 * both ways and O(1), so a record can be generated alone from its index.
 *
 * Layout:
 * - sizes: `small`, ×10 (`medium`), ×100 (`large`), or `huge` (1,000,000 records);
 * - persons: 1, 3, 2, 2 per block of four customers (two on average);
 * - invoices: contiguous runs per customer; payments: each applied to one invoice;
 * - creation times spread evenly over 700 days ending 30 days before the
 *   anchor, whole seconds, never decreasing with the index (what the
 *   emulators' virtual collections need).
 */

export type SeedSize = 'empty' | 'small' | 'medium' | 'large' | 'huge';

/** `small`'s counts scaled to `size`; `huge` has its own table. */
export function scaleCounts<C extends { [K in keyof C]: number }>(size: SeedSize, small: C, huge: C): C {
  if (size === 'huge') return { ...huge };
  const m = { empty: 0, small: 1, medium: 10, large: 100 }[size];
  return Object.fromEntries(Object.entries<number>(small).map(([name, count]) => [name, count * m])) as C;
}

export const SECOND = 1_000;
export const DAY = 86_400_000;
/** Base records are created over 700 days ending 30 days before the seed instant. */
const SPAN_SECONDS = 700 * 86_400 - 7_919;
const END_GAP_MS = 30 * DAY;
/** Customers and persons are last modified this long after they were created. */
export const CONTACT_LAG_MS = DAY;
/** Invoices are last modified this long after they were created. */
export const INVOICE_LAG_MS = 12 * DAY;
/** A payment comes this long after its invoice. */
const PAYMENT_DELAY_MS = 10 * DAY;

/** Persons per customer in each block of four customers, and the first person of each. */
const BLOCK_PERSONS = [1, 3, 2, 2];
const BLOCK_START = [0, 1, 4, 6];

export interface LayoutCounts {
  customers: number;
  persons: number;
  invoices: number;
  payments: number;
}

/** The layout; an emulator's seed extends it with the records themselves. */
export class SeedLayout {
  private readonly startMs: number;

  constructor(
    private readonly layoutCounts: LayoutCounts,
    /** The instant the data is laid out before. */
    anchorMs: number,
  ) {
    this.startMs = Math.floor((anchorMs - END_GAP_MS - SPAN_SECONDS * SECOND) / SECOND) * SECOND;
  }

  /** Evenly over the span, whole seconds, never decreasing with `index`. */
  private spread(index: number, count: number): number {
    return this.startMs + Math.floor((index * SPAN_SECONDS) / Math.max(1, count)) * SECOND;
  }

  // ------------------------------------------------------------ relations (both ways, O(1))

  customerOfPerson(j: number): number {
    const block = Math.floor(j / 8);
    const r = j % 8;
    return block * 4 + (r === 0 ? 0 : r <= 3 ? 1 : r <= 5 ? 2 : 3);
  }

  personsOfCustomer(i: number): number[] {
    const block = Math.floor(i / 4);
    const r = i % 4;
    const first = block * 8 + BLOCK_START[r]!;
    return Array.from({ length: BLOCK_PERSONS[r]! }, (_, n) => first + n).filter((j) => j < this.layoutCounts.persons);
  }

  customerOfInvoice(k: number): number {
    return Math.floor((k * this.layoutCounts.customers) / this.layoutCounts.invoices);
  }

  invoicesOfCustomer(i: number): number[] {
    const { customers, invoices } = this.layoutCounts;
    if (customers === 0) return [];
    const from = Math.ceil((i * invoices) / customers);
    const to = Math.min(invoices, Math.ceil(((i + 1) * invoices) / customers));
    return Array.from({ length: Math.max(0, to - from) }, (_, n) => from + n);
  }

  invoiceOfPayment(m: number): number {
    return Math.floor((m * this.layoutCounts.invoices) / this.layoutCounts.payments);
  }

  paymentOfInvoice(k: number): number | undefined {
    const { invoices, payments } = this.layoutCounts;
    if (payments === 0) return undefined;
    const m = Math.ceil((k * payments) / invoices);
    return m < payments && this.invoiceOfPayment(m) === k ? m : undefined;
  }

  /** The payments applied to customer `i`'s invoices, in invoice order. */
  paymentsOfCustomer(i: number): number[] {
    return this.invoicesOfCustomer(i).flatMap((k) => {
      const m = this.paymentOfInvoice(k);
      return m === undefined ? [] : [m];
    });
  }

  // ------------------------------------------------------------ creation times

  customerCreatedMs(i: number): number {
    return this.spread(i, this.layoutCounts.customers);
  }

  /** A person is created with its customer. */
  personCreatedMs(j: number): number {
    return this.customerCreatedMs(this.customerOfPerson(j));
  }

  invoiceCreatedMs(k: number): number {
    return this.spread(k, this.layoutCounts.invoices);
  }

  paymentCreatedMs(m: number): number {
    return this.invoiceCreatedMs(this.invoiceOfPayment(m)) + PAYMENT_DELAY_MS;
  }
}
