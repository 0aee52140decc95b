/**
 * Which records are associated, with which type ids, kept in both
 * directions: the pair (contact 1, company 2) holds {279, 1} on the contact
 * side and the inverse ids {280, 2} on the company side (§7.2).
 */
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';

type Targets = Map<string, Set<number>>;

function key(type: HubSpotObjectType, id: string): string {
  return `${type}:${id}`;
}

export class AssociationGraph {
  private readonly edges = new Map<string, Map<HubSpotObjectType, Targets>>();

  types(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string): ReadonlySet<number> {
    return this.edges.get(key(fromType, fromId))?.get(toType)?.get(toId) ?? new Set();
  }

  /** Associated ids of `toType` with their type ids, in association order. */
  targets(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType): ReadonlyMap<string, ReadonlySet<number>> {
    return this.edges.get(key(fromType, fromId))?.get(toType) ?? new Map();
  }

  /** Associated ids of `toType` in ascending numeric order. */
  sortedTargets(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType): string[] {
    return [...this.targets(fromType, fromId, toType).keys()].sort((a, b) => Number(a) - Number(b));
  }

  /** The object types this record has associations with. */
  targetTypes(type: HubSpotObjectType, id: string): HubSpotObjectType[] {
    return [...(this.edges.get(key(type, id))?.keys() ?? [])];
  }

  private side(type: HubSpotObjectType, id: string, toType: HubSpotObjectType): Targets {
    let byType = this.edges.get(key(type, id));
    if (!byType) {
      byType = new Map();
      this.edges.set(key(type, id), byType);
    }
    let targets = byType.get(toType);
    if (!targets) {
      targets = new Map();
      byType.set(toType, targets);
    }
    return targets;
  }

  private put(type: HubSpotObjectType, id: string, toType: HubSpotObjectType, toId: string, ids: ReadonlySet<number>): void {
    if (ids.size === 0) {
      const byType = this.edges.get(key(type, id));
      const targets = byType?.get(toType);
      targets?.delete(toId);
      if (targets?.size === 0) byType!.delete(toType);
      if (byType?.size === 0) this.edges.delete(key(type, id));
      return;
    }
    this.side(type, id, toType).set(toId, new Set(ids));
  }

  /** Replaces the type ids of a pair on both sides; empty sets remove the pair. */
  setPair(
    fromType: HubSpotObjectType,
    fromId: string,
    toType: HubSpotObjectType,
    toId: string,
    forward: ReadonlySet<number>,
    inverse: ReadonlySet<number>,
  ): void {
    this.put(fromType, fromId, toType, toId, forward);
    this.put(toType, toId, fromType, fromId, inverse);
  }

  /** Drops every association of a record; returns the pairs that existed. */
  removeRecord(type: HubSpotObjectType, id: string): Array<{ toType: HubSpotObjectType; toId: string; types: number[] }> {
    const byType = this.edges.get(key(type, id));
    if (!byType) return [];
    const removed: Array<{ toType: HubSpotObjectType; toId: string; types: number[] }> = [];
    for (const [toType, targets] of byType) {
      for (const [toId, ids] of targets) {
        removed.push({ toType, toId, types: [...ids] });
        this.put(toType, toId, type, id, new Set());
      }
    }
    this.edges.delete(key(type, id));
    return removed;
  }

  /** Every stored direction of every pair: (type, id) → (toType, toId) with its type ids. */
  *entries(): Generator<{ fromType: HubSpotObjectType; fromId: string; toType: HubSpotObjectType; toId: string; types: ReadonlySet<number> }> {
    for (const [from, byType] of this.edges) {
      const split = from.indexOf(':');
      const fromType = from.slice(0, split) as HubSpotObjectType;
      const fromId = from.slice(split + 1);
      for (const [toType, targets] of byType) {
        for (const [toId, types] of targets) yield { fromType, fromId, toType, toId, types };
      }
    }
  }
}
