/**
 * The portal's property definitions and groups per object type, and the
 * rules of the properties API (reference/hubspot.md §14): required fields,
 * type/fieldType pairs, options for enumerations, at most 10 unique-value
 * properties per object, unique flags fixed at creation.
 */
import { HUBSPOT_OBJECT_TYPES, OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type {
  PropertyCreate,
  PropertyDefinition,
  PropertyFieldType,
  PropertyGroupCreate,
  PropertyOption,
  PropertyType,
  PropertyUpdate,
} from '../../systems/hubspot/schemas.ts';
import { HubSpotApiError, notFoundError, validationError } from './errors.ts';
import { builtInProperties, type PropertyDef, type PropertyGroupDef } from './property-catalog.ts';
import { isoString } from './property-values.ts';

/** §14: each object allows up to 10 unique-value properties. */
export const UNIQUE_PROPERTY_LIMIT = 10;

/** §14 table: which field types each property type takes. */
const FIELD_TYPES: Record<PropertyType, PropertyFieldType[]> = {
  string: ['text', 'textarea', 'html', 'phonenumber', 'file', 'calculation_equation'],
  number: ['number', 'calculation_equation'],
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  phone_number: ['phonenumber', 'text'],
  object_coordinates: [],
  json: [],
};

const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;

export type OptionsResolver = (type: HubSpotObjectType, def: PropertyDef) => PropertyOption[];

interface TypeRegistry {
  properties: Map<string, PropertyDef>;
  groups: Map<string, PropertyGroupDef>;
}

export class PropertyRegistry {
  private readonly byType = new Map<HubSpotObjectType, TypeRegistry>();

  constructor(
    private readonly now: () => number,
    private readonly optionsResolver: OptionsResolver,
  ) {
    for (const type of HUBSPOT_OBJECT_TYPES) {
      const { groups, properties } = builtInProperties(type);
      this.byType.set(type, {
        properties: new Map(properties.map((p) => [p.name, p])),
        groups: new Map(groups.map((g) => [g.name, g])),
      });
    }
  }

  private reg(type: HubSpotObjectType): TypeRegistry {
    return this.byType.get(type)!;
  }

  /** The active (not archived) definition, or undefined. */
  get(type: HubSpotObjectType, name: string): PropertyDef | undefined {
    const def = this.reg(type).properties.get(name);
    return def && !def.archived ? def : undefined;
  }

  /** Any definition, archived or not. */
  getAny(type: HubSpotObjectType, name: string): PropertyDef | undefined {
    return this.reg(type).properties.get(name);
  }

  list(type: HubSpotObjectType, archived = false): PropertyDef[] {
    return [...this.reg(type).properties.values()].filter((p) => p.archived === archived);
  }

  /** Active properties with unique values (contact email included). */
  uniqueProperties(type: HubSpotObjectType): PropertyDef[] {
    return this.list(type).filter((p) => p.hasUniqueValue);
  }

  render(type: HubSpotObjectType, def: PropertyDef): PropertyDefinition {
    return {
      name: def.name,
      label: def.label,
      type: def.type,
      fieldType: def.fieldType,
      description: def.description,
      groupName: def.groupName,
      options: def.dynamicOptions ? this.optionsResolver(type, def) : def.options,
      displayOrder: def.displayOrder,
      calculated: def.calculated,
      externalOptions: def.externalOptions,
      hasUniqueValue: def.hasUniqueValue,
      hidden: def.hidden,
      hubspotDefined: def.hubspotDefined,
      formField: def.formField,
      archived: def.archived,
      ...(def.archivedAt !== undefined ? { archivedAt: isoString(def.archivedAt) } : {}),
      createdAt: isoString(def.createdAt),
      updatedAt: isoString(def.updatedAt),
      modificationMetadata: {
        archivable: def.archivable,
        readOnlyDefinition: def.readOnlyDefinition,
        readOnlyValue: def.readOnlyValue,
      },
      ...(def.referencedObjectType ? { referencedObjectType: def.referencedObjectType } : {}),
      ...(def.calculationFormula ? { calculationFormula: def.calculationFormula } : {}),
    };
  }

  create(type: HubSpotObjectType, input: PropertyCreate): PropertyDef {
    const reg = this.reg(type);
    if (!PROPERTY_NAME.test(input.name) || input.name.length > 100) {
      throw validationError(
        `Property name "${input.name}" is invalid: use lower-case letters, digits and underscores, starting with a letter (at most 100 characters).`,
      );
    }
    if (reg.properties.has(input.name)) {
      // §14: a duplicate name is a conflict.
      throw new HubSpotApiError(409, {
        category: 'OBJECT_ALREADY_EXISTS',
        message: `Property named '${input.name}' already exists.`,
      });
    }
    this.checkShape(type, input.type, input.fieldType, input.options, input.groupName);
    if (input.hasUniqueValue) {
      const custom = this.list(type).filter((p) => p.hasUniqueValue && !p.hubspotDefined).length;
      if (custom >= UNIQUE_PROPERTY_LIMIT) {
        throw validationError(
          `Cannot create property "${input.name}" with unique values: object type ${OBJECT_TYPES[type].typeId} already has the maximum of ${UNIQUE_PROPERTY_LIMIT} unique value properties.`,
        );
      }
    }
    const now = this.now();
    const def: PropertyDef = {
      name: input.name,
      label: input.label,
      type: input.type,
      fieldType: input.fieldType,
      groupName: input.groupName,
      description: input.description ?? '',
      options: normalizeOptions(input.type, input.options),
      displayOrder: input.displayOrder ?? -1,
      hasUniqueValue: input.hasUniqueValue ?? false,
      hidden: input.hidden ?? false,
      formField: input.formField ?? false,
      calculated: input.fieldType === 'calculation_equation',
      externalOptions: input.externalOptions ?? false,
      hubspotDefined: false,
      readOnlyValue: input.fieldType === 'calculation_equation',
      readOnlyDefinition: false,
      archivable: true,
      archived: false,
      createdAt: now,
      updatedAt: now,
      ...(input.referencedObjectType ? { referencedObjectType: input.referencedObjectType } : {}),
      ...(input.calculationFormula ? { calculationFormula: input.calculationFormula } : {}),
    };
    reg.properties.set(def.name, def);
    return def;
  }

  update(type: HubSpotObjectType, name: string, patch: PropertyUpdate): PropertyDef {
    const def = this.get(type, name);
    if (!def) throw propertyNotFound(type, name);
    if (patch.hasUniqueValue !== undefined && patch.hasUniqueValue !== def.hasUniqueValue) {
      // §14: hasUniqueValue cannot be changed after creation.
      throw validationError(`The unique value setting of property "${name}" cannot be changed after it is created.`);
    }
    if (def.readOnlyDefinition) {
      const changing = Object.keys(patch).filter((k) => k !== 'options' && k !== 'hasUniqueValue');
      if (changing.length > 0 || def.type !== 'enumeration' || def.dynamicOptions || def.externalOptions) {
        throw validationError(`Property "${name}" is HubSpot-defined; its definition cannot be changed.`);
      }
    }
    const nextType = patch.type ?? def.type;
    const nextFieldType = patch.fieldType ?? def.fieldType;
    const nextOptions = patch.options ?? def.options;
    this.checkShape(type, nextType, nextFieldType, nextOptions, patch.groupName ?? def.groupName);
    Object.assign(def, {
      ...(patch.label !== undefined ? { label: patch.label } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.groupName !== undefined ? { groupName: patch.groupName } : {}),
      ...(patch.displayOrder !== undefined ? { displayOrder: patch.displayOrder } : {}),
      ...(patch.hidden !== undefined ? { hidden: patch.hidden } : {}),
      ...(patch.formField !== undefined ? { formField: patch.formField } : {}),
      ...(patch.calculationFormula !== undefined ? { calculationFormula: patch.calculationFormula } : {}),
      type: nextType,
      fieldType: nextFieldType,
      options: normalizeOptions(nextType, nextOptions),
      updatedAt: this.now(),
    });
    return def;
  }

  /** Archives a custom property; false when there was nothing to archive. */
  archive(type: HubSpotObjectType, name: string): boolean {
    const def = this.get(type, name);
    if (!def) return false;
    if (def.hubspotDefined) throw validationError(`Property "${name}" is HubSpot-defined and cannot be archived.`);
    def.archived = true;
    def.archivedAt = this.now();
    def.updatedAt = def.archivedAt;
    return true;
  }

  private checkShape(
    type: HubSpotObjectType,
    propType: PropertyType,
    fieldType: PropertyFieldType,
    options: PropertyOption[] | undefined,
    groupName: string,
  ): void {
    if (propType === 'object_coordinates' || propType === 'json') {
      throw validationError(`Properties of type ${propType} are internal and cannot be created or changed.`);
    }
    if (!FIELD_TYPES[propType].includes(fieldType)) {
      throw validationError(
        `fieldType ${fieldType} is not valid for a property of type ${propType}; allowed: ${FIELD_TYPES[propType].join(', ')}.`,
      );
    }
    if (propType === 'enumeration') {
      if (!options || options.length === 0) throw validationError('Enumeration properties need at least one option.');
      const values = options.map((o) => o.value);
      const duplicate = values.find((v, i) => values.indexOf(v) !== i);
      if (duplicate !== undefined) throw validationError(`Option value "${duplicate}" appears more than once.`);
    }
    const group = this.reg(type).groups.get(groupName);
    if (!group || group.archived) {
      throw validationError(`Property group "${groupName}" does not exist for object type ${OBJECT_TYPES[type].typeId}.`);
    }
  }

  // ------------------------------------------------------------ groups

  listGroups(type: HubSpotObjectType): PropertyGroupDef[] {
    return [...this.reg(type).groups.values()].filter((g) => !g.archived);
  }

  getGroup(type: HubSpotObjectType, name: string): PropertyGroupDef | undefined {
    const group = this.reg(type).groups.get(name);
    return group && !group.archived ? group : undefined;
  }

  createGroup(type: HubSpotObjectType, input: PropertyGroupCreate): PropertyGroupDef {
    const groups = this.reg(type).groups;
    if (!PROPERTY_NAME.test(input.name)) {
      throw validationError(`Group name "${input.name}" is invalid: use lower-case letters, digits and underscores.`);
    }
    const existing = groups.get(input.name);
    if (existing && !existing.archived) {
      throw new HubSpotApiError(409, { category: 'OBJECT_ALREADY_EXISTS', message: `Property group named '${input.name}' already exists.` });
    }
    const group: PropertyGroupDef = { name: input.name, label: input.label, displayOrder: input.displayOrder ?? -1, archived: false };
    groups.set(group.name, group);
    return group;
  }

  updateGroup(type: HubSpotObjectType, name: string, patch: { label?: string; displayOrder?: number }): PropertyGroupDef {
    const group = this.getGroup(type, name);
    if (!group) throw notFoundError(`Property group ${name} does not exist`);
    if (patch.label !== undefined) group.label = patch.label;
    if (patch.displayOrder !== undefined) group.displayOrder = patch.displayOrder;
    return group;
  }

  archiveGroup(type: HubSpotObjectType, name: string): void {
    const group = this.getGroup(type, name);
    if (!group) return;
    if (this.list(type).some((p) => p.groupName === name)) {
      throw validationError(`Property group "${name}" still holds properties; move or archive them first.`);
    }
    group.archived = true;
  }
}

function normalizeOptions(type: PropertyType, options: PropertyOption[] | undefined): PropertyOption[] {
  if (type === 'bool' && (!options || options.length === 0)) {
    return [
      { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
      { label: 'No', value: 'false', displayOrder: 1, hidden: false },
    ];
  }
  return (options ?? []).map((o, i) => ({ ...o, displayOrder: o.displayOrder ?? i, hidden: o.hidden ?? false }));
}

export function propertyNotFound(type: HubSpotObjectType, name: string): HubSpotApiError {
  return notFoundError(`Unable to find property ${name} for object type ${OBJECT_TYPES[type].typeId}`);
}
