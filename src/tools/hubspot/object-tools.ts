/**
 * The plain object tools of every HubSpot resource (reference/hubspot.md §4):
 * list, get by id, create (with inline associations, §7.1), update and
 * delete. Names follow the catalog's convention, e.g. `list_all_hub_spot_deals`,
 * `get_single_hub_spot_deal_by_id`, `create_a_hub_spot_deal`,
 * `update_a_hub_spot_deal_by_id`, `delete_a_hub_spot_deal_by_id`.
 */
import { z } from 'zod';
import type { HubSpotClient } from '../../systems/hubspot/client.ts';
import type { InlineAssociation } from '../../systems/hubspot/schemas.ts';
import { defineTool, type ToolDefinition } from '../tool-definition.ts';
import { associationSpecs } from './association-tools.ts';
import { AdditionalProperties, Cursor, optional, page, PageSize, PropertiesToRead, propertyValues, RecordId, recordView } from './inputs.ts';
import { ObjectTypeInput, type HubSpotResource } from './resources.ts';

/** The curated fields as one object: `required` ones must be given, the rest may be null. */
function fieldsObject(resource: HubSpotResource, required: readonly string[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(resource.fields)) {
    shape[name] = (required.includes(name) ? field.schema : optional(field.schema)).describe(field.description);
  }
  return z.object(shape);
}

const InlineAssociations = optional(
  z.array(
    z.object({
      toObjectType: ObjectTypeInput,
      toObjectId: RecordId.describe('Id of the existing record to link the new one to.'),
      label: optional(z.string()).describe('Association label such as "Primary"; null for the plain association.'),
    }),
  ),
).describe('Records to link the new one to, made in the same call.');

function readProperties(resource: HubSpotResource, asked: string[] | null | undefined): string[] {
  return asked && asked.length > 0 ? asked : [...resource.readProperties];
}

export function objectTools(resource: HubSpotResource): ToolDefinition<HubSpotClient>[] {
  const { plural, singular, label, objectType } = resource;
  const about = `${resource.notes}`;
  const names = Object.keys(resource.fields).join(', ');
  return [
    defineTool({
      name: `list_all_hub_spot_${plural}`,
      system: 'hubspot',
      resource: plural,
      method: 'list',
      description:
        `Lists HubSpot ${label} records, oldest first, one page at a time (up to 100). This is every ${label} with no filter: to find ` +
        `particular ones use list_all_hub_spot_${plural}_search. Follow next_cursor while has_more is true; the first page is not all of them. ${about}`,
      input: z.object({ limit: PageSize, cursor: Cursor, properties: PropertiesToRead }),
      async execute(client, input) {
        const response = await client.listObjectsPage(objectType, {
          limit: input.limit ?? 20,
          after: input.cursor ?? undefined,
          properties: readProperties(resource, input.properties),
        });
        return page(response.results.map(recordView), response.paging?.next?.after);
      },
    }),
    defineTool({
      name: `get_single_hub_spot_${singular}_by_id`,
      system: 'hubspot',
      resource: plural,
      method: 'get',
      description:
        `Reads one HubSpot ${label} by its record id, with the properties asked for (by default: ${names}). ` +
        `For its linked records too, use get_single_hub_spot_record_with_associations_by_id. ${about}`,
      input: z.object({ id: RecordId, properties: PropertiesToRead }),
      async execute(client, input) {
        return recordView(await client.getObject(objectType, input.id, { properties: readProperties(resource, input.properties) }));
      },
    }),
    defineTool({
      name: `create_a_hub_spot_${singular}`,
      system: 'hubspot',
      resource: plural,
      method: 'create',
      description:
        `Creates a HubSpot ${label}${resource.requiredToCreate.length > 0 ? ` (${resource.requiredToCreate.join(' and ')} required)` : ''}, ` +
        `optionally linked at once to existing records (associations). Returns the new record with its id. Not idempotent: calling it twice ` +
        `makes two ${label} records, so search first when it may exist. ${about}`,
      input: z.object({
        properties: fieldsObject(resource, resource.requiredToCreate).describe(`The new ${label}'s properties; null for any not given.`),
        additionalProperties: AdditionalProperties,
        associations: InlineAssociations,
      }),
      async execute(client, input, context) {
        const values = { ...resource.createDefaults?.(context.now()), ...propertyValues(input.properties, input.additionalProperties) };
        const associations: InlineAssociation[] = [];
        for (const link of input.associations ?? []) {
          associations.push({ to: { id: link.toObjectId }, types: await associationSpecs(client, objectType, link.toObjectType, link.label) });
        }
        const created = await client.createObject(objectType, { properties: values, ...(associations.length > 0 ? { associations } : {}) });
        return recordView(created);
      },
    }),
    defineTool({
      name: `update_a_hub_spot_${singular}_by_id`,
      system: 'hubspot',
      resource: plural,
      method: 'update',
      description:
        `Changes properties of one HubSpot ${label} by record id; properties left null are not touched, "" clears one. Returns the ${label} ` +
        `with the values it now has. Links to other records are changed with the association tools, not here. ${about}`,
      input: z.object({
        id: RecordId,
        properties: fieldsObject(resource, []).describe('Properties to change; null leaves one as it is.'),
        additionalProperties: AdditionalProperties,
      }),
      async execute(client, input) {
        const values = propertyValues(input.properties, input.additionalProperties);
        await client.updateObject(objectType, input.id, values);
        // The PATCH answer holds only what changed; read the record back so the agent sees it whole.
        return recordView(await client.getObject(objectType, input.id, { properties: [...new Set([...resource.readProperties, ...Object.keys(values)])] }));
      },
    }),
    defineTool({
      name: `delete_a_hub_spot_${singular}_by_id`,
      system: 'hubspot',
      resource: plural,
      method: 'delete',
      description: `Deletes one HubSpot ${label} by record id: it goes to HubSpot's recycle bin (restorable there for 90 days). ${about}`,
      input: z.object({ id: RecordId }),
      async execute(client, input) {
        await client.archiveObject(objectType, input.id);
        return { deleted: true, id: input.id };
      },
    }),
  ];
}
