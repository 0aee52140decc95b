/**
 * Association endpoints (reference/hubspot.md §7): the v4 record-level and
 * batch calls with their date-based twins, the labels API, and the legacy
 * v3 per-object `PUT|DELETE .../associations/{toType}/{toId}/{typeId}`
 * (also in the 2026-03 notes-guide form).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import {
  ASSOCIATION_BATCH_CREATE_LIMIT,
  ASSOCIATION_BATCH_READ_LIMIT,
  OBJECT_TYPES,
  type HubSpotObjectType,
} from '../../systems/hubspot/object-types.ts';
import {
  AssociationBatchArchiveInput,
  AssociationBatchCreateInput,
  AssociationBatchDefaultInput,
  AssociationBatchLabelsArchiveInput,
  AssociationBatchReadInput,
  AssociationLabelCreate,
  AssociationLabelUpdate,
  AssociationSpec,
  batchOf,
  type AssociatedRecord,
  type StandardError,
} from '../../systems/hubspot/schemas.ts';
import type { PairChange } from './association-service.ts';
import type { HubSpotEnv } from './context.ts';
import type { HubSpotData } from './data.ts';
import { HubSpotApiError, notFoundError, sendJson, validationError } from './errors.ts';
import { checkBatchSize, toStandardError } from './object-service.ts';
import {
  ASSOCIATION_PREFIXES,
  OBJECT_PREFIXES,
  V4_OBJECT_PREFIXES,
  batchBody,
  decodeCursor,
  encodeCursor,
  pathType,
  queryLimit,
  readBody,
  writeContext,
  type Ctx,
} from './route-helpers.ts';

/** §5: a record's associations page at most 500 at a time. */
const ASSOCIATION_PAGE_LIMIT = 500;

export function registerAssociationRoutes(app: Hono<HubSpotEnv>, data: HubSpotData): void {
  for (const base of V4_OBJECT_PREFIXES) {
    // Registered before the `{toType}/{toId}/{typeId}` form, which would also match "default".
    app.put(`${base}/:fromType/:fromId/associations/default/:toType/:toId`, (c) => putDefault(c, data));
    app.put(`${base}/:fromType/:fromId/associations/:toType/:toId`, (c) => putLabels(c, data));
    app.get(`${base}/:fromType/:fromId/associations/:toType`, (c) => listForRecord(c, data));
    app.delete(`${base}/:fromType/:fromId/associations/:toType/:toId`, (c) => deletePair(c, data));
  }
  for (const base of OBJECT_PREFIXES) {
    app.put(`${base}/:fromType/:fromId/associations/:toType/:toId/:typeId`, (c) => putLegacy(c, data));
    app.delete(`${base}/:fromType/:fromId/associations/:toType/:toId/:typeId`, (c) => deleteLegacy(c, data));
  }
  app.get('/crm/v3/objects/:fromType/:fromId/associations/:toType', (c) => listLegacy(c, data));
  for (const base of ASSOCIATION_PREFIXES) {
    app.post(`${base}/:fromType/:toType/batch/associate/default`, (c) => batchDefault(c, data));
    app.post(`${base}/:fromType/:toType/batch/create`, (c) => batchCreate(c, data));
    app.post(`${base}/:fromType/:toType/batch/read`, (c) => batchRead(c, data));
    app.post(`${base}/:fromType/:toType/batch/archive`, (c) => batchArchive(c, data));
    app.post(`${base}/:fromType/:toType/batch/labels/archive`, (c) => batchArchiveLabels(c, data));
    app.get(`${base}/:fromType/:toType/labels`, (c) => listLabels(c, data));
    app.post(`${base}/:fromType/:toType/labels`, (c) => createLabel(c, data));
    app.put(`${base}/:fromType/:toType/labels`, (c) => updateLabel(c, data));
    app.delete(`${base}/:fromType/:toType/labels/:typeId`, (c) => deleteLabel(c, data));
  }
}

function pairOf(c: Ctx, data: HubSpotData, toIdParam = 'toId'): PairChange {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const fromId = c.req.param('fromId')!;
  const toId = c.req.param(toIdParam)!;
  data.associations.requireRecord(fromType, fromId);
  data.associations.requireRecord(toType, toId);
  return { fromType, fromId, toType, toId };
}

