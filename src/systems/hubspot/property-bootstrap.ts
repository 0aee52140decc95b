/**
 * The `ml_*` properties ml-connector keeps in a portal: our unique source id
 * on every object it writes (the key that makes upserts idempotent, SPEC §2),
 * and the summary fields a company carries when a portal can't take invoice
 * writes. Creating them is idempotent: what exists is left alone.
 */
import { ConnectorError, isConnectorError } from '../../core/errors.ts';
import type { HubSpotClient } from './client.ts';
import type { HubSpotObjectType } from './object-types.ts';
import type { PropertyCreate } from './schemas.ts';

export const SOURCE_ID_PROPERTY = 'ml_source_id';
export const PROPERTY_GROUP = { name: 'ml_connector', label: 'ml-connector' } as const;

const text = (name: string, label: string, description: string, unique = false): PropertyCreate => ({
  name,
  label,
  description,
  type: 'string',
  fieldType: 'text',
  groupName: PROPERTY_GROUP.name,
  ...(unique ? { hasUniqueValue: true } : {}),
});
const number = (name: string, label: string, description: string): PropertyCreate => ({
  name,
  label,
  description,
  type: 'number',
  fieldType: 'number',
  groupName: PROPERTY_GROUP.name,
});
const date = (name: string, label: string, description: string): PropertyCreate => ({
  name,
  label,
  description,
  type: 'date',
  fieldType: 'date',
  groupName: PROPERTY_GROUP.name,
});

const sourceProperties = (): PropertyCreate[] => [
  text(SOURCE_ID_PROPERTY, 'Source record id', 'The accounting record this one mirrors (system:account:object:id). Set by ml-connector.', true),
  text('ml_source_system', 'Source system', 'The accounting system this record comes from. Set by ml-connector.'),
];

/** What ml-connector needs on each object type it writes. */
export const ML_PROPERTIES: Partial<Record<HubSpotObjectType, PropertyCreate[]>> = {
  companies: [
    ...sourceProperties(),
    // Summary fields: the fallback when a portal can't take invoice/payment writes (SPEC §2).
    number('ml_total_billed', 'Total billed', 'Sum of invoice totals in the accounting system.'),
    number('ml_open_balance', 'Open balance', 'Sum of unpaid invoice balances in the accounting system.'),
    number('ml_total_paid', 'Total paid', 'Sum of payments received in the accounting system.'),
    number('ml_overdue_invoice_count', 'Overdue invoices', 'Invoices past their due date with a balance left.'),
    text('ml_last_invoice_number', 'Last invoice number', 'Number of the most recent invoice.'),
    date('ml_last_invoice_date', 'Last invoice date', 'Date of the most recent invoice.'),
    date('ml_last_payment_date', 'Last payment date', 'Date of the most recent payment.'),
    text('ml_currency', 'Billing currency', 'Currency of the amounts above.'),
  ],
  contacts: sourceProperties(),
  deals: sourceProperties(),
  line_items: sourceProperties(),
  invoices: [
    ...sourceProperties(),
    // §9: HubSpot computes its own invoice number and amounts; the accounting system's figures are kept beside them.
    text('ml_invoice_number', 'Source invoice number', 'The invoice number in the accounting system.'),
    number('ml_total', 'Source total', 'The invoice total in the accounting system.'),
    number('ml_balance_due', 'Source balance due', 'The balance left in the accounting system.'),
    text('ml_status', 'Source status', 'The invoice status in the accounting system.'),
  ],
  commerce_payments: sourceProperties(),
};

/** A create retried after a lost answer meets what the first attempt made (409): that is success. */
async function alreadyThereIsFine<T>(create: Promise<T>): Promise<T | undefined> {
  try {
    return await create;
  } catch (error) {
    if (isConnectorError(error) && error.kind === 'conflict') return undefined;
    throw error;
  }
}

export interface BootstrapReport {
  created: Array<{ objectType: HubSpotObjectType; name: string }>;
  existing: number;
}

/** Creates whichever `ml_*` properties (and their group) are missing on the given types. */
export async function ensureMlProperties(
  client: HubSpotClient,
  types: readonly HubSpotObjectType[] = Object.keys(ML_PROPERTIES) as HubSpotObjectType[],
): Promise<BootstrapReport> {
  const report: BootstrapReport = { created: [], existing: 0 };
  for (const type of types) {
    const wanted = ML_PROPERTIES[type] ?? [];
    if (wanted.length === 0) continue;
    const groups = await client.listPropertyGroups(type);
    if (!groups.some((g) => g.name === PROPERTY_GROUP.name)) await alreadyThereIsFine(client.createPropertyGroup(type, PROPERTY_GROUP));
    const existing = new Map((await client.listProperties(type)).map((p) => [p.name, p]));
    for (const property of wanted) {
      const found = existing.get(property.name);
      if (found && property.hasUniqueValue && !found.hasUniqueValue) {
        // §14: uniqueness can't be added later, and upserts by this property depend on it.
        throw new ConnectorError({
          kind: 'config',
          code: 'hubspot.property_not_unique',
          message: `The ${type} property "${property.name}" exists but does not have unique values; ml-connector needs it unique to upsert by it. Rename or delete it in HubSpot, then run again.`,
        });
      }
    }
    const missing = wanted.filter((p) => !existing.has(p.name));
    report.existing += wanted.length - missing.length;
    const created = await alreadyThereIsFine(client.createProperties(type, missing));
    if (created) {
      report.created.push(...created.map((p) => ({ objectType: type, name: p.name })));
    } else {
      // A create whose answer was lost made them after all: what exists now is the truth.
      const now = new Set((await client.listProperties(type)).map((p) => p.name));
      const stillMissing = missing.filter((p) => !now.has(p.name));
      report.created.push(...(await client.createProperties(type, stillMissing)).map((p) => ({ objectType: type, name: p.name })));
    }
  }
  return report;
}
