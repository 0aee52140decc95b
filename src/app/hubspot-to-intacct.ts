/**
 * The flow `hubspot-to-intacct`: HubSpot companies become Intacct vendors,
 * each with a CLASS dimension entry of the same id, and the contacts of
 * companies become Intacct contacts. The other direction of
 * `intacct-to-hubspot`: the two share keys, links and the field shadows that
 * decide every shared field (src/engine/two-way.ts), so neither ever sends
 * back what the other wrote.
 *
 * Changes are found by polling (HubSpot search on modification time, sliced
 * past the 10,000 cap by `searchAll`) or from verified webhook events
 * (src/server/hubspot-webhooks.ts), as the operator chooses; either way the
 * records are read from HubSpot as they are now, so an event arriving late
 * or twice changes nothing.
 */
import type { z } from 'zod';
import { ConnectorError, isConnectorError, serializeError, type SerializedError } from '../core/errors.ts';
import { appendAudit, loadCursor, loadLinks, markEventsProcessed, putDeadLetters, unprocessedEvents, resolveDeadLetters, saveCursor, saveLinks, type AuditEntry, type LinkWrite } from '../engine/engine-state.ts';
import type { Cursor } from '../engine/flow-definition.ts';
import { hashOf } from '../engine/payload-hash.ts';
import { advanceCursor, type ProgressEvent } from '../engine/run-flow.ts';
import { emptyCounts, finishRun, heartbeat, startRun, type RunCounts, type RunMode, type RunStatus } from '../engine/runs.ts';
import { conflictsOf, loadShadows, normalise, reconcile, saveShadows, type FieldDecision, type Fields } from '../engine/two-way.ts';
import { ownedFields, shadowScope, contactFields, contactKey, vendorFields, vendorKey, type FieldOwners, type OwnedFields } from '../flows/intacct-hubspot/shared-fields.ts';
import { INTACCT_TO_HUBSPOT } from '../flows/intacct-to-hubspot/flow.ts';
import {
  classCreate,
  companyFields,
  contactCreate,
  contactUpdate,
  intacctIdOf,
  newContactName,
  newVendorId,
  vendorCreate,
  vendorUpdate,
} from '../flows/hubspot-to-intacct/mapping.ts';
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import { HubSpotConfig, hubspotClientFor } from '../systems/hubspot/connection.ts';
import { SOURCE_ID_PROPERTY } from '../systems/hubspot/property-bootstrap.ts';
import type { SimplePublicObject } from '../systems/hubspot/schemas.ts';
import { modificationProperty, searchAll } from '../systems/hubspot/search-all.ts';
import { IntacctClient, type IntacctWriteResult } from '../systems/intacct/client.ts';
import { IntacctConnectionSchema } from '../systems/intacct/connection.ts';
import { ClassRecord, Contact, Vendor } from '../systems/intacct/schemas.ts';
import { parseSystemConfig } from '../systems/registry.ts';
import type { Installation } from './installation.ts';

export const HUBSPOT_TO_INTACCT = 'hubspot-to-intacct';

