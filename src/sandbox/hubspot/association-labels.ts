/**
 * Association types the portal knows per object pair: HubSpot's built-in ones
 * (§7.2 table, direction-aware) plus labels created through the labels API
 * (USER_DEFINED, §7). A label with an inverse label gets a pair of type ids;
 * one without uses a single id in both directions.
 */
import {
  HUBSPOT_DEFINED_ASSOCIATION_TYPES,
  type AssociationTypeDefinition,
} from '../../systems/hubspot/association-types.ts';
import { OBJECT_TYPES, resolveObjectType, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { AssociationCategory } from '../../systems/hubspot/schemas.ts';
import { notFoundError, validationError } from './errors.ts';

export interface AssociationTypeInfo {
  category: AssociationCategory;
  typeId: number;
  /** null for the unlabeled default type. */
  label: string | null;
  from: HubSpotObjectType;
  to: HubSpotObjectType;
  /** The id seen from the other side (the same id for single-id labels). */
  inverseTypeId: number;
  /** Internal name of a user-defined label. */
  name?: string;
}

/** First id handed to user-defined labels; HubSpot-defined ids stay below it (§7.2). */
const FIRST_USER_TYPE_ID = 1001;

function fromDefinition(d: AssociationTypeDefinition): AssociationTypeInfo | undefined {
  const from = resolveObjectType(d.from);
  const to = resolveObjectType(d.to);
  if (!from || !to || d.inverseTypeId === undefined) return undefined;
  return { category: 'HUBSPOT_DEFINED', typeId: d.typeId, label: d.label, from, to, inverseTypeId: d.inverseTypeId };
}

const BUILT_IN: AssociationTypeInfo[] = HUBSPOT_DEFINED_ASSOCIATION_TYPES.map(fromDefinition).filter(
  (t): t is AssociationTypeInfo => t !== undefined,
);

export class AssociationLabels {
  private readonly userDefined: AssociationTypeInfo[] = [];
  private nextId = FIRST_USER_TYPE_ID;

  /** Every type from `from` to `to`: unlabeled default first, then HubSpot labels, then user labels. */
  typesBetween(from: HubSpotObjectType, to: HubSpotObjectType): AssociationTypeInfo[] {
    const builtIn = BUILT_IN.filter((t) => t.from === from && t.to === to).sort(
      (a, b) => Number(a.label !== null) - Number(b.label !== null) || a.typeId - b.typeId,
    );
    return [...builtIn, ...this.userDefined.filter((t) => t.from === from && t.to === to)];
  }

  /** §7: the unlabeled type for the direction, e.g. contact→company 279. */
  defaultType(from: HubSpotObjectType, to: HubSpotObjectType): AssociationTypeInfo | undefined {
    return this.typesBetween(from, to).find((t) => t.category === 'HUBSPOT_DEFINED' && t.label === null);
  }

  find(from: HubSpotObjectType, to: HubSpotObjectType, typeId: number, category?: string): AssociationTypeInfo | undefined {
    return this.typesBetween(from, to).find((t) => t.typeId === typeId && (category === undefined || t.category === category));
  }

  /** For inline associations (§7.1): the type must point from the new record's type; the target type follows from it. */
  findFrom(from: HubSpotObjectType, typeId: number, category: string): AssociationTypeInfo | undefined {
    return [...BUILT_IN, ...this.userDefined].find((t) => t.from === from && t.typeId === typeId && t.category === category);
  }

  describe(from: HubSpotObjectType, to: HubSpotObjectType, typeId: number): AssociationTypeInfo | undefined {
    return this.find(from, to, typeId);
  }

  create(from: HubSpotObjectType, to: HubSpotObjectType, input: { label: string; name: string; inverseLabel?: string | undefined }): AssociationTypeInfo[] {
    const taken = this.userDefined.some((t) => t.from === from && t.to === to && (t.name === input.name || t.label === input.label));
    if (taken) {
      throw validationError(`An association label named "${input.name}" or labelled "${input.label}" already exists between ${from} and ${to}.`);
    }
    const forwardId = this.nextId++;
    if (input.inverseLabel === undefined || (from === to && input.inverseLabel === input.label)) {
      const forward: AssociationTypeInfo = { category: 'USER_DEFINED', typeId: forwardId, label: input.label, from, to, inverseTypeId: forwardId, name: input.name };
      this.userDefined.push(forward);
      if (from !== to) this.userDefined.push({ ...forward, from: to, to: from });
      return [forward];
    }
    const inverseId = this.nextId++;
    const forward: AssociationTypeInfo = { category: 'USER_DEFINED', typeId: forwardId, label: input.label, from, to, inverseTypeId: inverseId, name: input.name };
    const inverse: AssociationTypeInfo = {
      category: 'USER_DEFINED',
      typeId: inverseId,
      label: input.inverseLabel,
      from: to,
      to: from,
      inverseTypeId: forwardId,
      name: `${input.name}_inverse`,
    };
    this.userDefined.push(forward, inverse);
    return [forward, inverse];
  }

  update(from: HubSpotObjectType, to: HubSpotObjectType, input: { associationTypeId: number; label: string; inverseLabel?: string | undefined }): void {
    const forward = this.userDefined.find((t) => t.from === from && t.to === to && t.typeId === input.associationTypeId);
    if (!forward) throw this.missing(from, to, input.associationTypeId);
    for (const t of this.userDefined) {
      if (t.typeId === forward.typeId) t.label = input.label;
      if (input.inverseLabel !== undefined && t.typeId === forward.inverseTypeId && t.typeId !== forward.typeId) t.label = input.inverseLabel;
    }
  }

  /** Removes a user label; returns the type ids that went away (both directions). */
  remove(from: HubSpotObjectType, to: HubSpotObjectType, typeId: number): number[] {
    const forward = this.userDefined.find((t) => t.from === from && t.to === to && t.typeId === typeId);
    if (!forward) {
      if (BUILT_IN.some((t) => t.typeId === typeId)) throw validationError(`Association type ${typeId} is HubSpot-defined and cannot be deleted.`);
      throw this.missing(from, to, typeId);
    }
    const ids = [forward.typeId, forward.inverseTypeId];
    for (let i = this.userDefined.length - 1; i >= 0; i--) {
      if (ids.includes(this.userDefined[i]!.typeId)) this.userDefined.splice(i, 1);
    }
    return [...new Set(ids)];
  }

  private missing(from: HubSpotObjectType, to: HubSpotObjectType, typeId: number) {
    return notFoundError(`No association label with type id ${typeId} exists from ${OBJECT_TYPES[from].typeId} to ${OBJECT_TYPES[to].typeId}`);
  }
}
