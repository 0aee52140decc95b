/**
 * The fallback every flow uses when a portal can't take invoice writes
 * (SPEC §2): a customer's invoices summarised onto its company in `ml_*`
 * properties. Each flow reads its source's invoices; this file says what the
 * summary is.
 */
import type { TargetRecord } from '../engine/flow-definition.ts';
import { compactProperties, money } from './mapping-rules.ts';

/** One invoice as the summary sees it, whatever system it comes from. */
export interface BillingLine {
  number: string;
  /** `YYYY-MM-DD`. */
  date: string;
  total: number;
  balance: number;
  currency: string | undefined;
  /** Counts toward the totals: issued, not a draft, not voided. */
  billed: boolean;
  overdue: boolean;
}

/** The `ml_*` summary written onto the company linked to `companyKey`, keyed `summaryKey`. */
export function billingSummaryRecord(summaryKey: string, companyKey: string, invoices: readonly BillingLine[]): TargetRecord {
  const counted = invoices.filter((i) => i.billed);
  const latest = [...counted].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.number < b.number ? 1 : -1))[0];
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    key: summaryKey,
    objectType: 'companies',
    match: { by: 'target_of', key: companyKey },
    properties: compactProperties({
      ml_total_billed: money(sum(counted.map((i) => i.total))) ?? '0',
      ml_open_balance: money(sum(counted.map((i) => i.balance))) ?? '0',
      ml_total_paid: money(sum(counted.map((i) => i.total - i.balance))) ?? '0',
      ml_overdue_invoice_count: String(counted.filter((i) => i.overdue).length),
      ml_last_invoice_number: latest?.number,
      ml_last_invoice_date: latest?.date,
      ml_currency: latest?.currency,
    }),
    // The company must exist first; nothing is associated.
    parents: [{ key: companyKey, objectType: 'companies' }],
  };
}

/** The note a run's report carries when it fell back. */
export const SUMMARY_NOTE = (reason: string | undefined) =>
  `HubSpot did not take invoice writes (${reason ?? 'refused'}): invoices and payments were summarised on each company instead (ml_total_billed, ml_open_balance, ml_total_paid, ml_overdue_invoice_count, ml_last_invoice_number, ml_last_invoice_date, ml_currency). Once the portal takes invoice writes, the next run backfills the invoices.`;

export const NO_PAYMENTS_NOTE = (reason: string | undefined) =>
  `HubSpot did not take payment writes (${reason ?? 'refused'}): payments were not written; each invoice carries its balance in ml_balance_due. Once the portal takes payment writes, the next run backfills them.`;