function defaultResults(data: HubSpotData, pair: PairChange) {
  const forward = data.associations.defaultType(pair.fromType, pair.toType);
  const inverse = data.associations.defaultType(pair.toType, pair.fromType);
  // Both directions are reported, each with its own type id (§7.2).
  return [
    { from: { id: pair.fromId }, to: { id: pair.toId }, associationSpec: { associationCategory: forward.category, associationTypeId: forward.typeId } },
    { from: { id: pair.toId }, to: { id: pair.fromId }, associationSpec: { associationCategory: inverse.category, associationTypeId: inverse.typeId } },
  ];
}

function labelsBetween(data: HubSpotData, pair: PairChange, ids: ReadonlySet<number>) {
  return {
    fromObjectTypeId: OBJECT_TYPES[pair.fromType].typeId,
    fromObjectId: pair.fromId,
    toObjectTypeId: OBJECT_TYPES[pair.toType].typeId,
    toObjectId: pair.toId,
    labels: data.associations.labelsOf(pair.fromType, pair.toType, ids),
  };
}

function associated(data: HubSpotData, fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string): AssociatedRecord {
  return {
    toObjectId: toId,
    associationTypes: data.associations.describe(fromType, toType, data.associations.graph.types(fromType, fromId, toType, toId)),
  };
}

// ------------------------------------------------------------ record level

function putDefault(c: Ctx, data: HubSpotData): Response {
  const startedAt = data.clock.now();
  const pair = pairOf(c, data);
  data.associations.addDefault(pair, writeContext(c));
  return sendJson(c, 200, batchBody(startedAt, data.clock.now(), defaultResults(data, pair), []));
}

async function putLabels(c: Ctx, data: HubSpotData): Promise<Response> {
  const { body } = await readBody(c, z.array(AssociationSpec));
  const pair = pairOf(c, data);
  const infos = body.map((spec) => data.associations.resolveSpec(pair.fromType, pair.toType, spec));
  const ids = data.associations.replace(pair, infos, writeContext(c));
  return sendJson(c, 201, labelsBetween(data, pair, ids));
}

function listForRecord(c: Ctx, data: HubSpotData): Response {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const fromId = c.req.param('fromId')!;
  const limit = queryLimit(c, ASSOCIATION_PAGE_LIMIT, ASSOCIATION_PAGE_LIMIT);
  const offset = decodeCursor(c.req.query('after')) ?? 0;
  const ids = data.associations.graph.sortedTargets(fromType, fromId, toType);
  const page = ids.slice(offset, offset + limit);
  const body: Record<string, unknown> = { results: page.map((toId) => associated(data, fromType, fromId, toType, toId)) };
  if (offset + limit < ids.length) body.paging = { next: { after: encodeCursor(offset + limit) } };
  return sendJson(c, 200, body);
}

function deletePair(c: Ctx, data: HubSpotData): Response {
  const pair = pairOf(c, data);
  data.associations.removeAll(pair, writeContext(c));
  return c.body(null, 204);
}

function typeIdParam(c: Ctx): number {
  const raw = c.req.param('typeId') ?? '';
  if (!/^\d+$/.test(raw)) throw validationError(`Association type id must be a number (got "${raw}").`);
  return Number(raw);
}

/** Legacy v3 / notes-guide PUT: one type id in the path, the record with its associations back (§7). */
function putLegacy(c: Ctx, data: HubSpotData): Response {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const typeId = typeIdParam(c);
  const fromId = c.req.param('fromId')!;
  const record = data.objects.find(fromType, fromId);
  if (!record) throw notFoundError();
  const toId = c.req.param('toId')!;
  data.associations.requireRecord(toType, toId);
  const info = data.associations.labels.find(fromType, toType, typeId);
  if (!info) {
    throw validationError(`Association type ${typeId} is not valid from ${OBJECT_TYPES[fromType].typeId} (${fromType}) to ${OBJECT_TYPES[toType].typeId} (${toType})`, {
      subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE',
    });
  }
  data.associations.add({ fromType, fromId, toType, toId }, [info], writeContext(c));
  return sendJson(c, 200, data.objects.render(record, { associations: [toType] }));
}

