/**
 * The portal's schema endpoints: properties and property groups
 * (reference/hubspot.md §14), pipelines and stages (§15), and automation
 * flows (§16).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import {
  FlowBatchReadRequest,
  PipelineCreate,
  PropertyCreate,
  PropertyGroupCreate,
  PropertyUpdate,
  batchOf,
  type StandardError,
} from '../../systems/hubspot/schemas.ts';
import type { HubSpotEnv } from './context.ts';
import type { HubSpotData } from './data.ts';
import { HubSpotApiError, notFoundError, sendJson, validationError } from './errors.ts';
import { flowDetail, flowSummary } from './flows.ts';
import { checkBatchSize, toStandardError } from './object-service.ts';
import { PIPELINE_PROPERTIES, hasPipelines, renderStage, type PipelineObjectType } from './pipelines.ts';
import { propertyNotFound } from './property-registry.ts';
import {
  FLOW_PREFIXES,
  PIPELINE_PREFIXES,
  PROPERTY_PREFIXES,
  batchBody,
  decodeCursor,
  encodeCursor,
  pathType,
  queryBool,
  queryLimit,
  readBody,
  type Ctx,
} from './route-helpers.ts';

/** Property batch calls: the object batch cap (§4) applies. */
const PROPERTY_BATCH_LIMIT = 100;

export function registerSchemaRoutes(app: Hono<HubSpotEnv>, data: HubSpotData): void {
  for (const base of PROPERTY_PREFIXES) registerProperties(app, data, `${base}/:objectType`);
  for (const base of PIPELINE_PREFIXES) registerPipelines(app, data, `${base}/:objectType`);
  for (const base of FLOW_PREFIXES) registerFlows(app, data, base);
}

// ------------------------------------------------------------ properties