/** How changes are found: HubSpot search on modification time, or the webhook events received. */
export const CHANGE_SOURCES = ['polling', 'webhook'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

export interface ReverseSyncRequest {
  from: string;
  to: string;
  mode?: RunMode;
  trigger?: string;
  changes?: ChangeSource;
  fieldOwners?: FieldOwners;
  /** The run's id when chosen up front (a queued "run now"). */
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void | Promise<void>;
  /** Resolves the owners to use (given, else kept for the pair, else the defaults); see src/app/sync.ts. */
  resolveOwners: (scope: string, given: FieldOwners | undefined) => Promise<FieldOwners | undefined>;
  /** Makes sure the portal has the `ml_*` properties (src/app/sync.ts `setUpPortal`). */
  preparePortal: () => Promise<unknown>;
}

export interface ReverseSyncResult {
  runId: string;
  status: RunStatus;
  counts: RunCounts;
  report: { streams: Record<string, RunCounts>; notes: string[] };
  error?: SerializedError;
}

/** A HubSpot record as the flow keeps it for replay: enough to write it again without reading HubSpot. */
interface Snapshot {
  objectType: 'companies' | 'contacts';
  id: string;
  properties: Record<string, string | null>;
  /** A contact's company name, read with it. */
  companyName?: string;
}

const BATCH = 100;
/** HubSpot webhook subscription objects this flow acts on (reference/hubspot.md §19.1). */
const EVENT_OBJECTS = { company: 'companies', contact: 'contacts' } as const;

/** What one batch commits together. */
interface BatchWrites {
  audit: AuditEntry[];
  links: LinkWrite[];
  /** Links for the forward flow, so it updates the records this direction paired. */
  forwardWrites: LinkWrite[];
  shadows: Map<string, Fields>;
  deadLetters: Array<{ stream: string; key: string; snapshot: unknown; error: SerializedError }>;
  settled: string[];
}

const batchWrites = (): BatchWrites => ({ audit: [], links: [], forwardWrites: [], shadows: new Map(), deadLetters: [], settled: [] });

class ReverseRun {
  readonly counts = emptyCounts();
  readonly streams: Record<string, RunCounts> = { companies: emptyCounts(), contacts: emptyCounts() };
  readonly notes: string[] = [];

  constructor(
    private readonly installation: Installation,
    private readonly hubspot: HubSpotClient,
    private readonly intacct: IntacctClient,
    private readonly keys: { flowKey: string; forwardKey: string; scope: string; intacctCompany: string; runId: string },
    private readonly owned: OwnedFields,
    private readonly mode: RunMode,
    private readonly onProgress: ReverseSyncRequest['onProgress'],
  ) {}

  private get db() {
    return this.installation.store.db;
  }

  private tally(stream: 'companies' | 'contacts', delta: Partial<RunCounts>) {
    for (const [name, value] of Object.entries(delta) as Array<[keyof RunCounts, number]>) {
      this.counts[name] += value;
      this.streams[stream]![name] += value;
    }
  }

  private correlation(): string[] {
    const session = this.intacct.sessionFingerprint();
    return session ? [session] : [];
  }

  /** Writes one record; a failure the next run or a replay can fix becomes a dead letter, a bad credential stops the run. */
  private async attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: SerializedError }> {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      if (isConnectorError(error) && (error.kind === 'auth' || error.kind === 'config')) throw error;
      return { ok: false, error: serializeError(error) };
    }
  }

  /** Records HubSpot says changed (polled or named by events), as read now: counted, a contact's company looked up, written. */
  async changed(type: 'companies' | 'contacts', snapshots: Snapshot[]): Promise<void> {
    this.tally(type, { read: snapshots.length });
    if (type === 'companies') await this.companies(snapshots);
    else await this.contacts(await withCompanies(this.hubspot, snapshots));
  }

  // ---------------------------------------------------------------- companies → vendors + classes

  async companies(batch: readonly Snapshot[]): Promise<void> {
    const { flowKey, runId } = this.keys;
    const { clock } = this.installation;
    const { pairs, shadows, changed, forward: forwardLinked } = await this.pairUp('companies', batch, this.owned.company.map((f) => f.name));
    const classLinks = await loadLinks(this.db, flowKey, pairs.map((p) => `${p.key}#class`));
    const vendors = new Map((await this.readByName('VENDOR', Vendor, pairs.filter((p) => changed.has(p.key)).map((p) => p.intacctId))).map((v) => [v.VENDORID, v]));
    const unclassed = pairs.filter((p) => !classLinks.has(`${p.key}#class`)).map((p) => p.intacctId);
    const classes = new Set((await this.readByName('CLASS', ClassRecord, unclassed)).map((c) => c.CLASSID));
    const unclaimed = await this.claim('companies', pairs.filter((p) => changed.has(p.key) && !vendors.has(p.intacctId)));

    const out = batchWrites();
    const { audit, links, forwardWrites, shadows: newShadows, deadLetters, settled } = out;
    const now = () => clock.now();
    for (const pair of pairs) {
      const { record: company, intacctId: vendorId, key, incoming } = pair;
      const started = now();
      const base = { runId, stream: 'companies', key, attempt: 1, sourceSnapshot: company };
      const shadow = shadows.get(key);
      const isChanged = changed.has(pair.key);
      const vendor = vendors.get(vendorId);
      const decided = isChanged
        ? reconcile({ from: 'hubspot', to: 'intacct', incoming, current: vendor ? vendorFields(vendor) : undefined, shadow, fields: this.owned.company })
        : { write: {}, shadow: shadow!, decisions: [] as FieldDecision[] };
      const needsClass = !classLinks.has(`${key}#class`) && !classes.has(vendorId);
      const creating = isChanged && !vendor;
      const updating = !creating && Object.keys(decided.write).length > 0;
      const name = incoming.name || vendor?.NAME || `HubSpot company ${company.id}`;
      if (this.mode === 'dry_run') {
        const would = [creating ? 'create the vendor' : updating ? `update ${Object.keys(decided.write).join(', ')}` : undefined, needsClass ? 'create the class' : undefined].filter(Boolean);
        audit.push({ ...base, outcome: 'skipped', reason: `dry run: would ${would.join(' and ') || 'change nothing'}`, mappedPayload: decided });
        this.tally('companies', { skipped: 1 });
        continue;
      }
      const refused = unclaimed.get(key);
      const result = refused ? { ok: false as const, error: refused } : await this.attempt(async () => {
        const writes: IntacctWriteResult[] = [];
        // A create's control id is the same on every attempt and every run: a repeat after a lost answer is recognised (reference/intacct.md §6).
        if (creating) writes.push(await this.intacct.create('VENDOR', vendorCreate(vendorId, decided.write, name), { controlId: `${flowKey}:vendor:${vendorId}:create` }));
        else if (updating) {
          writes.push(await this.intacct.update('VENDOR', vendorUpdate(vendorId, decided.write), { controlId: `${runId}:vendor:${vendorId}:${hashOf(decided.write)}` }));
        }
        if (needsClass) writes.push(await this.intacct.create('CLASS', classCreate(vendorId, name), { controlId: `${flowKey}:class:${vendorId}:create` }));
        return writes;
      });
      const correlationIds = this.correlation();
      if (!result.ok) {
        deadLetters.push({ stream: 'companies', key, snapshot: company, error: result.error });
        audit.push({ ...base, outcome: 'dead_lettered', reason: result.error.message, error: result.error, correlationIds, durationMs: now() - started });
        this.tally('companies', { failed: 1 });
        continue;
      }
      settled.push(key);
      newShadows.set(key, decided.shadow);
      links.push({ stream: 'companies', key, targetType: 'VENDOR', targetId: vendorId, payloadHash: hashOf(decided.shadow), afterHash: null, sourceVersion: null });
      if (needsClass || !classLinks.has(`${key}#class`)) links.push({ stream: 'classes', key: `${key}#class`, targetType: 'CLASS', targetId: vendorId, payloadHash: '', afterHash: null, sourceVersion: null });
      // The forward flow finds this company by its link; an empty hash makes its first read of the vendor write the one-way fields.
      if (!forwardLinked.has(company.id)) forwardWrites.push({ stream: 'vendors', key, targetType: 'companies', targetId: company.id, payloadHash: '', afterHash: null, sourceVersion: null });
      const sanitized = result.value.flatMap((w) => w.sanitized);
      const outcome = creating ? 'created' : updating || needsClass ? 'updated' : 'skipped';
      const reason = [
        creating ? `new vendor ${vendorId}` : updating ? `changed in HubSpot: ${Object.keys(decided.write).join(', ')}` : 'shared fields unchanged since the last sync',
        needsClass ? `class ${vendorId} created` : undefined,
        sanitized.length > 0 ? `removed characters XML does not allow: ${sanitized.map((s) => `${s.path} (${s.removed})`).join(', ')}` : undefined,
      ]
        .filter(Boolean)
        .join('; ');
      audit.push({ ...base, outcome, reason, mappedPayload: { write: decided.write, decisions: decided.decisions, sanitized }, targetIds: { VENDOR: vendorId, CLASS: vendorId }, correlationIds, durationMs: now() - started });
      this.conflictAudit(audit, base, decided.decisions);
      this.tally('companies', outcome === 'created' ? { created: 1 } : outcome === 'updated' ? { updated: 1 } : { skipped: 1 });
    }
    await this.commit('companies', out);
  }

  // ---------------------------------------------------------------- contacts → contacts

  async contacts(batch: readonly Snapshot[]): Promise<void> {
    const { flowKey, runId } = this.keys;
    const { clock } = this.installation;
    const { pairs, shadows, changed, forward } = await this.pairUp('contacts', batch, this.owned.contact.map((f) => f.name));
    const existing = new Map((await this.readByName('CONTACT', Contact, pairs.filter((p) => changed.has(p.key)).map((p) => p.intacctId))).map((c) => [c.CONTACTNAME, c]));
    const unclaimed = await this.claim('contacts', pairs.filter((p) => changed.has(p.key) && !existing.has(p.intacctId) && p.record.companyName));
    const out = batchWrites();
    const { audit, links, forwardWrites, shadows: newShadows, deadLetters, settled } = out;
    for (const pair of pairs) {
      const { record: contact, intacctId: contactName, key, incoming } = pair;
      const started = clock.now();
      const base = { runId, stream: 'contacts', key, attempt: 1, sourceSnapshot: contact };
      if (!changed.has(key)) {
        settled.push(key);
        audit.push({ ...base, outcome: 'skipped', reason: 'shared fields unchanged since the last sync' });
        this.tally('contacts', { skipped: 1 });
        continue;
      }
      const current = existing.get(contactName);
      if (!current && !contact.companyName) {
        audit.push({ ...base, outcome: 'skipped', reason: `contact ${contact.id} belongs to no company, so it has no vendor to go with; it is synced once associated with one` });
        this.tally('contacts', { skipped: 1 });
        continue;
      }
      const decided = reconcile({ from: 'hubspot', to: 'intacct', incoming, current: current ? contactFields(current) : undefined, shadow: shadows.get(key), fields: this.owned.contact });
      const updating = current !== undefined && Object.keys(decided.write).length > 0;
      if (this.mode === 'dry_run') {
        audit.push({ ...base, outcome: 'skipped', reason: `dry run: would ${!current ? 'create the contact' : updating ? `update ${Object.keys(decided.write).join(', ')}` : 'change nothing'}`, mappedPayload: decided });
        this.tally('contacts', { skipped: 1 });
        continue;
      }
      const refused = unclaimed.get(key);
      const result = refused ? { ok: false as const, error: refused } : await this.attempt(async () => {
        if (!current) return [await this.intacct.create('CONTACT', contactCreate(contactName, decided.write, contact.companyName), { controlId: `${flowKey}:contact:${contactName}:create` })];
        if (updating) return [await this.intacct.update('CONTACT', contactUpdate(contactName, decided.write), { controlId: `${runId}:contact:${contactName}:${hashOf(decided.write)}` })];
        return [];
      });
      const correlationIds = this.correlation();
      if (!result.ok) {
        deadLetters.push({ stream: 'contacts', key, snapshot: contact, error: result.error });
        audit.push({ ...base, outcome: 'dead_lettered', reason: result.error.message, error: result.error, correlationIds, durationMs: clock.now() - started });
        this.tally('contacts', { failed: 1 });
        continue;
      }
      settled.push(key);
      newShadows.set(key, decided.shadow);
      links.push({ stream: 'contacts', key, targetType: 'CONTACT', targetId: contactName, payloadHash: hashOf(decided.shadow), afterHash: null, sourceVersion: null });
      if (!forward.has(contact.id)) forwardWrites.push({ stream: 'contacts', key, targetType: 'contacts', targetId: contact.id, payloadHash: '', afterHash: null, sourceVersion: null });
      const outcome = !current ? 'created' : updating ? 'updated' : 'skipped';
      const sanitized = result.value.flatMap((w) => w.sanitized);
      audit.push({
        ...base,
        outcome,
        reason: !current ? `new contact ${contactName}` : updating ? `changed in HubSpot: ${Object.keys(decided.write).join(', ')}` : 'already agrees',
        mappedPayload: { write: decided.write, decisions: decided.decisions, sanitized },
        targetIds: { CONTACT: contactName },
        correlationIds,
        durationMs: clock.now() - started,
      });
      this.conflictAudit(audit, base, decided.decisions);
      this.tally('contacts', outcome === 'created' ? { created: 1 } : outcome === 'updated' ? { updated: 1 } : { skipped: 1 });
    }
    await this.commit('contacts', out);
  }

  private readByName<T>(object: string, schema: z.ZodType<T>, names: readonly string[]): Promise<T[]> {
    return names.length === 0 ? Promise.resolve([]) : this.intacct.readByName(object, schema, names);
  }

  private conflictAudit(audit: AuditEntry[], base: Omit<AuditEntry, 'outcome' | 'reason'>, decisions: readonly FieldDecision[]) {
    const conflicts = conflictsOf(decisions);
    if (conflicts.length === 0) return;
    audit.push({
      ...base,
      outcome: 'conflict',
      reason: conflicts.map((c) => `${c.field}: ${c.reason} (${c.winner} "${c.winnerValue}" over ${c.loser} "${c.loserValue}")`).join('; '),
      mappedPayload: { conflicts },
    });
  }

  /**
   * Each HubSpot record's pair: the Intacct id it already has (its
   * `ml_source_id`, or the forward flow's link) or a new one derived from
   * its HubSpot id; the pair's shadow; and which pairs' shared fields
   * changed in HubSpot since the shadow (only those are looked up in Intacct).
   */
  private async pairUp(type: 'companies' | 'contacts', batch: readonly Snapshot[], names: readonly string[]) {
    const { scope, intacctCompany } = this.keys;
    const object = type === 'companies' ? 'vendor' : 'contact';
    const forward = await this.forwardLinks(type, batch.map((r) => r.id));
    const pairs = batch.map((record) => {
      const intacctId =
        intacctIdOf(record.properties[SOURCE_ID_PROPERTY], intacctCompany, object) ??
        intacctIdOf(forward.get(record.id), intacctCompany, object) ??
        (type === 'companies' ? newVendorId(record.id) : newContactName(record.id));
      const key = type === 'companies' ? vendorKey(intacctCompany, intacctId) : contactKey(intacctCompany, intacctId);
      return { record, intacctId, key, incoming: companyFields(record.properties, names) };
    });
    const shadows = await loadShadows(this.db, scope, pairs.map((p) => p.key));
    const changed = new Set(
      pairs
        .filter((p) => {
          const shadow = shadows.get(p.key);
          return !shadow || names.some((n) => n in p.incoming && normalise(p.incoming[n]) !== normalise(shadow[n]));
        })
        .map((p) => p.key),
    );
    return { pairs, shadows, changed, forward };
  }

  /**
   * Before a record is made in Intacct, its HubSpot record takes the pair's
   * key as `ml_source_id` (unless it carries one already): the forward flow,
   * reading the new Intacct record even in a run at this very moment, finds
   * the HubSpot record by it instead of making a second one. Returns the
   * pairs HubSpot refused, with why.
   */
  private async claim(type: 'companies' | 'contacts', pairs: ReadonlyArray<{ record: Snapshot; key: string }>): Promise<Map<string, SerializedError>> {
    const refused = new Map<string, SerializedError>();
    const wanted = pairs.filter((p) => !p.record.properties[SOURCE_ID_PROPERTY]);
    if (wanted.length === 0 || this.mode === 'dry_run') return refused;
    const claimOne = async (pair: { record: Snapshot; key: string }) => {
      const result = await this.attempt(() => this.hubspot.updateObject(type, pair.record.id, { [SOURCE_ID_PROPERTY]: pair.key }));
      if (!result.ok) refused.set(pair.key, result.error);
    };
    const batch = await this.attempt(() => this.hubspot.batchUpdate(type, wanted.map((p) => ({ id: p.record.id, properties: { [SOURCE_ID_PROPERTY]: p.key } }))));
    if (!batch.ok) {
      // One refused input fails a whole batch: each alone then says which.
      for (const pair of wanted) await claimOne(pair);
      return refused;
    }
    const failedIds = new Set(batch.value.errors.flatMap((e) => e.context?.ids ?? []));
    for (const pair of wanted) if (failedIds.has(pair.record.id)) await claimOne(pair);
    return refused;
  }

  /** HubSpot ids the forward flow already linked, with the key it linked them under. */
  private async forwardLinks(type: 'companies' | 'contacts', ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('links')
      .select(['source_id', 'target_id'])
      .where('flow_key', '=', this.keys.forwardKey)
      .where('target_type', '=', type)
      .where('target_id', 'in', [...ids])
      .execute();
    return new Map(rows.map((r) => [r.target_id, r.source_id]));
  }

  private async commit(stream: 'companies' | 'contacts', parts: BatchWrites): Promise<void> {
    const { flowKey, forwardKey, scope, runId } = this.keys;
    const now = this.installation.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await saveLinks(trx, flowKey, runId, parts.links, now);
      await saveLinks(trx, forwardKey, runId, parts.forwardWrites, now);
      await saveShadows(trx, scope, runId, parts.shadows, now);
      await putDeadLetters(trx, flowKey, runId, parts.deadLetters, now);
      await resolveDeadLetters(trx, flowKey, parts.settled, runId, now);
      await appendAudit(trx, flowKey, parts.audit, now);
      await heartbeat(trx, runId, this.counts, now);
      await this.pendingCommit?.(trx);
    });
    this.pendingCommit = undefined;
    await this.onProgress?.({ runId, stream, counts: { ...this.counts } });
  }

  /** Runs inside the next commit's transaction (a cursor, the events a batch settled). */
  pendingCommit: ((trx: Installation['store']['db']) => Promise<void>) | undefined;
}

