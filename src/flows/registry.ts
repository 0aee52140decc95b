/**
 * Every flow ml-connector runs, by name (`<source>-to-hubspot`), and how to
 * bind one to a source connection's config.
 */
import type { Clock } from '../core/clock.ts';
import { ConnectorError } from '../core/errors.ts';
import type { FlowDefinition, SourceRecord } from '../engine/flow-definition.ts';
import type { WriteCapabilities } from '../systems/hubspot/capabilities.ts';
import { AcumaticaClient } from '../systems/acumatica/client.ts';
import { AcumaticaConnectionSchema, tenantOf } from '../systems/acumatica/connection.ts';
import { ZohoBooksClient } from '../systems/zohobooks/client.ts';
import { ZohoBooksConnectionSchema } from '../systems/zohobooks/connection.ts';
import { NO_PAYMENTS_NOTE, SUMMARY_NOTE } from './billing-summary.ts';
import { acumaticaBillingSummaries, acumaticaToHubSpot } from './acumatica-to-hubspot/flow.ts';
import { billingSummaryStream } from './zohobooks-to-hubspot/billing-summary.ts';
import { zohoBooksToHubSpot } from './zohobooks-to-hubspot/flow.ts';
import { FreshBooksClient } from '../systems/freshbooks/client.ts';
import { FreshBooksConnectionSchema } from '../systems/freshbooks/connection.ts';
import { eventItems, FRESHBOOKS_TO_HUBSPOT, freshbooksToHubSpot } from './freshbooks-to-hubspot/flow.ts';
import type { ReceivedEvent } from '../engine/engine-state.ts';
import { IntacctClient } from '../systems/intacct/client.ts';
import { IntacctConnectionSchema } from '../systems/intacct/connection.ts';
import { ownedFields, type FieldOwners } from './intacct-hubspot/shared-fields.ts';
import { INTACCT_TO_HUBSPOT, intacctToHubSpot } from './intacct-to-hubspot/flow.ts';

export interface FlowBinding {
  definition: FlowDefinition<unknown>;
  source: unknown;
  /** The source account's own id, part of every record key. */
  sourceAccount: string;
  /** Ids on the source's side that the audit keeps with each batch (the Intacct session's fingerprint). */
  sourceCorrelationIds?: () => string[];
}

export interface FlowEntry {
  name: string;
  source: string;
  bind(
    sourceConfig: Record<string, unknown>,
    options: {
      clock: Clock;
      /** Stores a config the client changed itself (a rotated refresh token). */
      saveConfig?: (config: Record<string, unknown>) => Promise<void>;
      /** A two-way flow's field owners (src/flows/intacct-hubspot/shared-fields.ts). */
      fieldOwners?: FieldOwners;
    },
  ): Promise<FlowBinding>;
  /**
   * For a flow driven by webhooks: the records the received events name, to
   * write as a partial run (src/app/sync.ts, `changes: 'webhook'`).
   */
  eventItems?(source: unknown, events: readonly ReceivedEvent[]): Promise<Array<{ stream: string; snapshot: SourceRecord }>>;
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
    adapt: adaptToPortal(billingSummaryStream as AnyStream),
  },
  {
    name: acumaticaToHubSpot.name,
    source: 'acumatica',
    async bind(config, { clock, saveConfig }) {
      const connection = AcumaticaConnectionSchema.parse(config);
      const client = new AcumaticaClient({
        connection,
        clock,
        // reference/acumatica.md §6a: refresh tokens rotate; the new one must outlive this process.
        ...(saveConfig ? { onRotate: ({ refreshToken }: { refreshToken: string }) => saveConfig({ ...config, refreshToken }) } : {}),
      });
      return {
        definition: acumaticaToHubSpot as FlowDefinition<unknown>,
        source: client,
        // The tenant names the account; without one (cookie login to the default tenant) the instance does.
        sourceAccount: tenantOf(connection) ?? new URL(connection.baseUrl).host,
      };
    },
    adapt: adaptToPortal(acumaticaBillingSummaries as AnyStream),
  },
  {
    name: INTACCT_TO_HUBSPOT,
    source: 'intacct',
    async bind(config, { clock, fieldOwners }) {
      const connection = IntacctConnectionSchema.parse(config);
      const client = new IntacctClient({ connection, clock });
      return {
        definition: intacctToHubSpot(ownedFields(fieldOwners)) as FlowDefinition<unknown>,
        source: client,
        sourceAccount: connection.companyId,
        sourceCorrelationIds: () => [client.sessionFingerprint()].filter((id): id is string => id !== undefined),
      };
    },
    // AP bills have no summary on the company: without invoice writes they wait for the capability.
    adapt: holdBack('bills', 'Bills', 'Vendors and contacts were'),
  },
  {
    name: FRESHBOOKS_TO_HUBSPOT,
    source: 'freshbooks',
    async bind(config, { clock, saveConfig }) {
      const connection = FreshBooksConnectionSchema.parse(config);
      const client = new FreshBooksClient({
        connection,
        clock,
        // reference/freshbooks.md §2: refresh tokens are single-use; the new one must be stored at once.
        ...(saveConfig ? { onRotate: ({ refreshToken }: { refreshToken: string }) => saveConfig({ refreshToken }) } : {}),
      });
      return { definition: freshbooksToHubSpot as FlowDefinition<unknown>, source: client, sourceAccount: connection.accountId };
    },
    eventItems: (source, events) => eventItems(source as FreshBooksClient, events),
    // Payments wait for their invoices (they are associated to them): both follow once the portal takes invoices.
    adapt: holdBack('invoices', 'Invoices', 'Contacts and companies were; payments wait for their invoices and'),
  },
];

/**
 * Without invoice writes, a flow whose documents have no summary fallback
 * leaves that stream out and says so; its cursor stays, so the first run
 * after the capability appears backfills every document.
 */
function holdBack(stream: string, what: string, rest: string): NonNullable<FlowEntry['adapt']> {
  return (definition, capabilities) =>
    capabilities.invoices.available
      ? undefined
      : {
          definition: { ...definition, streams: definition.streams.filter((s) => s.name !== stream) },
          notes: [`${what} were held back: this portal can't take invoice writes (${capabilities.invoices.reason ?? 'no reason given'}). ${rest} synced; they follow on the first run after invoice writes become available.`],
        };
}

type AnyStream = FlowDefinition<unknown>['streams'][number];

/**
 * What every accounting flow does on a portal that lacks a capability: without
 * invoice writes, the invoice and payment streams give way to billing
 * summaries on the companies; without payment writes, payments are left out.
 */
function adaptToPortal(summaries: AnyStream): NonNullable<FlowEntry['adapt']> {
  return (definition, capabilities) => {
    if (!capabilities.invoices.available) {
      return {
        definition: { ...definition, streams: [...definition.streams.filter((s) => s.name !== 'invoices' && s.name !== 'payments'), summaries] },
        notes: [SUMMARY_NOTE(capabilities.invoices.reason)],
      };
    }
    if (!capabilities.payments.available) {
      return {
        definition: { ...definition, streams: definition.streams.filter((s) => s.name !== 'payments') },
        notes: [NO_PAYMENTS_NOTE(capabilities.payments.reason)],
      };
    }
    return undefined;
  };
}

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