function registerProperties(app: Hono<HubSpotEnv>, data: HubSpotData, base: string): void {
  const registry = () => data.properties;
  const render = (type: HubSpotObjectType, name: string) => registry().render(type, registry().getAny(type, name)!);

  // Groups first: `groups` would otherwise be read as a property name.
  app.get(`${base}/groups`, (c) => {
    const type = pathType(c, 'objectType');
    return sendJson(c, 200, { results: registry().listGroups(type).map(renderGroup) });
  });
  app.post(`${base}/groups`, async (c) => {
    const type = pathType(c, 'objectType');
    const { body } = await readBody(c, PropertyGroupCreate);
    return sendJson(c, 201, renderGroup(registry().createGroup(type, body)));
  });
  app.get(`${base}/groups/:groupName`, (c) => {
    const type = pathType(c, 'objectType');
    const group = registry().getGroup(type, c.req.param('groupName'));
    if (!group) throw notFoundError(`Property group ${c.req.param('groupName')} does not exist`);
    return sendJson(c, 200, renderGroup(group));
  });
  app.patch(`${base}/groups/:groupName`, async (c) => {
    const type = pathType(c, 'objectType');
    const { body } = await readBody(c, z.object({ label: z.string().min(1).optional(), displayOrder: z.number().int().optional() }));
    return sendJson(c, 200, renderGroup(registry().updateGroup(type, c.req.param('groupName'), body)));
  });
  app.delete(`${base}/groups/:groupName`, (c) => {
    registry().archiveGroup(pathType(c, 'objectType'), c.req.param('groupName'));
    return c.body(null, 204);
  });

  app.get(base, (c) => {
    const type = pathType(c, 'objectType');
    const defs = registry().list(type, queryBool(c, 'archived'));
    return sendJson(c, 200, { results: defs.map((d) => registry().render(type, d)) });
  });
  app.post(base, async (c) => {
    const type = pathType(c, 'objectType');
    const { body } = await readBody(c, PropertyCreate);
    const def = registry().create(type, body);
    return sendJson(c, 201, registry().render(type, def));
  });
  app.post(`${base}/batch/create`, async (c) => {
    const type = pathType(c, 'objectType');
    const startedAt = data.clock.now();
    const { body } = await readBody(c, batchOf(PropertyCreate));
    checkBatchSize(body.inputs.length, PROPERTY_BATCH_LIMIT);
    const results: unknown[] = [];
    const errors: StandardError[] = [];
    for (const input of body.inputs) {
      try {
        results.push(registry().render(type, registry().create(type, input)));
      } catch (error) {
        if (!(error instanceof HubSpotApiError)) throw error;
        errors.push(toStandardError(error, { name: [input.name] }));
      }
    }
    return sendJson(c, errors.length > 0 ? 207 : 201, batchBody(startedAt, data.clock.now(), results, errors));
  });
  app.post(`${base}/batch/read`, async (c) => {
    const type = pathType(c, 'objectType');
    const startedAt = data.clock.now();
    const { body } = await readBody(c, z.object({ inputs: z.array(z.object({ name: z.string() })), archived: z.boolean().optional() }));
    checkBatchSize(body.inputs.length, PROPERTY_BATCH_LIMIT);
    const archived = body.archived ?? false;
    const found = body.inputs.map((i) => registry().getAny(type, i.name)).filter((d) => d !== undefined && d.archived === archived);
    const missing = body.inputs.map((i) => i.name).filter((name) => !found.some((d) => d!.name === name));
    const errors: StandardError[] =
      missing.length === 0
        ? []
        : [toStandardError(propertyNotFound(type, missing.join(', ')), { names: missing })];
    const results = found.map((d) => registry().render(type, d!));
    return sendJson(c, errors.length > 0 ? 207 : 200, batchBody(startedAt, data.clock.now(), results, errors));
  });
  app.post(`${base}/batch/archive`, async (c) => {
    const type = pathType(c, 'objectType');
    const { body } = await readBody(c, batchOf(z.object({ name: z.string() })));
    checkBatchSize(body.inputs.length, PROPERTY_BATCH_LIMIT);
    // §14: batch archive answers 204 even for unknown names.
    for (const { name } of body.inputs) {
      if (registry().get(type, name)?.hubspotDefined) continue;
      if (registry().archive(type, name)) data.stores.get(type)!.dropIndex(name);
    }
    return c.body(null, 204);
  });
  app.get(`${base}/:propertyName`, (c) => {
    const type = pathType(c, 'objectType');
    const name = c.req.param('propertyName');
    const def = registry().getAny(type, name);
    if (!def || def.archived !== queryBool(c, 'archived')) throw propertyNotFound(type, name);
    return sendJson(c, 200, render(type, name));
  });
  app.patch(`${base}/:propertyName`, async (c) => {
    const type = pathType(c, 'objectType');
    const { body } = await readBody(c, PropertyUpdate);
    const def = registry().update(type, c.req.param('propertyName'), body);
    return sendJson(c, 200, registry().render(type, def));
  });
  app.delete(`${base}/:propertyName`, (c) => {
    const type = pathType(c, 'objectType');
    const name = c.req.param('propertyName');
    if (!registry().archive(type, name)) throw propertyNotFound(type, name);
    data.stores.get(type)!.dropIndex(name);
    return c.body(null, 204);
  });
}

function renderGroup(g: { name: string; label: string; displayOrder: number; archived: boolean }) {
  return { name: g.name, label: g.label, displayOrder: g.displayOrder, archived: g.archived };
}

// ------------------------------------------------------------ pipelines

function pipelineType(c: Ctx): PipelineObjectType {
  const type = pathType(c, 'objectType');
  if (!hasPipelines(type)) {
    throw validationError(`Object type ${OBJECT_TYPES[type].typeId} (${type}) does not support pipelines.`);
  }
  return type;
}