const companyProperties = (owned: OwnedFields) => [...owned.company.map((f) => f.name), SOURCE_ID_PROPERTY, modificationProperty('companies')];
const contactProperties = (owned: OwnedFields) => [...owned.contact.map((f) => f.name), SOURCE_ID_PROPERTY, modificationProperty('contacts')];

function snapshotOf(objectType: Snapshot['objectType'], record: SimplePublicObject): Snapshot {
  return { objectType, id: record.id, properties: { ...record.properties } };
}

/** Each contact's company name (its primary company, else the first), read in batches. */
async function withCompanies(hubspot: HubSpotClient, contacts: Snapshot[]): Promise<Snapshot[]> {
  const associations = await hubspot.batchReadAssociations('contacts', 'companies', contacts.map((c) => c.id));
  const companyOf = new Map<string, string>();
  for (const [contactId, found] of associations) {
    // reference/hubspot.md §7.2: contact → company type 1 is the primary one.
    const primary = found.find((a) => a.associationTypes.some((t) => t.typeId === 1)) ?? found[0];
    if (primary) companyOf.set(contactId, primary.toObjectId);
  }
  const companies = new Map<string, string>();
  const ids = [...new Set(companyOf.values())];
  if (ids.length > 0) {
    const read = await hubspot.batchRead('companies', ids, { properties: ['name', 'domain'] });
    for (const company of read.results) companies.set(company.id, company.properties.name || company.properties.domain || `HubSpot company ${company.id}`);
  }
  return contacts.map((c) => {
    const name = companies.get(companyOf.get(c.id) ?? '');
    return name ? { ...c, companyName: name } : c;
  });
}