function deleteLegacy(c: Ctx, data: HubSpotData): Response {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const typeId = typeIdParam(c);
  data.associations.removeTypes(
    { fromType, fromId: c.req.param('fromId')!, toType, toId: c.req.param('toId')! },
    [typeId],
    writeContext(c),
  );
  return c.body(null, 204);
}

/** Legacy v3 list: `{results:[{id, type}]}`. */
function listLegacy(c: Ctx, data: HubSpotData): Response {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const fromId = c.req.param('fromId')!;
  const limit = queryLimit(c, ASSOCIATION_PAGE_LIMIT, ASSOCIATION_PAGE_LIMIT);
  const offset = decodeCursor(c.req.query('after')) ?? 0;
  const ids = data.associations.graph.sortedTargets(fromType, fromId, toType);
  const results = ids.slice(offset, offset + limit).flatMap((toId) =>
    [...data.associations.graph.types(fromType, fromId, toType, toId)].map((typeId) => ({
      id: toId,
      type: data.objects.associationTypeName(fromType, toType, typeId),
    })),
  );
  const body: Record<string, unknown> = { results };
  if (offset + limit < ids.length) body.paging = { next: { after: encodeCursor(offset + limit) } };
  return sendJson(c, 200, body);
}

// ------------------------------------------------------------ batches

/** Runs each input; failures become error items (207) rather than failing the batch. */
function eachInput<I, R>(inputs: I[], run: (input: I) => R, context: (input: I) => Record<string, string[]>): { results: R[]; errors: StandardError[] } {
  const results: R[] = [];
  const errors: StandardError[] = [];
  for (const input of inputs) {
    try {
      results.push(run(input));
    } catch (error) {
      if (!(error instanceof HubSpotApiError)) throw error;
      errors.push(toStandardError(error, context(input)));
    }
  }
  return { results, errors };
}

function batchPair(c: Ctx, data: HubSpotData, fromId: string, toId: string): PairChange {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  data.associations.requireRecord(fromType, fromId);
  data.associations.requireRecord(toType, toId);
  return { fromType, fromId, toType, toId };
}

async function batchDefault(c: Ctx, data: HubSpotData): Promise<Response> {
  const startedAt = data.clock.now();
  pathType(c, 'fromType');
  pathType(c, 'toType');
  const { body } = await readBody(c, batchOf(AssociationBatchDefaultInput));
  checkBatchSize(body.inputs.length, ASSOCIATION_BATCH_CREATE_LIMIT);
  const ctx = writeContext(c);
  const { results, errors } = eachInput(
    body.inputs,
    (input) => {
      const pair = batchPair(c, data, input.from.id, input.to.id);
      data.associations.addDefault(pair, ctx);
      return defaultResults(data, pair);
    },
    (input) => ({ fromObjectId: [input.from.id], toObjectId: [input.to.id] }),
  );
  return sendJson(c, errors.length > 0 ? 207 : 200, batchBody(startedAt, data.clock.now(), results.flat(), errors));
}

async function batchCreate(c: Ctx, data: HubSpotData): Promise<Response> {
  const startedAt = data.clock.now();
  pathType(c, 'fromType');
  pathType(c, 'toType');
  const { body } = await readBody(c, batchOf(AssociationBatchCreateInput));
  // §7: association batch create takes at most 2,000 inputs.
  checkBatchSize(body.inputs.length, ASSOCIATION_BATCH_CREATE_LIMIT);
  const ctx = writeContext(c);
  const { results, errors } = eachInput(
    body.inputs,
    (input) => {
      const pair = batchPair(c, data, input.from.id, input.to.id);
      const infos = input.types.map((spec) => data.associations.resolveSpec(pair.fromType, pair.toType, spec));
      return labelsBetween(data, pair, data.associations.add(pair, infos, ctx));
    },
    (input) => ({ fromObjectId: [input.from.id], toObjectId: [input.to.id] }),
  );
  return sendJson(c, errors.length > 0 ? 207 : 201, batchBody(startedAt, data.clock.now(), results, errors));
}

