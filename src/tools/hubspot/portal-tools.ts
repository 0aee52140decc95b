/**
 * What an agent needs to know about the portal itself: deal and order
 * pipelines with their stage ids (§15), the automation workflows (§16, beta
 * API, read only) and each object's properties (§14).
 */
import { z } from 'zod';
import type { HubSpotClient } from '../../systems/hubspot/client.ts';
import type { Pipeline } from '../../systems/hubspot/schemas.ts';
import { defineTool, type ToolDefinition } from '../tool-definition.ts';
import { Cursor, optional, page, PageSize } from './inputs.ts';
import { ObjectTypeInput } from './resources.ts';

function pipelineView(pipeline: Pipeline) {
  return {
    id: pipeline.id,
    label: pipeline.label,
    stages: pipeline.stages.map((s) => ({
      id: s.id,
      label: s.label,
      ...(s.metadata.probability !== undefined ? { probability: Number(s.metadata.probability) } : {}),
      ...(s.metadata.isClosed !== undefined ? { isClosed: s.metadata.isClosed === 'true' } : {}),
    })),
  };
}

function pipelinesTool(objectType: 'deals' | 'orders', label: string, stageProperty: string): ToolDefinition<HubSpotClient> {
  return defineTool({
    name: `list_all_hub_spot_${objectType === 'deals' ? 'deal' : 'order'}_pipelines`,
    system: 'hubspot',
    resource: `${objectType === 'deals' ? 'deal' : 'order'}_pipelines`,
    method: 'list',
    description:
      `Lists the portal's ${label} pipelines with their stages: each stage's id, label${objectType === 'deals' ? ', win probability and whether it closes the deal' : ''}. ` +
      `A ${label}'s ${stageProperty} takes a stage id from here, never the label: look the label up here first (e.g. "At Risk"), then write its id ` +
      `together with its pipeline's id.`,
    input: z.object({}),
    async execute(client) {
      return { results: (await client.listPipelines(objectType)).map(pipelineView) };
    },
  });
}

export const portalTools: ToolDefinition<HubSpotClient>[] = [
  pipelinesTool('deals', 'deal', 'dealstage'),
  pipelinesTool('orders', 'order', 'hs_pipeline_stage'),
  defineTool({
    name: 'list_all_hub_spot_workflows',
    system: 'hubspot',
    resource: 'workflows',
    method: 'list',
    description:
      'Lists the portal\'s automation workflows: id, name, whether enabled, type and the object type they enroll. Read only (HubSpot\'s ' +
      'automation API is in beta). Follow next_cursor while has_more is true. Read one in full with get_single_hub_spot_workflow_by_id.',
    input: z.object({ limit: PageSize, cursor: Cursor }),
    async execute(client, input) {
      const response = await client.listFlowsPage({ limit: input.limit ?? 20, after: input.cursor ?? undefined });
      const results = response.results.map((f) => ({
        id: f.id,
        name: f.name ?? null,
        isEnabled: f.isEnabled,
        flowType: f.flowType,
        objectTypeId: f.objectTypeId ?? null,
        updatedAt: f.updatedAt,
      }));
      return page(results, response.paging?.next?.after);
    },
  }),
  defineTool({
    name: 'get_single_hub_spot_workflow_by_id',
    system: 'hubspot',
    resource: 'workflows',
    method: 'get',
    description: 'Reads one automation workflow in full: its actions (steps) and enrollment criteria. Read only.',
    input: z.object({ id: z.string().regex(/^\d+$/, 'a workflow id is a string of digits').describe('Workflow (flow) id from list_all_hub_spot_workflows.') }),
    async execute(client, input) {
      return client.getFlow(input.id);
    },
  }),
  defineTool({
    name: 'list_all_hub_spot_properties',
    system: 'hubspot',
    resource: 'properties',
    method: 'list',
    description:
      'Lists the properties of one object type: internal name, label, type, the allowed values of enumerations, and whether a value can be ' +
      'written. Use it before writing a property the other tools do not list, or to learn the values an enumeration takes.',
    input: z.object({
      objectType: ObjectTypeInput,
      writableOnly: optional(z.boolean()).describe('true to leave out the properties HubSpot computes itself.'),
    }),
    async execute(client, input) {
      const properties = await client.listProperties(input.objectType);
      return {
        results: properties
          .filter((p) => !(input.writableOnly && p.modificationMetadata?.readOnlyValue))
          .map((p) => ({
            name: p.name,
            label: p.label,
            type: p.type,
            writable: !p.modificationMetadata?.readOnlyValue,
            ...(p.options && p.options.length > 0 ? { options: p.options.map((o) => o.value) } : {}),
          })),
      };
    },
  }),
];