async function* batchesOf<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The clients, keys and owners of one run between a HubSpot and an Intacct connection. */
async function openReverse(installation: Installation, request: Pick<ReverseSyncRequest, 'from' | 'to' | 'fieldOwners' | 'resolveOwners' | 'trigger' | 'runId'>, mode: RunMode) {
  const { store, clock, connections } = installation;
  const hubspotConnection = await connections.get(request.from);
  const intacctConnection = await connections.get(request.to);
  if (hubspotConnection.system !== 'hubspot' || intacctConnection.system !== 'intacct') {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.wrong_connection',
      message: `${HUBSPOT_TO_INTACCT} reads HubSpot and writes Sage Intacct: --from must be a HubSpot connection and --to an Intacct one`,
    });
  }
  const scope = shadowScope(intacctConnection.id, hubspotConnection.id);
  const owned = ownedFields(await request.resolveOwners(scope, request.fieldOwners));
  const hubspot = hubspotClientFor(HubSpotConfig.parse(parseSystemConfig('hubspot', await connections.getConfig(hubspotConnection.id))), { clock });
  const intacctConfig = IntacctConnectionSchema.parse(parseSystemConfig('intacct', await connections.getConfig(intacctConnection.id)));
  const intacct = new IntacctClient({ connection: intacctConfig, clock });
  const flowKey = `${HUBSPOT_TO_INTACCT}:${hubspotConnection.id}:${intacctConnection.id}`;
  const run = await startRun(
    store.db,
    { ...(request.runId ? { id: request.runId } : {}), flow: HUBSPOT_TO_INTACCT, flowKey, sourceConnection: hubspotConnection.id, targetConnection: intacctConnection.id, mode, trigger: request.trigger ?? (mode === 'replay' ? 'replay' : 'manual') },
    clock.now(),
  );
  const keys = { flowKey, forwardKey: `${INTACCT_TO_HUBSPOT}:${intacctConnection.id}:${hubspotConnection.id}`, scope, intacctCompany: intacctConfig.companyId, runId: run.id };
  return { hubspot, intacct, owned, keys, hubspotConnectionId: hubspotConnection.id };
}