async function batchRead(c: Ctx, data: HubSpotData): Promise<Response> {
  const startedAt = data.clock.now();
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const { body } = await readBody(c, batchOf(AssociationBatchReadInput));
  // §7: association batch read takes at most 1,000 inputs.
  checkBatchSize(body.inputs.length, ASSOCIATION_BATCH_READ_LIMIT);
  const results: unknown[] = [];
  const errors: StandardError[] = [];
  for (const input of body.inputs) {
    const ids = data.associations.graph.sortedTargets(fromType, input.id, toType);
    if (ids.length === 0) {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${OBJECT_TYPES[toType].singular} is associated with ${OBJECT_TYPES[fromType].singular} ${input.id}.`,
        context: { fromObjectId: [input.id] },
        errors: [],
        links: {},
      });
      continue;
    }
    const offset = decodeCursor(input.after) ?? 0;
    const page = ids.slice(offset, offset + ASSOCIATION_PAGE_LIMIT);
    const result: Record<string, unknown> = {
      from: { id: input.id },
      to: page.map((toId) => associated(data, fromType, input.id, toType, toId)),
    };
    if (offset + ASSOCIATION_PAGE_LIMIT < ids.length) result.paging = { next: { after: encodeCursor(offset + ASSOCIATION_PAGE_LIMIT) } };
    results.push(result);
  }
  return sendJson(c, errors.length > 0 ? 207 : 200, batchBody(startedAt, data.clock.now(), results, errors));
}

async function batchArchive(c: Ctx, data: HubSpotData): Promise<Response> {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const { body } = await readBody(c, batchOf(AssociationBatchArchiveInput));
  checkBatchSize(body.inputs.length, ASSOCIATION_BATCH_CREATE_LIMIT);
  const ctx = writeContext(c);
  for (const input of body.inputs) {
    for (const to of input.to) data.associations.removeAll({ fromType, fromId: input.from.id, toType, toId: to.id }, ctx);
  }
  return c.body(null, 204);
}

async function batchArchiveLabels(c: Ctx, data: HubSpotData): Promise<Response> {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const { body } = await readBody(c, batchOf(AssociationBatchLabelsArchiveInput));
  checkBatchSize(body.inputs.length, ASSOCIATION_BATCH_CREATE_LIMIT);
  const ctx = writeContext(c);
  for (const input of body.inputs) {
    const ids = input.types.map((spec) => data.associations.resolveSpec(fromType, toType, spec).typeId);
    data.associations.removeTypes({ fromType, fromId: input.from.id, toType, toId: input.to.id }, ids, ctx);
  }
  return c.body(null, 204);
}

// ------------------------------------------------------------ labels

function renderLabels(data: HubSpotData, fromType: HubSpotObjectType, toType: HubSpotObjectType, typeIds?: number[]) {
  return data.associations.labels
    .typesBetween(fromType, toType)
    .filter((t) => typeIds === undefined || typeIds.includes(t.typeId))
    .map((t) => ({ category: t.category, typeId: t.typeId, label: t.label }));
}

function listLabels(c: Ctx, data: HubSpotData): Response {
  return sendJson(c, 200, { results: renderLabels(data, pathType(c, 'fromType'), pathType(c, 'toType')) });
}

async function createLabel(c: Ctx, data: HubSpotData): Promise<Response> {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const { body } = await readBody(c, AssociationLabelCreate);
  const created = data.associations.labels.create(fromType, toType, body);
  const results = created.map((t) => ({ category: t.category, typeId: t.typeId, label: t.label }));
  return sendJson(c, 200, { results });
}

async function updateLabel(c: Ctx, data: HubSpotData): Promise<Response> {
  const { body } = await readBody(c, AssociationLabelUpdate);
  data.associations.labels.update(pathType(c, 'fromType'), pathType(c, 'toType'), body);
  return c.body(null, 204);
}

function deleteLabel(c: Ctx, data: HubSpotData): Response {
  const fromType = pathType(c, 'fromType');
  const toType = pathType(c, 'toType');
  const typeId = typeIdParam(c);
  const info = data.associations.labels.find(fromType, toType, typeId, 'USER_DEFINED');
  // Pairs lose the label first, while both of its directions are still known.
  if (info) data.associations.dropTypeIds([...new Set([info.typeId, info.inverseTypeId])], writeContext(c));
  data.associations.labels.remove(fromType, toType, typeId);
  return c.body(null, 204);
}
