/**
 * Associations as tools (reference/hubspot.md §7): link two records by
 * object type and id, with HubSpot's direction-aware type ids worked out
 * here (a label such as "Primary" picks a labelled type), list a record's
 * associations, remove them, and list the labels a pair of types offers.
 */
import { z } from 'zod';
import { ConnectorError } from '../../core/errors.ts';
import { associationTypesBetween, defaultAssociationType } from '../../systems/hubspot/association-types.ts';
import type { HubSpotClient } from '../../systems/hubspot/client.ts';
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { AssociationSpec } from '../../systems/hubspot/schemas.ts';
import { defineTool, type ToolDefinition } from '../tool-definition.ts';
import { Cursor, optional, page, RecordId } from './inputs.ts';
import { ObjectTypeInput } from './resources.ts';

const Label = optional(z.string()).describe(
  'Association label, e.g. "Primary" (company of a contact or deal) or a label the portal defined. Null for the plain association.',
);

/**
 * The type ids for an association from `from` to `to`: the unlabeled default,
 * or the HubSpot-defined or portal-defined type whose label matches (case aside).
 */
export async function associationSpecs(
  client: HubSpotClient,
  from: HubSpotObjectType,
  to: HubSpotObjectType,
  label: string | null | undefined,
): Promise<AssociationSpec[]> {
  if (!label) {
    const plain = defaultAssociationType(from, to);
    if (plain) return [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: plain.typeId }];
  }
  const wanted = label?.trim().toLowerCase();
  const known = associationTypesBetween(from, to).find((t) => (t.label ?? '').toLowerCase() === (wanted ?? ''));
  if (known) return [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: known.typeId }];
  // Labels the portal defined itself (USER_DEFINED) are only known to HubSpot.
  const labels = await client.listAssociationLabels(from, to);
  const found = labels.find((l) => (l.label ?? '').toLowerCase() === (wanted ?? ''));
  if (found) return [{ associationCategory: found.category as AssociationSpec['associationCategory'], associationTypeId: found.typeId }];
  const offered = labels.map((l) => l.label).filter((l): l is string => Boolean(l));
  throw new ConnectorError({
    kind: 'validation',
    code: 'tools.unknown_association_label',
    message: label
      ? `label: no association label "${label}" from ${from} to ${to}; labels offered: ${offered.length > 0 ? offered.join(', ') : 'none'} (or null for the plain association)`
      : `HubSpot defines no association from ${from} to ${to}`,
    details: { fields: ['label'], offered },
  });
}

const Pair = z.object({
  objectType: ObjectTypeInput,
  objectId: RecordId.describe('Id of the record to link from.'),
  toObjectType: ObjectTypeInput,
  toObjectId: RecordId.describe('Id of the record to link to.'),
});

export const associationTools: ToolDefinition<HubSpotClient>[] = [
  defineTool({
    name: 'create_a_hub_spot_association',
    system: 'hubspot',
    resource: 'associations',
    method: 'create',
    description:
      'Links two HubSpot records, e.g. an order to its company, a note to a deal, a contact to a company. Give both object types and ids; the ' +
      'direction-specific association type is worked out for you. With a label (e.g. "Primary") the labelled type is set; linking the same ' +
      'pair again changes nothing. Both records must exist (get or search them first).',
    input: Pair.extend({ label: Label }),
    hints: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
    async execute(client, input) {
      const types = await associationSpecs(client, input.objectType, input.toObjectType, input.label);
      if (!input.label) {
        await client.associateDefault(input.objectType, input.objectId, input.toObjectType, input.toObjectId);
      } else {
        await client.associateWithTypes(input.objectType, input.objectId, input.toObjectType, input.toObjectId, types);
      }
      return {
        associated: true,
        from: { objectType: input.objectType, id: input.objectId },
        to: { objectType: input.toObjectType, id: input.toObjectId },
        associationTypeIds: types.map((t) => t.associationTypeId),
      };
    },
  }),
  defineTool({
    name: 'list_all_hub_spot_associations',
    system: 'hubspot',
    resource: 'associations',
    method: 'list',
    description:
      'Lists the records of one type linked to a record, with each link\'s labels, e.g. the contacts of a company or the deals of an invoice. ' +
      'Returns ids only; read the records with the get or list tools, or use get_single_hub_spot_record_with_associations_by_id to get a record ' +
      'and its linked records in one call. Pages of up to 500: follow next_cursor while has_more is true.',
    input: z.object({
      objectType: ObjectTypeInput,
      objectId: RecordId,
      toObjectType: ObjectTypeInput,
      cursor: Cursor,
    }),
    async execute(client, input) {
      const response = await client.listAssociationsPage(input.objectType, input.objectId, input.toObjectType, { after: input.cursor ?? undefined });
      const results = response.results.map((r) => ({
        id: r.toObjectId,
        labels: r.associationTypes.map((t) => t.label).filter((l): l is string => Boolean(l)),
        associationTypeIds: r.associationTypes.map((t) => t.typeId),
      }));
      return page(results, response.paging?.next?.after);
    },
  }),
  defineTool({
    name: 'delete_a_hub_spot_association',
    system: 'hubspot',
    resource: 'associations',
    method: 'delete',
    description: 'Unlinks two HubSpot records: removes every association (all labels) between them. The records themselves stay.',
    input: Pair,
    async execute(client, input) {
      await client.removeAssociations(input.objectType, input.objectId, input.toObjectType, input.toObjectId);
      return { removed: true };
    },
  }),
  defineTool({
    name: 'list_all_hub_spot_association_labels',
    system: 'hubspot',
    resource: 'associations',
    method: 'list',
    description: 'Lists the association types and labels from one object type to another (HubSpot\'s own and the portal\'s), for the label of create_a_hub_spot_association.',
    input: z.object({ objectType: ObjectTypeInput, toObjectType: ObjectTypeInput }),
    async execute(client, input) {
      const labels = await client.listAssociationLabels(input.objectType, input.toObjectType);
      return { results: labels.map((l) => ({ label: l.label ?? null, associationTypeId: l.typeId, category: l.category })) };
    },
  }),
];