/** Runs the work, then records the run's outcome. */
async function finishReverse(installation: Installation, work: ReverseRun, runId: string, body: () => Promise<void>): Promise<ReverseSyncResult> {
  let error: SerializedError | undefined;
  try {
    await body();
  } catch (caught) {
    error = serializeError(caught);
  }
  const status: RunStatus = error ? 'failed' : work.counts.failed > 0 ? 'partial' : 'succeeded';
  const report = { streams: work.streams, notes: work.notes };
  await finishRun(installation.store.db, runId, { status, counts: work.counts, report, ...(error ? { error } : {}) }, installation.clock.now());
  return { runId, status, counts: work.counts, report, ...(error ? { error } : {}) };
}

export async function runHubSpotToIntacct(installation: Installation, request: ReverseSyncRequest): Promise<ReverseSyncResult> {
  const mode = request.mode ?? 'incremental';
  const { hubspot, intacct, owned, keys, hubspotConnectionId } = await openReverse(installation, request, mode);
  const work = new ReverseRun(installation, hubspot, intacct, keys, owned, mode, request.onProgress);
  return finishReverse(installation, work, keys.runId, async () => {
    if (mode !== 'dry_run') await request.preparePortal();
    if ((request.changes ?? 'polling') === 'webhook') await fromWebhookEvents(work, installation, hubspot, hubspotConnectionId, owned, keys.runId, request.signal);
    else await fromPolling(work, installation, hubspot, keys.flowKey, owned, mode, request.signal);
    const session = intacct.sessionFingerprint();
    if (session) work.notes.push(`Intacct session used: ${session} (a fingerprint; the session id itself is a credential)`);
  });
}

