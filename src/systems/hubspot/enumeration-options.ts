/**
 * Keeps one of our enumeration properties' options in line with reference
 * data held elsewhere (Intacct's classes): the property is created when
 * missing, options are added and relabelled, none is ever removed (records
 * may still carry it). The property guard (src/engine/property-guard.ts)
 * then holds back any record whose value is still not an option.
 */
import type { HubSpotClient } from './client.ts';
import type { HubSpotObjectType } from './object-types.ts';
import { PROPERTY_GROUP } from './property-bootstrap.ts';

export interface EnumerationOption {
  value: string;
  label: string;
}

export interface AlignmentReport {
  created: boolean;
  added: string[];
  relabelled: string[];
}

export async function alignEnumerationOptions(
  client: HubSpotClient,
  type: HubSpotObjectType,
  property: { name: string; label: string; description: string },
  wanted: readonly EnumerationOption[],
): Promise<AlignmentReport> {
  const existing = (await client.listProperties(type)).find((p) => p.name === property.name);
  const options = wanted.map((o, displayOrder) => ({ value: o.value, label: o.label || o.value, displayOrder, hidden: false }));
  if (!existing) {
    if (!(await client.listPropertyGroups(type)).some((g) => g.name === PROPERTY_GROUP.name)) await client.createPropertyGroup(type, PROPERTY_GROUP);
    await client.createProperties(type, [
      { name: property.name, label: property.label, description: property.description, type: 'enumeration', fieldType: 'select', groupName: PROPERTY_GROUP.name, options },
    ]);
    return { created: true, added: options.map((o) => o.value), relabelled: [] };
  }
  const have = new Map(existing.options.map((o) => [o.value, o]));
  const added = options.filter((o) => !have.has(o.value)).map((o) => o.value);
  const relabelled = options.filter((o) => have.has(o.value) && have.get(o.value)!.label !== o.label).map((o) => o.value);
  if (added.length === 0 && relabelled.length === 0) return { created: false, added, relabelled };
  const wantedValues = new Set(options.map((o) => o.value));
  const kept = existing.options.filter((o) => !wantedValues.has(o.value)).map((o, i) => ({ value: o.value, label: o.label, displayOrder: options.length + i, hidden: o.hidden ?? false }));
  await client.updateProperty(type, property.name, { options: [...options, ...kept] });
  return { created: false, added, relabelled };
}
