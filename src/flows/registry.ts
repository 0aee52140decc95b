/**
 * Every flow ml-connector runs, by name (`<source>-to-hubspot`), and how to
 * bind one to a source connection's config.
 */
import type { Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import type { FlowDefinition } from '../engine/flow-definition.ts';
import type { WriteCapabilities } from '../systems/hubspot/capabilities.ts';
import { ZohoBooksClient } from '../systems/zohobooks/client.ts';
import { ZohoBooksConnectionSchema } from '../systems/zohobooks/connection.ts';
import { billingSummaryStream } from './zohobooks-to-hubspot/billing-summary.ts';
import { zohoBooksToHubSpot } from './zohobooks-to-hubspot/flow.ts';

export interface FlowBinding {
  definition: FlowDefinition<unknown>;
  source: unknown;
  /** The source account's own id, part of every record key. */
  sourceAccount: string;
}

export interface FlowEntry {
  name: string;
  source: string;
  bind(sourceConfig: Record<string, unknown>, options: { clock: Clock }): Promise<FlowBinding>;
  /** The flow as it must run against a portal with these capabilities, and what to say about it. */
  adapt?(definition: FlowDefinition<unknown>, capabilities: WriteCapabilities): { definition: FlowDefinition<unknown>; notes: string[] } | undefined;
}

const entries: FlowEntry[] = [
  {
    name: zohoBooksToHubSpot.name,
    source: 'zohobooks',
    async bind(config, { clock }) {
      const connection = ZohoBooksConnectionSchema.parse(config);
      return {
        definition: zohoBooksToHubSpot as FlowDefinition<unknown>,
        source: new ZohoBooksClient({
          connection,
          clock,
          ...(connection.plan ? { plan: connection.plan } : {}),
          ...(connection.dailyLimit ? { dailyLimit: connection.dailyLimit } : {}),
          ...(connection.perMinuteLimit ? { perMinuteLimit: connection.perMinuteLimit } : {}),
        }),
        sourceAccount: connection.organizationId,
      };
    },
    adapt(definition, capabilities) {
      if (!capabilities.invoices.available) {
        return {
          definition: {
            ...definition,
            streams: [...definition.streams.filter((s) => s.name === 'customers'), billingSummaryStream as FlowDefinition<unknown>['streams'][number]],
          },
          notes: [
            `HubSpot did not take invoice writes (${capabilities.invoices.reason ?? 'refused'}): invoices and payments were summarised on each company instead (ml_total_billed, ml_open_balance, ml_total_paid, ml_overdue_invoice_count, ml_last_invoice_number, ml_last_invoice_date, ml_currency). Once the portal takes invoice writes, the next run backfills the invoices.`,
          ],
        };
      }
      if (!capabilities.payments.available) {
        return {
          definition: { ...definition, streams: definition.streams.filter((s) => s.name !== 'payments') },
          notes: [
            `HubSpot did not take payment writes (${capabilities.payments.reason ?? 'refused'}): payments were not written; each invoice carries its balance in ml_balance_due. Once the portal takes payment writes, the next run backfills them.`,
          ],
        };
      }
      return undefined;
    },
  },
];

export const FLOWS: ReadonlyMap<string, FlowEntry> = new Map(entries.map((e) => [e.name, e]));

export function flowEntry(name: string): FlowEntry {
  const entry = FLOWS.get(name);
  if (!entry) {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.unknown_flow',
      message: `Unknown flow "${name}"; flows: ${[...FLOWS.keys()].join(', ')}`,
    });
  }
  return entry;
}