async function fromPolling(work: ReverseRun, installation: Installation, hubspot: HubSpotClient, flowKey: string, owned: OwnedFields, mode: RunMode, signal: AbortSignal | undefined) {
  const { store, clock } = installation;
  for (const type of ['companies', 'contacts'] as const) {
    const stored = mode === 'full' ? undefined : await loadCursor(store.db, flowKey, type);
    const seen = new Set(stored?.idsAtTs ?? []);
    let cursor: Cursor | undefined = stored;
    const property = modificationProperty(type);
    const properties = type === 'companies' ? companyProperties(owned) : contactProperties(owned);
    const changed = searchAll(hubspot, type, { properties, ...(stored ? { modifiedSince: stored.ts } : {}) });
    for await (const records of batchesOf(changed, BATCH)) {
      if (signal?.aborted) throw signal.reason;
      // searchAll may yield a record twice when it moved during the read; at the cursor's instant, what was done is skipped.
      const fresh = [...new Map(records.map((r) => [r.id, r])).values()];
      const modified = fresh.map((r) => ({ id: r.id, modifiedAt: Date.parse(r.properties[property] ?? '') || Number(r.properties[property]) || 0, data: r }));
      const todo = modified.filter((r) => !(stored && r.modifiedAt === stored.ts && seen.has(r.id)));
      const snapshots = todo.map((r) => snapshotOf(type, r.data));
      cursor = advanceCursor(cursor, modified);
      const next = cursor;
      if (mode !== 'dry_run' && next) work.pendingCommit = (trx) => saveCursor(trx, flowKey, type, next, clock.now());
      await work.changed(type, snapshots);
    }
  }
}

