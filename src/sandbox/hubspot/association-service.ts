/**
 * Association rules on top of the graph (reference/hubspot.md §7): type ids
 * must fit the direction, any labelled association brings the unlabeled
 * default along, a labelled PUT replaces the labels, removing the unlabeled
 * type removes everything between the pair, and a record has at most one
 * primary company.
 */
import type { Clock } from '../../core/clock.ts';
import { OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { AssociationLabel, AssociationSpec } from '../../systems/hubspot/schemas.ts';
import type { AssociationGraph } from './association-graph.ts';
import type { AssociationLabels, AssociationTypeInfo } from './association-labels.ts';
import { HubSpotApiError } from './errors.ts';
import type { RecordStore, StoredRecord } from './record-store.ts';
import type { Emit, WriteContext } from './record-writer.ts';

export interface PairChange {
  fromType: HubSpotObjectType;
  fromId: string;
  toType: HubSpotObjectType;
  toId: string;
}

export function invalidObjectIds(type: HubSpotObjectType, ids: string[]): HubSpotApiError {
  return new HubSpotApiError(400, {
    category: 'VALIDATION_ERROR',
    subCategory: 'crm.associations.INVALID_OBJECT_IDS',
    message: `No ${OBJECT_TYPES[type].singular}s with ID(s) ${ids.join(', ')} exist`,
    context: { ids },
  });
}

export function invalidAssociationType(from: HubSpotObjectType, to: HubSpotObjectType, spec: AssociationSpec): HubSpotApiError {
  return new HubSpotApiError(400, {
    category: 'VALIDATION_ERROR',
    subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE',
    message: `${spec.associationCategory} association type ${spec.associationTypeId} is not valid from ${OBJECT_TYPES[from].typeId} (${from}) to ${OBJECT_TYPES[to].typeId} (${to})`,
  });
}

export class AssociationService {
  constructor(
    private readonly stores: ReadonlyMap<HubSpotObjectType, RecordStore>,
    readonly graph: AssociationGraph,
    readonly labels: AssociationLabels,
    private readonly clock: Clock,
    private readonly emit: Emit,
    private readonly onPairChange: (change: PairChange, ctx: WriteContext) => void,
  ) {}

  /** An active record, or the association API's 400 for unknown ids. */
  requireRecord(type: HubSpotObjectType, id: string): StoredRecord {
    const record = this.stores.get(type)!.find(id);
    if (!record) throw invalidObjectIds(type, [id]);
    return record;
  }

  exists(type: HubSpotObjectType, id: string): boolean {
    return this.stores.get(type)!.find(id) !== undefined;
  }

  resolveSpec(from: HubSpotObjectType, to: HubSpotObjectType, spec: AssociationSpec): AssociationTypeInfo {
    const info = this.labels.find(from, to, spec.associationTypeId, spec.associationCategory);
    if (!info) throw invalidAssociationType(from, to, spec);
    return info;
  }

  defaultType(from: HubSpotObjectType, to: HubSpotObjectType): AssociationTypeInfo {
    const info = this.labels.defaultType(from, to);
    if (!info) {
      throw new HubSpotApiError(400, {
        category: 'VALIDATION_ERROR',
        subCategory: 'crm.associations.NO_DEFAULT_ASSOCIATION_TYPE',
        message: `There is no default association type from ${OBJECT_TYPES[from].typeId} (${from}) to ${OBJECT_TYPES[to].typeId} (${to})`,
      });
    }
    return info;
  }

  /** `{category, typeId, label}` for each id on the pair, unlabeled first (§7 response shape). */
  describe(from: HubSpotObjectType, to: HubSpotObjectType, ids: Iterable<number>): AssociationLabel[] {
    const out: Array<AssociationLabel & { order: number }> = [];
    for (const id of ids) {
      const info = this.labels.describe(from, to, id);
      out.push({
        category: info?.category ?? 'USER_DEFINED',
        typeId: id,
        label: info?.label ?? null,
        order: info?.label == null ? 0 : 1,
      });
    }
    return out.sort((a, b) => a.order - b.order || a.typeId - b.typeId).map(({ order: _order, ...rest }) => rest);
  }

  /** Labels (non-null) on the pair, for the labelled PUT / batch create responses. */
  labelsOf(from: HubSpotObjectType, to: HubSpotObjectType, ids: Iterable<number>): string[] {
    return this.describe(from, to, ids)
      .map((d) => d.label)
      .filter((l): l is string => typeof l === 'string');
  }

  private inverseOf(from: HubSpotObjectType, to: HubSpotObjectType, ids: ReadonlySet<number>): Set<number> {
    const out = new Set<number>();
    for (const id of ids) {
      const info = this.labels.describe(from, to, id);
      if (info) out.add(info.inverseTypeId);
    }
    return out;
  }

  /** Sets the pair's type ids (seen from `from`) to exactly `next`, with events and hooks. */
  private write(pair: PairChange, next: ReadonlySet<number>, ctx: WriteContext): void {
    const { fromType, fromId, toType, toId } = pair;
    const before = new Set(this.graph.types(fromType, fromId, toType, toId));
    const beforeInverse = this.inverseOf(fromType, toType, before);
    const afterInverse = this.inverseOf(fromType, toType, next);
    if (before.size === next.size && [...next].every((id) => before.has(id))) return;
    this.graph.setPair(fromType, fromId, toType, toId, next, afterInverse);
    const now = this.clock.now();
    const note = (type: HubSpotObjectType, id: string, otherType: HubSpotObjectType, otherId: string, typeId: number, removed: boolean) => {
      const info = this.labels.describe(type, otherType, typeId);
      this.emit({
        objectType: type,
        objectId: id,
        kind: 'associationChange',
        occurredAt: now,
        changeSource: ctx.source,
        toObjectType: otherType,
        toObjectId: otherId,
        associationTypeId: typeId,
        associationCategory: info?.category ?? 'USER_DEFINED',
        associationRemoved: removed,
      });
    };
    for (const id of next) if (!before.has(id)) note(fromType, fromId, toType, toId, id, false);
    for (const id of before) if (!next.has(id)) note(fromType, fromId, toType, toId, id, true);
    for (const id of afterInverse) if (!beforeInverse.has(id)) note(toType, toId, fromType, fromId, id, false);
    for (const id of beforeInverse) if (!afterInverse.has(id)) note(toType, toId, fromType, fromId, id, true);
    this.onPairChange(pair, ctx);
  }

  /**
   * §7: a record has one primary company. Setting "Primary" on this pair
   * takes it away from the record's other companies.
   */
  private enforceSinglePrimary(pair: PairChange, info: AssociationTypeInfo, ctx: WriteContext): void {
    if (info.category !== 'HUBSPOT_DEFINED' || info.label !== 'Primary') return;
    // The side that is not the company owns the "one primary" rule.
    const ownerIsFrom = info.to === 'companies';
    const ownerType = ownerIsFrom ? pair.fromType : pair.toType;
    const ownerId = ownerIsFrom ? pair.fromId : pair.toId;
    const companyId = ownerIsFrom ? pair.toId : pair.fromId;
    const ownerTypeId = ownerIsFrom ? info.typeId : info.inverseTypeId;
    for (const [otherCompany, ids] of this.graph.targets(ownerType, ownerId, 'companies')) {
      if (otherCompany === companyId || !ids.has(ownerTypeId)) continue;
      const next = new Set(ids);
      next.delete(ownerTypeId);
      this.write({ fromType: ownerType, fromId: ownerId, toType: 'companies', toId: otherCompany }, next, ctx);
    }
  }

  private checkPair(pair: PairChange): void {
    if (pair.fromType === pair.toType && pair.fromId === pair.toId) {
      throw new HubSpotApiError(400, { category: 'VALIDATION_ERROR', message: 'A record cannot be associated with itself.' });
    }
  }

  /** Adds types (plus the unlabeled default) to the pair. */
  add(pair: PairChange, infos: AssociationTypeInfo[], ctx: WriteContext): ReadonlySet<number> {
    this.checkPair(pair);
    const next = new Set(this.graph.types(pair.fromType, pair.fromId, pair.toType, pair.toId));
    // §7: creating any labelled association also creates the unlabeled one.
    next.add(this.defaultType(pair.fromType, pair.toType).typeId);
    for (const info of infos) next.add(info.typeId);
    for (const info of infos) this.enforceSinglePrimary(pair, info, ctx);
    this.write(pair, next, ctx);
    return next;
  }

  /** §7: a labelled PUT replaces the pair's labels (the unlabeled default stays). */
  replace(pair: PairChange, infos: AssociationTypeInfo[], ctx: WriteContext): ReadonlySet<number> {
    this.checkPair(pair);
    const next = new Set<number>([this.defaultType(pair.fromType, pair.toType).typeId, ...infos.map((i) => i.typeId)]);
    for (const info of infos) this.enforceSinglePrimary(pair, info, ctx);
    this.write(pair, next, ctx);
    return next;
  }

  addDefault(pair: PairChange, ctx: WriteContext): AssociationTypeInfo {
    const info = this.defaultType(pair.fromType, pair.toType);
    this.add(pair, [], ctx);
    return info;
  }

  removeAll(pair: PairChange, ctx: WriteContext): void {
    this.write(pair, new Set(), ctx);
  }

  /** §7: removing the unlabeled type removes every association between the pair. */
  removeTypes(pair: PairChange, typeIds: number[], ctx: WriteContext): void {
    const current = this.graph.types(pair.fromType, pair.fromId, pair.toType, pair.toId);
    if (current.size === 0) return;
    const unlabeled = this.labels.defaultType(pair.fromType, pair.toType)?.typeId;
    if (unlabeled !== undefined && typeIds.includes(unlabeled)) return this.removeAll(pair, ctx);
    const next = new Set([...current].filter((id) => !typeIds.includes(id)));
    this.write(pair, next, ctx);
  }

  /** §7: associations of archived records disappear (no events: the deletion event covers it). */
  dropRecord(type: HubSpotObjectType, id: string, ctx: WriteContext): void {
    for (const { toType, toId } of this.graph.removeRecord(type, id)) {
      this.onPairChange({ fromType: type, fromId: id, toType, toId }, ctx);
    }
  }

  /** Strips deleted label ids from every pair that carries them. */
  dropTypeIds(typeIds: number[], ctx: WriteContext): void {
    const hits = [...this.graph.entries()].filter((e) => typeIds.some((id) => e.types.has(id)));
    for (const e of hits) {
      const current = this.graph.types(e.fromType, e.fromId, e.toType, e.toId);
      if (![...current].some((id) => typeIds.includes(id))) continue;
      this.write(e, new Set([...current].filter((id) => !typeIds.includes(id))), ctx);
    }
  }
}
