/**
 * CRM records through HubSpot's rules (reference/hubspot.md §3–§4): property
 * checks, unique values, idProperty look-ups, inline associations, and the
 * batch semantics — all-or-nothing unless every failing input carries an
 * `objectWriteTraceId`, in which case the rest is written and the failures
 * come back in a 207 (§4.2).
 */
import { OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type {
  AssociatedId,
  CreateInput,
  PropertyInputValues,
  SimplePublicObject,
  StandardError,
  UpdateInput,
  UpsertInput,
} from '../../systems/hubspot/schemas.ts';
import type { AssociationTypeInfo } from './association-labels.ts';
import type { AssociationService } from './association-service.ts';
import type { PortalSettings } from './context.ts';
import { HubSpotApiError, conflictError, notFoundError, validationError } from './errors.ts';
import type { InvoiceRules } from './invoice-rules.ts';
import type { ObjectRules } from './object-rules.ts';
import type { PropertyDef } from './property-catalog.ts';
import type { PropertyRegistry } from './property-registry.ts';
import {
  checkEmail,
  doesNotExist,
  isoString,
  normalizeValue,
  parseTimestamp,
  propertyValuesError,
  readOnly,
  type ValueProblem,
} from './property-values.ts';
import { uniqueKey, type RecordStore, type StoredRecord } from './record-store.ts';
import type { RecordWriter, WriteContext } from './record-writer.ts';

export interface RenderOptions {
  /** Requested properties; the object's defaults when undefined (§4). */
  properties?: string[] | undefined;
  propertiesWithHistory?: string[] | undefined;
  associations?: HubSpotObjectType[] | undefined;
  /** Echo every stored value (create responses echo inputs plus system values, §4). */
  all?: boolean;
  /** Extra names to echo (update responses echo the written properties). */
  echo?: Iterable<string>;
  /** Values and times to show instead of the live ones (search's lagging view). */
  values?: ReadonlyMap<string, string>;
  times?: { createdAt: number; updatedAt: number };
}

interface Link {
  toType: HubSpotObjectType;
  toId: string;
  infos: AssociationTypeInfo[];
}

interface CreateDraft {
  kind: 'create';
  type: HubSpotObjectType;
  props: Map<string, string>;
  links: Link[];
  traceId?: string | undefined;
}

interface UpdateDraft {
  kind: 'update';
  record: StoredRecord;
  changes: Map<string, string | undefined>;
  echo: string[];
  traceId?: string | undefined;
}

type Draft = CreateDraft | UpdateDraft;

export interface WriteResult {
  record: StoredRecord;
  /** Names an update response echoes; undefined for creates (they echo everything). */
  echo?: string[];
  isNew?: boolean;
  traceId?: string | undefined;
}

export interface BatchOutcome {
  results: WriteResult[];
  errors: StandardError[];
}

/** Unique values claimed by earlier inputs of the same batch. */
type Claims = Map<string, Map<string, string>>;

/** §4: object batch endpoints take at most 100 inputs. */
export function checkBatchSize(count: number, limit: number): void {
  if (count > limit) {
    throw validationError(
      `The maximum number of inputs supported in a batch request is ${limit}. Please reduce the number of items and try again (got ${count}).`,
    );
  }
}

/** The upper-case singular HubSpot uses in batch messages: CONTACT, LINE_ITEM. */
export function objectNameUpper(type: HubSpotObjectType): string {
  return OBJECT_TYPES[type].singular.toUpperCase();
}

export function toStandardError(error: HubSpotApiError, context: Record<string, string[]>): StandardError {
  const ownContext = (error.fields.context ?? {}) as Record<string, string[]>;
  return {
    status: 'error',
    category: error.fields.category,
    message: error.fields.message,
    ...(error.fields.subCategory ? { subCategory: error.fields.subCategory } : {}),
    context: { ...ownContext, ...context },
    errors: (error.fields.errors ?? []) as StandardError['errors'],
    links: {},
  };
}

function snake(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export class ObjectService {
  constructor(
    private readonly stores: ReadonlyMap<HubSpotObjectType, RecordStore>,
    private readonly registry: PropertyRegistry,
    private readonly associations: AssociationService,
    private readonly rules: ObjectRules,
    private readonly invoices: InvoiceRules,
    private readonly writer: RecordWriter,
    private readonly settings: PortalSettings,
  ) {}

  store(type: HubSpotObjectType): RecordStore {
    return this.stores.get(type)!;
  }

  // ------------------------------------------------------------ look-ups

  /**
   * §4.1: `idProperty` names a unique-value property. `hs_object_id` is the
   * record id itself on reads and single updates; batch writes refuse it.
   */
  private idPropertyDef(type: HubSpotObjectType, idProperty: string | undefined, op: 'read' | 'update' | 'batch-update' | 'upsert'): PropertyDef | undefined {
    if (idProperty === undefined || idProperty === '') return undefined;
    if (idProperty === 'hs_object_id' && (op === 'read' || op === 'update')) return undefined;
    const def = this.registry.get(type, idProperty);
    // §4.1: batch update by contact email fails like a non-unique property (upsert or PATCH single work).
    const emailQuirk = op === 'batch-update' && type === 'contacts' && idProperty === 'email';
    if (!def || !def.hasUniqueValue || idProperty === 'hs_object_id' || emailQuirk) {
      const what = op === 'read' ? 'read' : 'update/upsert';
      throw validationError(
        `Unable to perform ${what} by non-unique ${OBJECT_TYPES[type].typeId} property ${idProperty} in portal ID ${this.settings.portalId}`,
      );
    }
    return def;
  }

  private lookupKey(def: PropertyDef, raw: string): string | undefined {
    const normalized = normalizeValue(def, raw);
    return normalized.ok ? normalized.value : undefined;
  }

  /** An active record by id or by a unique property; undefined when none. */
  find(type: HubSpotObjectType, id: string, idProperty?: string, op: 'read' | 'update' | 'batch-update' = 'read'): StoredRecord | undefined {
    const def = this.idPropertyDef(type, idProperty, op);
    if (!def) return this.store(type).find(id);
    const key = this.lookupKey(def, id);
    return key === undefined ? undefined : this.store(type).findUnique(def.name, key);
  }

  findArchived(type: HubSpotObjectType, id: string, idProperty?: string): StoredRecord | undefined {
    if (idProperty !== undefined && idProperty !== 'hs_object_id') {
      const def = this.idPropertyDef(type, idProperty, 'read')!;
      const key = uniqueKey(def.name, this.lookupKey(def, id) ?? id);
      // Archived records leave the unique indexes, so this is a scan.
      return this.store(type)
        .all()
        .find((r) => {
          const value = r.archived ? r.props.get(def.name) : undefined;
          return value !== undefined && uniqueKey(def.name, value) === key;
        });
    }
    const record = this.store(type).get(id);
    return record?.archived ? record : undefined;
  }

  // ------------------------------------------------------------ values

  /**
   * Checks and normalises written values: unknown properties give §18's
   * PROPERTY_DOESNT_EXIST, read-only ones READ_ONLY_VALUE. `""` and null
   * clear a value (undefined in the result). A leading `;` appends to a
   * multi-checkbox value (§3).
   */
  private normalizeWrite(
    type: HubSpotObjectType,
    input: PropertyInputValues,
    current: StoredRecord | undefined,
    allowReadOnly = false,
  ): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    const problems: ValueProblem[] = [];
    for (const [name, rawValue] of Object.entries(input)) {
      const def = this.registry.get(type, name);
      if (!def) {
        problems.push(doesNotExist(name));
        continue;
      }
      if (def.readOnlyValue && !allowReadOnly) {
        problems.push(readOnly(name));
        continue;
      }
      const raw = rawValue === null ? '' : String(rawValue);
      if (raw === '') {
        out.set(name, undefined);
        continue;
      }
      let value = raw;
      if (def.type === 'enumeration' && def.fieldType === 'checkbox' && raw.startsWith(';')) {
        const existing = current?.props.get(name)?.split(';') ?? [];
        value = [...new Set([...existing, ...raw.split(';')])].filter((v) => v !== '').join(';');
      }
      const normalized = normalizeValue(def, value);
      if (!normalized.ok) {
        problems.push(normalized.problem);
        continue;
      }
      value = normalized.value;
      if (type === 'contacts' && name === 'email') {
        const problem = checkEmail(name, value);
        if (problem) {
          problems.push(problem);
          continue;
        }
        value = value.toLowerCase();
      }
      out.set(name, value);
    }
    if (problems.length > 0) throw propertyValuesError(this.settings.portalId, problems);
    return out;
  }

  /** §4.1: unique values conflict with other active records (409) and with earlier inputs of the batch. */
  private checkUnique(type: HubSpotObjectType, values: ReadonlyMap<string, string | undefined>, self: StoredRecord | undefined, claims: Claims): void {
    for (const def of this.registry.uniqueProperties(type)) {
      const value = values.get(def.name);
      if (value === undefined) continue;
      const holder = this.store(type).findUnique(def.name, value);
      if (holder && holder !== self) {
        if (type === 'contacts' && def.name === 'email') throw conflictError(`Contact already exists. Existing ID: ${holder.id}`);
        throw conflictError(
          `A ${OBJECT_TYPES[type].singular} with the unique value "${value}" for property "${def.name}" already exists. Existing ID: ${holder.id}`,
          { context: { property: [def.name], existingId: [holder.id] } },
        );
      }
      const key = uniqueKey(def.name, value);
      let claimed = claims.get(def.name);
      if (!claimed) {
        claimed = new Map();
        claims.set(def.name, claimed);
      }
      if (claimed.has(key)) {
        throw validationError(`Duplicate values found in batch input for unique property ${def.name}: [${value}]`);
      }
      claimed.set(key, value);
    }
  }

  /** A new record's stored properties: what was written, the type's defaults, and what derives from them. */
  private initialProperties(type: HubSpotObjectType, written: Iterable<[string, string | undefined]>): Map<string, string> {
    const props = new Map<string, string>();
    for (const [name, value] of written) if (value !== undefined) props.set(name, value);
    this.rules.defaults(type, props);
    for (const [name, value] of this.rules.derive(type, props)) {
      if (value === undefined) props.delete(name);
      else props.set(name, value);
    }
    return props;
  }

  // ------------------------------------------------------------ create

  private prepareCreate(type: HubSpotObjectType, input: CreateInput, claims: Claims, extra?: Record<string, string>): CreateDraft {
    this.rules.gate(type);
    const written = this.normalizeWrite(type, { ...input.properties, ...(extra ?? {}) }, undefined);
    const props = this.initialProperties(type, written);
    const links = this.prepareInlineAssociations(type, input.associations ?? []);
    const count = (t: HubSpotObjectType) => links.filter((l) => l.toType === t).length;
    this.rules.checkCreate(type, props, { contacts: count('contacts'), lineItems: count('line_items') });
    this.checkUnique(type, props, undefined, claims);
    return { kind: 'create', type, props, links, traceId: input.objectWriteTraceId };
  }

  /** §7.1: the type must point from the new record's type; the target must exist. */
  private prepareInlineAssociations(type: HubSpotObjectType, inputs: NonNullable<CreateInput['associations']>): Link[] {
    const links = new Map<string, Link>();
    for (const association of inputs) {
      for (const spec of association.types) {
        const info = this.associations.labels.findFrom(type, spec.associationTypeId, spec.associationCategory);
        if (!info) {
          throw validationError(
            `${spec.associationCategory} association type ${spec.associationTypeId} does not point from ${OBJECT_TYPES[type].typeId} (${type}); inline associations need the type from the record being created to its target.`,
            { subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE' },
          );
        }
        if (!this.associations.exists(info.to, association.to.id)) {
          throw validationError(`Cannot associate with ${OBJECT_TYPES[info.to].singular} ${association.to.id}: no such record exists.`, {
            subCategory: 'crm.associations.INVALID_OBJECT_IDS',
            context: { ids: [association.to.id] },
          });
        }
        const key = `${info.to}:${association.to.id}`;
        const link = links.get(key) ?? { toType: info.to, toId: association.to.id, infos: [] };
        link.infos.push(info);
        links.set(key, link);
      }
    }
    return [...links.values()];
  }

  private commitCreate(draft: CreateDraft, ctx: WriteContext): StoredRecord {
    const record = this.writer.insert(draft.type, draft.props, ctx);
    for (const link of draft.links) {
      this.associations.add({ fromType: draft.type, fromId: record.id, toType: link.toType, toId: link.toId }, link.infos, ctx);
    }
    return record;
  }

  create(type: HubSpotObjectType, input: CreateInput, ctx: WriteContext): StoredRecord {
    return this.commitCreate(this.prepareCreate(type, input, new Map()), ctx);
  }

  // ------------------------------------------------------------ update

  private prepareUpdate(record: StoredRecord, properties: PropertyInputValues, claims: Claims, traceId?: string): UpdateDraft {
    const type = record.type;
    this.rules.gate(type);
    const changes = this.normalizeWrite(type, properties, record);
    const echo = [...changes.keys()];
    this.rules.checkUpdate(type, record, changes);
    const merged = new Map(record.props);
    for (const [name, value] of changes) {
      if (value === undefined) merged.delete(name);
      else merged.set(name, value);
    }
    for (const [name, value] of this.rules.derive(type, merged)) {
      if (record.props.get(name) !== value) {
        changes.set(name, value);
        echo.push(name);
      }
    }
    this.checkUnique(type, changes, record, claims);
    return { kind: 'update', record, changes, echo, traceId };
  }

  private commitUpdate(draft: UpdateDraft, ctx: WriteContext): WriteResult {
    const changed = this.writer.change(draft.record, draft.changes, ctx);
    if (changed.length > 0) this.invoices.afterRecordChange(draft.record, ctx);
    return { record: draft.record, echo: draft.echo, traceId: draft.traceId };
  }

  /** PATCH single (§4): by id, or by `?idProperty=`. */
  update(type: HubSpotObjectType, id: string, idProperty: string | undefined, properties: PropertyInputValues, ctx: WriteContext): WriteResult {
    const record = this.find(type, id, idProperty, 'update');
    if (!record) throw notFoundError();
    return this.commitUpdate(this.prepareUpdate(record, properties, new Map()), ctx);
  }

  // ------------------------------------------------------------ archive

  /** DELETE single: archiving a missing or archived record is a no-op (still 204). */
  archive(type: HubSpotObjectType, id: string, ctx: WriteContext): void {
    this.rules.gate(type);
    const record = this.store(type).find(id);
    if (!record) return;
    this.rules.checkArchive(record);
    this.writer.archive(record, ctx);
    this.associations.dropRecord(type, id, ctx);
  }

  restore(type: HubSpotObjectType, id: string, ctx: WriteContext): StoredRecord {
    const record = this.store(type).get(id);
    if (!record) throw notFoundError();
    this.writer.restore(record, ctx);
    return record;
  }

  // ------------------------------------------------------------ batches

  /**
   * §4.2: prepares every input first. A failure without an
   * `objectWriteTraceId` fails the whole batch (nothing is written); with
   * one, it becomes an error item and the other inputs go ahead.
   */
  private runBatch<I extends { objectWriteTraceId?: string | undefined }>(
    inputs: I[],
    prepare: (input: I, claims: Claims) => Draft,
    ctx: WriteContext,
  ): BatchOutcome {
    const claims: Claims = new Map();
    const drafts: Draft[] = [];
    const errors: StandardError[] = [];
    for (const input of inputs) {
      try {
        drafts.push(prepare(input, claims));
      } catch (error) {
        if (!(error instanceof HubSpotApiError) || input.objectWriteTraceId === undefined) throw error;
        errors.push(toStandardError(error, { objectWriteTraceId: [input.objectWriteTraceId] }));
      }
    }
    const results: WriteResult[] = drafts.map((draft) =>
      draft.kind === 'create'
        ? { record: this.commitCreate(draft, ctx), isNew: true, traceId: draft.traceId }
        : { ...this.commitUpdate(draft, ctx), isNew: false },
    );
    return { results, errors };
  }

  batchCreate(type: HubSpotObjectType, inputs: CreateInput[], ctx: WriteContext): BatchOutcome {
    this.rules.gate(type);
    return this.runBatch(inputs, (input, claims) => this.prepareCreate(type, input, claims), ctx);
  }

  private rejectDuplicateIds(keys: string[], shown: string[]): void {
    const seen = new Set<string>();
    const duplicates: string[] = [];
    keys.forEach((key, i) => {
      if (seen.has(key)) duplicates.push(shown[i]!);
      seen.add(key);
    });
    if (duplicates.length > 0) {
      // §4.1: inputs that resolve to the same record are rejected as a whole.
      throw validationError(`Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`);
    }
  }

  batchUpdate(type: HubSpotObjectType, inputs: UpdateInput[], ctx: WriteContext): BatchOutcome {
    this.rules.gate(type);
    for (const input of inputs) this.idPropertyDef(type, input.idProperty, 'batch-update');
    const targets = inputs.map((input) => this.find(type, input.id, input.idProperty, 'batch-update'));
    this.rejectDuplicateIds(
      targets.map((t, i) => t?.id ?? `missing:${inputs[i]!.id}`),
      inputs.map((i) => i.id),
    );
    let index = 0;
    return this.runBatch(
      inputs,
      (input, claims) => {
        const record = targets[index++];
        if (!record) {
          throw new HubSpotApiError(404, {
            category: 'OBJECT_NOT_FOUND',
            message: `Could not find ${objectNameUpper(type)} objects with ids: [${input.id}]`,
            context: { ids: [input.id] },
          });
        }
        return this.prepareUpdate(record, input.properties, claims, input.objectWriteTraceId);
      },
      ctx,
    );
  }

  /** §4.1: upsert by contact email or a custom unique property; results carry `new`. */
  batchUpsert(type: HubSpotObjectType, inputs: UpsertInput[], ctx: WriteContext): BatchOutcome {
    this.rules.gate(type);
    const defs = inputs.map((input) => this.idPropertyDef(type, input.idProperty, 'upsert')!);
    const keys = inputs.map((input, i) => {
      const def = defs[i]!;
      const key = this.lookupKey(def, input.id);
      if (key === undefined) {
        throw propertyValuesError(this.settings.portalId, [{ name: def.name, error: 'INVALID_ID', message: `${input.id} is not a valid value for ${def.name}` }]);
      }
      return key;
    });
    const targets = inputs.map((_, i) => this.store(type).findUnique(defs[i]!.name, keys[i]!));
    this.rejectDuplicateIds(
      targets.map((t, i) => t?.id ?? `new:${defs[i]!.name}:${uniqueKey(defs[i]!.name, keys[i]!)}`),
      inputs.map((i) => i.id),
    );
    let index = 0;
    return this.runBatch(
      inputs,
      (input, claims) => {
        const i = index++;
        const record = targets[i];
        if (record) return this.prepareUpdate(record, input.properties, claims, input.objectWriteTraceId);
        const idValue = input.properties[defs[i]!.name] ?? keys[i]!;
        return this.prepareCreate(type, { properties: input.properties, objectWriteTraceId: input.objectWriteTraceId }, claims, {
          [defs[i]!.name]: String(idValue),
        });
      },
      ctx,
    );
  }

  /** Batch archive answers 204 whatever the ids (unknown ones are skipped). */
  batchArchive(type: HubSpotObjectType, ids: string[], ctx: WriteContext): void {
    this.rules.gate(type);
    const records = ids.map((id) => this.store(type).find(id)).filter((r): r is StoredRecord => r !== undefined);
    for (const record of records) this.rules.checkArchive(record);
    for (const record of records) {
      this.writer.archive(record, ctx);
      this.associations.dropRecord(type, record.id, ctx);
    }
  }

  batchRead(
    type: HubSpotObjectType,
    ids: string[],
    options: { idProperty?: string | undefined; archived: boolean },
  ): { records: StoredRecord[]; missing: string[] } {
    const records: StoredRecord[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const record = options.archived ? this.findArchived(type, id, options.idProperty) : this.find(type, id, options.idProperty);
      if (!record) {
        missing.push(id);
        continue;
      }
      if (seen.has(record.id)) continue;
      seen.add(record.id);
      records.push(record);
    }
    return { records, missing };
  }

  // ------------------------------------------------------------ lists

  /** Records in id order from the cursor's id; `nextId` is the first id of the following page. */
  list(type: HubSpotObjectType, options: { limit: number; afterId?: number | undefined; archived: boolean }): { records: StoredRecord[]; nextId?: string } {
    const all = this.store(type).all();
    const records: StoredRecord[] = [];
    for (let i = options.afterId === undefined ? 0 : this.store(type).positionOf(options.afterId); i < all.length; i++) {
      const record = all[i]!;
      if (record.archived !== options.archived) continue;
      if (records.length === options.limit) return { records, nextId: record.id };
      records.push(record);
    }
    return { records };
  }

  // ------------------------------------------------------------ admin

  /**
   * Admin seeding: values are checked for existence and type but read-only
   * values, required properties, limits and events for each property are
   * not enforced; unique values still are. Creation events are emitted.
   */
  bulkInsert(type: HubSpotObjectType, records: ReadonlyArray<Record<string, unknown>>): string[] {
    const ctx: WriteContext = { source: 'CRM_UI' };
    const prepared = records.map((raw, i) => {
      const properties = (raw.properties ?? {}) as PropertyInputValues;
      if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
        throw validationError(`records[${i}].properties must be an object of property values`);
      }
      const written = this.normalizeWrite(type, properties, undefined, true);
      const props = this.initialProperties(type, written);
      return { props, createdAt: timestampOf(raw.createdAt, `records[${i}].createdAt`), updatedAt: timestampOf(raw.updatedAt, `records[${i}].updatedAt`) };
    });
    const claims: Claims = new Map();
    for (const p of prepared) this.checkUnique(type, p.props, undefined, claims);
    return prepared.map(
      (p) =>
        this.writer.insert(type, p.props, ctx, {
          ...(p.createdAt !== undefined ? { createdAt: p.createdAt } : {}),
          ...(p.updatedAt !== undefined ? { updatedAt: p.updatedAt } : {}),
          history: false,
          objectSource: 'IMPORT',
          indexNow: true,
        }).id,
    );
  }

  // ------------------------------------------------------------ rendering

  /** The created/modified/id properties every read returns (§4 default properties). */
  private systemNames(type: HubSpotObjectType): string[] {
    const names = OBJECT_TYPES[type].defaultProperties.filter((n) => /createdate|lastmodifieddate|hs_object_id/.test(n));
    return names.length > 0 ? names : ['createdate', 'hs_lastmodifieddate', 'hs_object_id'];
  }

  render(record: StoredRecord, options: RenderOptions = {}): SimplePublicObject {
    const type = record.type;
    const values = options.values ?? record.props;
    const properties: Record<string, string | null> = {};
    if (options.all) {
      for (const [name, value] of values) if (this.registry.get(type, name)) properties[name] = value;
    } else {
      const names = options.properties && options.properties.length > 0 ? options.properties : OBJECT_TYPES[type].defaultProperties;
      for (const name of [...names, ...this.systemNames(type)]) {
        // Unknown names in `properties` are left out rather than refused.
        if (this.registry.get(type, name)) properties[name] = values.get(name) ?? null;
      }
      for (const name of options.echo ?? []) properties[name] = values.get(name) ?? '';
    }
    const out: SimplePublicObject = {
      id: record.id,
      properties,
      createdAt: isoString(options.times?.createdAt ?? record.createdAt),
      updatedAt: isoString(options.times?.updatedAt ?? record.updatedAt),
      archived: record.archived,
    };
    if (record.archivedAt !== undefined) out.archivedAt = isoString(record.archivedAt);
    if (options.propertiesWithHistory && options.propertiesWithHistory.length > 0) {
      out.propertiesWithHistory = {};
      for (const name of options.propertiesWithHistory) {
        if (!this.registry.get(type, name)) continue;
        out.propertiesWithHistory[name] = this.history(record, name);
      }
    }
    if (options.associations && options.associations.length > 0) {
      const map: NonNullable<SimplePublicObject['associations']> = {};
      for (const toType of options.associations) {
        const results: AssociatedId[] = [];
        for (const toId of this.associations.graph.sortedTargets(type, record.id, toType)) {
          const ids = this.associations.graph.types(type, record.id, toType, toId);
          for (const typeId of [...ids].sort((a, b) => a - b)) results.push({ id: toId, type: this.associationTypeName(type, toType, typeId) });
        }
        if (results.length > 0) map[toType] = { results };
      }
      out.associations = map;
    }
    return out;
  }

  /** Newest first (§4 propertiesWithHistory). */
  private history(record: StoredRecord, name: string): NonNullable<SimplePublicObject['propertiesWithHistory']>[string] {
    const entries = record.history?.get(name);
    if (entries) {
      return [...entries].reverse().map((e) => ({
        value: e.value,
        timestamp: isoString(e.timestamp),
        sourceType: e.sourceType,
        ...(e.sourceId !== undefined ? { sourceId: e.sourceId } : {}),
      }));
    }
    const value = record.props.get(name);
    return value === undefined ? [] : [{ value, timestamp: isoString(record.createdAt), sourceType: 'IMPORT' }];
  }

  /**
   * The v3 `associations` map's type names: `contact_to_company` for the
   * primary (or only) HubSpot type, `..._unlabeled` next to a primary one,
   * the label in snake case otherwise.
   */
  associationTypeName(from: HubSpotObjectType, to: HubSpotObjectType, typeId: number): string {
    const base = `${OBJECT_TYPES[from].singular}_to_${OBJECT_TYPES[to].singular}`;
    const info = this.associations.labels.describe(from, to, typeId);
    if (!info) return String(typeId);
    if (info.category === 'HUBSPOT_DEFINED') {
      if (info.label === 'Primary') return base;
      if (info.label === null) {
        const hasPrimary = this.associations.labels.typesBetween(from, to).some((t) => t.label === 'Primary');
        return hasPrimary ? `${base}_unlabeled` : base;
      }
    }
    return `${base}_${snake(info.label ?? String(typeId))}`;
  }

  /** Values HubSpot keeps on a record from its associations: a company's contact count. */
  afterPairChange(a: HubSpotObjectType, aId: string, b: HubSpotObjectType, bId: string, ctx: WriteContext): void {
    const sides: Array<[HubSpotObjectType, string, HubSpotObjectType]> = [
      [a, aId, b],
      [b, bId, a],
    ];
    for (const [type, id, other] of sides) {
      if (type !== 'companies' || other !== 'contacts') continue;
      const company = this.store('companies').find(id);
      if (!company) continue;
      const count = this.associations.graph.targets('companies', id, 'contacts').size;
      this.writer.change(company, new Map([['num_associated_contacts', String(count)]]), ctx);
    }
  }
}

function timestampOf(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseTimestamp(value) : undefined;
  if (ms === undefined || !Number.isFinite(ms)) throw validationError(`${what} must be epoch milliseconds or an ISO-8601 string`);
  return ms;
}
