/**
 * One record with its linked records across HubSpot's association graph in
 * one call (SPEC §4), e.g. an invoice with its deal, contacts and company:
 * the record, then per linked type its association ids (one call each, §7)
 * and those records in batch reads (100 a call, §4).
 */
import { z } from 'zod';
import { mapConcurrent } from '../../core/concurrency.ts';
import { associationTypesBetween } from '../../systems/hubspot/association-types.ts';
import type { HubSpotClient } from '../../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import { defineTool } from '../tool-definition.ts';
import { optional, PropertiesToRead, RecordId, recordView, type RecordView } from './inputs.ts';
import { ObjectTypeInput, resourceOf, TOOL_OBJECT_TYPES } from './resources.ts';

/** The types HubSpot defines associations to from `type` (§7.2), in the catalog's order. */
export function linkedTypes(type: HubSpotObjectType): HubSpotObjectType[] {
  return TOOL_OBJECT_TYPES.filter((to) => to !== type && associationTypesBetween(type, to).length > 0);
}

/** Linked records listed per type at most; the rest are counted. */
const MAX_LINKED = 100;

interface LinkedRecords {
  total: number;
  records: Array<RecordView & { labels: string[] }>;
  truncated: boolean;
}

export const recordGraphTool = defineTool({
  name: 'get_single_hub_spot_record_with_associations_by_id',
  system: 'hubspot',
  resource: 'associations',
  method: 'get',
  description:
    'Reads one HubSpot record together with the records linked to it, in one call: e.g. an invoice with its deal, contacts and company, ' +
    'or a deal with its company, contacts, line items and notes. Give the record\'s type and id and, optionally, which linked types to ' +
    'include (default: every type HubSpot links it to). Each linked type lists up to 100 records with their usual properties and the ' +
    'association labels (e.g. "Primary"); `total` says how many there are.',
  input: z.object({
    objectType: ObjectTypeInput,
    id: RecordId,
    associatedTypes: optional(z.array(ObjectTypeInput)).describe('Linked object types to include; null for all of them.'),
    properties: PropertiesToRead,
  }),
  async execute(client: HubSpotClient, input) {
    const resource = resourceOf(input.objectType);
    const record = await client.getObject(input.objectType, input.id, {
      properties: input.properties && input.properties.length > 0 ? input.properties : [...resource.readProperties],
    });
    const types = input.associatedTypes && input.associatedTypes.length > 0 ? [...new Set(input.associatedTypes)] : linkedTypes(input.objectType);
    const linked = await mapConcurrent(types, 4, async (toType): Promise<[HubSpotObjectType, LinkedRecords]> => {
      const labels = new Map<string, string[]>();
      for await (const association of client.listAssociations(input.objectType, input.id, toType)) {
        labels.set(association.toObjectId, association.associationTypes.map((t) => t.label).filter((l): l is string => Boolean(l)));
      }
      const ids = [...labels.keys()].slice(0, MAX_LINKED);
      const read = ids.length === 0 ? [] : (await client.batchRead(toType, ids, { properties: [...resourceOf(toType).readProperties] })).results;
      return [toType, { total: labels.size, records: read.map((r) => ({ ...recordView(r), labels: labels.get(r.id) ?? [] })), truncated: labels.size > ids.length }];
    });
    return { record: { objectType: input.objectType, ...recordView(record) }, associations: Object.fromEntries(linked) };
  },
});