async function fromWebhookEvents(
  work: ReverseRun,
  installation: Installation,
  hubspot: HubSpotClient,
  connectionId: string,
  owned: OwnedFields,
  runId: string,
  signal: AbortSignal | undefined,
) {
  const { store, clock } = installation;
  for (const [object, type] of Object.entries(EVENT_OBJECTS) as Array<[keyof typeof EVENT_OBJECTS, 'companies' | 'contacts']>) {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const events = await unprocessedEvents(store.db, connectionId, { objectType: object, limit: BATCH });
      if (events.length === 0) break;
      // The events say which records changed; what they are now is read from HubSpot, so order and repeats don't matter.
      const ids = [...new Set(events.filter((e) => !e.name.endsWith('.deletion')).map((e) => e.objectId))];
      const read = ids.length > 0 ? await hubspot.batchRead(type, ids, { properties: type === 'companies' ? companyProperties(owned) : contactProperties(owned) }) : { results: [] };
      const snapshots = read.results.map((r) => snapshotOf(type, r));
      // The events settle in the same commit as the writes they caused.
      work.pendingCommit = (trx) => markEventsProcessed(trx, connectionId, events, runId, clock.now());
      await work.changed(type, snapshots);
    }
  }
}

/** Replays dead-lettered HubSpot records from their snapshots, without reading HubSpot again. */
export async function replayHubSpotToIntacct(
  installation: Installation,
  request: Pick<ReverseSyncRequest, 'from' | 'to' | 'resolveOwners' | 'preparePortal'> & { snapshots: ReadonlyArray<{ stream: string; snapshot: unknown }> },
): Promise<ReverseSyncResult> {
  const { hubspot, intacct, owned, keys } = await openReverse(installation, request, 'replay');
  const work = new ReverseRun(installation, hubspot, intacct, keys, owned, 'replay', undefined);
  return finishReverse(installation, work, keys.runId, async () => {
    await request.preparePortal();
    const snapshots = request.snapshots.map((s) => s.snapshot as Snapshot);
    const companies = snapshots.filter((s) => s.objectType === 'companies');
    const contacts = snapshots.filter((s) => s.objectType === 'contacts');
    for (let i = 0; i < companies.length; i += BATCH) await work.companies(companies.slice(i, i + BATCH));
    for (let i = 0; i < contacts.length; i += BATCH) await work.contacts(contacts.slice(i, i + BATCH));
  });
}