function registerPipelines(app: Hono<HubSpotEnv>, data: HubSpotData, base: string): void {
  const pipelines = () => data.pipelines;
  app.get(base, (c) => {
    const type = pipelineType(c);
    return sendJson(c, 200, { results: pipelines().list(type, queryBool(c, 'archived')).map((p) => pipelines().render(p)) });
  });
  app.post(base, async (c) => {
    const type = pipelineType(c);
    const { body } = await readBody(c, PipelineCreate);
    return sendJson(c, 201, pipelines().render(pipelines().create(type, body)));
  });
  app.get(`${base}/:pipelineId`, (c) => {
    const type = pipelineType(c);
    return sendJson(c, 200, pipelines().render(pipelines().require(type, c.req.param('pipelineId'))));
  });
  app.patch(`${base}/:pipelineId`, async (c) => {
    const type = pipelineType(c);
    const { body } = await readBody(c, z.object({ label: z.string().min(1).optional(), displayOrder: z.number().int().optional() }));
    return sendJson(c, 200, pipelines().render(pipelines().update(type, c.req.param('pipelineId'), body)));
  });
  app.delete(`${base}/:pipelineId`, (c) => {
    const type = pipelineType(c);
    const pipeline = pipelines().require(type, c.req.param('pipelineId'));
    if (queryBool(c, 'validateReferencesBeforeDelete') || queryBool(c, 'validateDealStageUsagesBeforeDelete')) {
      // §15: a pipeline still in use is refused with the stage and record ids.
      const property = PIPELINE_PROPERTIES[type].pipeline;
      const inUse = data.stores.get(type)!.all().filter((r) => !r.archived && r.props.get(property) === pipeline.id);
      if (inUse.length > 0) {
        throw validationError(`Pipeline ${pipeline.id} still has records in its stages.`, {
          subCategory: 'PipelineError.STAGE_ID_IN_USE',
          context: {
            stageIds: [...new Set(inUse.map((r) => r.props.get(PIPELINE_PROPERTIES[type].stage) ?? ''))],
            objectIds: inUse.slice(0, 100).map((r) => r.id),
          },
        });
      }
    }
    pipelines().archive(type, pipeline.id);
    return c.body(null, 204);
  });
  app.get(`${base}/:pipelineId/stages`, (c) => {
    const type = pipelineType(c);
    const pipeline = pipelines().require(type, c.req.param('pipelineId'));
    return sendJson(c, 200, { results: pipelines().render(pipeline).stages });
  });
  app.get(`${base}/:pipelineId/stages/:stageId`, (c) => {
    const type = pipelineType(c);
    const pipeline = pipelines().require(type, c.req.param('pipelineId'));
    const stage = pipelines().stage(pipeline, c.req.param('stageId'));
    if (!stage) throw notFoundError(`Unable to find stage ${c.req.param('stageId')} in pipeline ${pipeline.id}`);
    return sendJson(c, 200, renderStage(stage));
  });
}

// ------------------------------------------------------------ flows

/** §5: flows list 100 at a time by default. */
const FLOW_PAGE_LIMIT = 100;

function registerFlows(app: Hono<HubSpotEnv>, data: HubSpotData, base: string): void {
  app.get(base, (c) => {
    const limit = queryLimit(c, FLOW_PAGE_LIMIT, FLOW_PAGE_LIMIT);
    const offset = decodeCursor(c.req.query('after')) ?? 0;
    const all = data.flows.list();
    const body: Record<string, unknown> = { results: all.slice(offset, offset + limit).map(flowSummary) };
    if (offset + limit < all.length) body.paging = { next: { after: encodeCursor(offset + limit) } };
    return sendJson(c, 200, body);
  });
  app.post(`${base}/batch/read`, async (c) => {
    const startedAt = data.clock.now();
    const { body } = await readBody(c, FlowBatchReadRequest);
    const found = body.inputs.map((i) => data.flows.get(i.flowId)).filter((f) => f !== undefined);
    const missing = body.inputs.map((i) => i.flowId).filter((id) => data.flows.get(id) === undefined);
    const errors: StandardError[] =
      missing.length === 0
        ? []
        : [toStandardError(notFoundError(`No flows exist with ids: ${missing.join(', ')}`), { flowIds: missing })];
    return sendJson(c, errors.length > 0 ? 207 : 200, batchBody(startedAt, data.clock.now(), found.map((f) => flowDetail(f!)), errors));
  });
  app.get(`${base}/:flowId`, (c) => {
    const flow = data.flows.get(c.req.param('flowId'));
    if (!flow) throw notFoundError(`Flow ${c.req.param('flowId')} does not exist`);
    return sendJson(c, 200, flowDetail(flow));
  });
}
