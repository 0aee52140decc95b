/**
 * What a flow is, as data (SPEC §3): source streams read changes since their
 * cursor; each source record maps, through a pure function, to the target
 * records it becomes (a customer becomes a company and its contacts; an
 * invoice becomes line items and an invoice); target records name the
 * records they depend on, which must be written first.
 */
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../systems/hubspot/object-types.ts';
import type { SharedField } from './two-way.ts';

/** A record as read from the source, with the time that orders the stream. */
export interface SourceRecord<T = unknown> {
  id: string;
  /** Epoch ms of the source's last modification: the stream's cursor moves along it. */
  modifiedAt: number;
  data: T;
}

/** A source client's change (`{ id, modifiedAt, record }`) as the stream yields it, stopping when the run is cancelled. */
export async function* sourceRecords<C extends { id: string; record: unknown }>(
  changes: AsyncIterable<C>,
  signal: AbortSignal,
  modifiedAt: (change: C) => number = (change) => (change as C & { modifiedAt: number }).modifiedAt,
): AsyncGenerator<SourceRecord<C['record']>> {
  for await (const change of changes) {
    if (signal.aborted) throw signal.reason;
    yield { id: change.id, modifiedAt: modifiedAt(change), data: change.record };
  }
}

/** Where the stream had got to: records up to `ts` are done, and at `ts` exactly these ids. */
export interface Cursor {
  ts: number;
  idsAtTs: string[];
}

/** How a target record is found in the target when it isn't linked yet. */
export type MatchRule =
  | { by: 'source_id' }
  | { by: 'email'; email: string }
  | { by: 'domain'; domain: string | undefined }
  /** Properties written onto the record another key is linked to (a company's billing summary); never creates one. */
  | { by: 'target_of'; key: string };

/** A dependency on another target record, and the association to make to it once both exist. */
export interface ParentRef {
  /** The parent's target key. */
  key: string;
  objectType: HubSpotObjectType;
  /** The association type id from this record to the parent (reference/hubspot.md §7.2), if one is made. */
  associationTypeId?: number;
}

export interface TargetRecord {
  /** Unique within the flow, stable: becomes the `ml_source_id` in HubSpot (e.g. `zohobooks:123:invoice:456`). */
  key: string;
  objectType: HubSpotObjectType;
  match: MatchRule;
  /** Properties written by the first (upsert) write. */
  properties: Record<string, string>;
  /** Records that must exist first; associations to them are made after both are written. */
  parents: ParentRef[];
  /**
   * The record this one exists for (a line item for its invoice): when that
   * record can't be written, neither is this one, so nothing is left orphaned.
   */
  partOf?: string;
  /**
   * Property writes that may only happen once the associations exist, in
   * order (reference/hubspot.md §9: an invoice can move to `open` only with a
   * contact and a line item, and to `voided` only from `open`).
   */
  afterAssociations?: Array<Record<string, string>>;
  /**
   * Set by the engine on a two-way record: what the planner compares in place
   * of `properties` (the one-way part; the shared fields are decided by their
   * shadow, src/engine/two-way.ts), and why it must write even when that
   * part is unchanged.
   */
  hashProperties?: Record<string, string>;
  mustWrite?: string;
}

/** A target record the mapping refused, with the reason (it goes to the dead letters). */
export interface RejectedRecord {
  key: string;
  objectType: HubSpotObjectType;
  reason: string;
  field?: string;
}

export interface MapResult {
  records: TargetRecord[];
  rejected: RejectedRecord[];
}

export interface StreamContext {
  /** The source connection's own id for itself (e.g. the Zoho organization id), part of every key. */
  sourceAccount: string;
}

/**
 * A stream whose target records share fields with records flowing the other
 * way: per HubSpot object type, the shared fields (named by their HubSpot
 * property) and their owners. `source` is the source system's name.
 */
export interface TwoWaySpec {
  source: string;
  objects: Partial<Record<HubSpotObjectType, readonly SharedField[]>>;
}

export interface SourceStream<T = unknown, Client = unknown> {
  /** e.g. `customers`, `invoices`, `payments`. */
  name: string;
  twoWay?: TwoWaySpec;
  /** Records modified at or after `cursor.ts`, oldest first. */
  read(client: Client, cursor: Cursor | undefined, signal: AbortSignal): AsyncIterable<SourceRecord<T>>;
  /** Pure: the same source record always maps to the same target records. */
  map(record: SourceRecord<T>, context: StreamContext): MapResult;
}

export interface FlowDefinition<Client = unknown> {
  /** `<source>-to-hubspot` (SPEC §7). */
  name: string;
  source: string;
  target: 'hubspot';
  /** In dependency order: a stream's parents come from the streams before it. */
  streams: Array<SourceStream<unknown, Client>>;
  /**
   * Work before the streams, on every run that writes: aligning reference
   * data the records will need in HubSpot (an enumeration's options).
   * Returns notes for the run report.
   */
  prepare?(source: Client, hubspot: HubSpotClient): Promise<string[]>;
}

/** The order target records are written in (SPEC §2: company → contact → line items → invoice → payment). */
export const WRITE_ORDER: HubSpotObjectType[] = ['companies', 'contacts', 'deals', 'products', 'line_items', 'invoices', 'commerce_payments', 'orders', 'notes'];

export function defineFlow<Client>(flow: FlowDefinition<Client>): FlowDefinition<Client> {
  const names = new Set<string>();
  for (const stream of flow.streams) {
    if (names.has(stream.name)) throw new Error(`flow ${flow.name}: stream "${stream.name}" is declared twice`);
    names.add(stream.name);
  }
  return flow;
}
