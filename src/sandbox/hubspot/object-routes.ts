/**
 * Object endpoints (reference/hubspot.md §4, §6) on both path families:
 * list, read, create, update, archive, the five batch operations and search.
 */
import type { Hono } from 'hono';
import { BATCH_INPUT_LIMIT } from '../../systems/hubspot/object-types.ts';
import {
  BatchReadRequest,
  CreateInput,
  PatchInput,
  ReadInput,
  SearchRequest,
  UpdateInput,
  UpsertInput,
  batchOf,
  type SimplePublicObject,
  type StandardError,
} from '../../systems/hubspot/schemas.ts';
import type { HubSpotEnv } from './context.ts';
import type { HubSpotData } from './data.ts';
import { notFoundError, sendJson, validationError } from './errors.ts';
import { checkBatchSize, objectNameUpper, type BatchOutcome, type WriteResult } from './object-service.ts';
import {
  OBJECT_PREFIXES,
  batchBody,
  decodeCursor,
  encodeCursor,
  nextLink,
  pathType,
  queryBool,
  queryLimit,
  queryList,
  queryTypes,
  readBody,
  writeContext,
  type Ctx,
} from './route-helpers.ts';

/** §4: batch reads with property history take at most 50 inputs. */
const HISTORY_BATCH_LIMIT = 50;
/** §6: search bodies over 3,000 characters are refused. */
const SEARCH_BODY_LIMIT = 3_000;

export function registerObjectRoutes(app: Hono<HubSpotEnv>, data: HubSpotData): void {
  for (const base of OBJECT_PREFIXES) {
    app.get(`${base}/:objectType`, (c) => list(c, data));
    app.post(`${base}/:objectType`, (c) => create(c, data));
    app.post(`${base}/:objectType/search`, (c) => search(c, data));
    app.post(`${base}/:objectType/batch/read`, (c) => batchRead(c, data));
    app.post(`${base}/:objectType/batch/create`, (c) => batchCreate(c, data));
    app.post(`${base}/:objectType/batch/update`, (c) => batchUpdate(c, data));
    app.post(`${base}/:objectType/batch/upsert`, (c) => batchUpsert(c, data));
    app.post(`${base}/:objectType/batch/archive`, (c) => batchArchive(c, data));
    app.get(`${base}/:objectType/:objectId`, (c) => read(c, data));
    app.patch(`${base}/:objectType/:objectId`, (c) => update(c, data));
    app.delete(`${base}/:objectType/:objectId`, (c) => archive(c, data));
  }
}

function list(c: Ctx, data: HubSpotData): Response {
  const type = pathType(c, 'objectType');
  const propertiesWithHistory = queryList(c, 'propertiesWithHistory');
  // §4: the docs page up to 100 per list call; larger limits are clamped.
  const limit = queryLimit(c, 10, BATCH_INPUT_LIMIT);
  if (propertiesWithHistory && limit > HISTORY_BATCH_LIMIT) {
    throw validationError(
      `The maximum number of records supported in a list request for property histories is ${HISTORY_BATCH_LIMIT}. Please reduce the limit and try again`,
    );
  }
  const afterId = decodeCursor(c.req.query('after'));
  const { records, nextId } = data.objects.list(type, { limit, afterId, archived: queryBool(c, 'archived') });
  const options = { properties: queryList(c, 'properties'), propertiesWithHistory, associations: queryTypes(c, 'associations') };
  const body: { results: SimplePublicObject[]; paging?: { next: { after: string; link: string } } } = {
    results: records.map((r) => data.objects.render(r, options)),
  };
  if (nextId !== undefined) {
    const after = encodeCursor(nextId);
    body.paging = { next: { after, link: nextLink(c, after) } };
  }
  return sendJson(c, 200, body);
}

function read(c: Ctx, data: HubSpotData): Response {
  const type = pathType(c, 'objectType');
  const id = c.req.param('objectId')!;
  const idProperty = c.req.query('idProperty');
  const record = queryBool(c, 'archived') ? data.objects.findArchived(type, id, idProperty) : data.objects.find(type, id, idProperty);
  if (!record) throw notFoundError();
  return sendJson(
    c,
    200,
    data.objects.render(record, {
      properties: queryList(c, 'properties'),
      propertiesWithHistory: queryList(c, 'propertiesWithHistory'),
      associations: queryTypes(c, 'associations'),
    }),
  );
}

async function create(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const { body } = await readBody(c, CreateInput);
  const record = data.objects.create(type, body, writeContext(c));
  return sendJson(c, 201, data.objects.render(record, { all: true }));
}

async function update(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const { body } = await readBody(c, PatchInput);
  const result = data.objects.update(type, c.req.param('objectId')!, c.req.query('idProperty'), body.properties, writeContext(c));
  return sendJson(c, 200, data.objects.render(result.record, { echo: result.echo ?? [] }));
}

function archive(c: Ctx, data: HubSpotData): Response {
  const type = pathType(c, 'objectType');
  data.objects.archive(type, c.req.param('objectId')!, writeContext(c));
  return c.body(null, 204);
}

async function search(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const { body, length } = await readBody(c, SearchRequest.optional());
  if (length > SEARCH_BODY_LIMIT) {
    throw validationError(`Search request bodies are limited to ${SEARCH_BODY_LIMIT} characters (got ${length}).`);
  }
  return sendJson(c, 200, data.search.search(type, body ?? {}));
}

function renderWrite(data: HubSpotData, result: WriteResult, upsert: boolean): SimplePublicObject {
  const out = result.echo === undefined ? data.objects.render(result.record, { all: true }) : data.objects.render(result.record, { echo: result.echo });
  if (upsert) out.new = result.isNew ?? false;
  if (result.traceId !== undefined) out.objectWriteTraceId = result.traceId;
  return out;
}

function batchAnswer(c: Ctx, data: HubSpotData, startedAt: number, outcome: BatchOutcome, okStatus: number, upsert = false): Response {
  const results = outcome.results.map((r) => renderWrite(data, r, upsert));
  return sendJson(c, outcome.errors.length > 0 ? 207 : okStatus, batchBody(startedAt, data.clock.now(), results, outcome.errors));
}

async function batchCreate(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const startedAt = data.clock.now();
  const { body } = await readBody(c, batchOf(CreateInput));
  checkBatchSize(body.inputs.length, BATCH_INPUT_LIMIT);
  return batchAnswer(c, data, startedAt, data.objects.batchCreate(type, body.inputs, writeContext(c)), 201);
}

async function batchUpdate(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const startedAt = data.clock.now();
  const { body } = await readBody(c, batchOf(UpdateInput));
  checkBatchSize(body.inputs.length, BATCH_INPUT_LIMIT);
  return batchAnswer(c, data, startedAt, data.objects.batchUpdate(type, body.inputs, writeContext(c)), 200);
}

async function batchUpsert(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const startedAt = data.clock.now();
  const { body } = await readBody(c, batchOf(UpsertInput));
  checkBatchSize(body.inputs.length, BATCH_INPUT_LIMIT);
  return batchAnswer(c, data, startedAt, data.objects.batchUpsert(type, body.inputs, writeContext(c)), 200, true);
}

async function batchArchive(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const { body } = await readBody(c, batchOf(ReadInput));
  checkBatchSize(body.inputs.length, BATCH_INPUT_LIMIT);
  data.objects.batchArchive(type, body.inputs.map((i) => i.id), writeContext(c));
  return c.body(null, 204);
}

async function batchRead(c: Ctx, data: HubSpotData): Promise<Response> {
  const type = pathType(c, 'objectType');
  const startedAt = data.clock.now();
  const { body } = await readBody(c, BatchReadRequest);
  checkBatchSize(body.inputs.length, BATCH_INPUT_LIMIT);
  if (body.propertiesWithHistory && body.propertiesWithHistory.length > 0 && body.inputs.length > HISTORY_BATCH_LIMIT) {
    // §4: the real message for history batches over 50.
    throw validationError(
      `The maximum number of inputs supported in a batch request for property histories is ${HISTORY_BATCH_LIMIT}. Please reduce the number of items and try again`,
    );
  }
  const { records, missing } = data.objects.batchRead(
    type,
    body.inputs.map((i) => i.id),
    { idProperty: body.idProperty, archived: queryBool(c, 'archived') },
  );
  const results = records.map((r) =>
    data.objects.render(r, { properties: body.properties, propertiesWithHistory: body.propertiesWithHistory }),
  );
  const errors: StandardError[] =
    missing.length === 0
      ? []
      : [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: `Could not get some ${objectNameUpper(type)} objects, they may be deleted or not exist. Check that ids are valid.`,
            context: { ids: missing },
            errors: [],
            links: {},
          },
        ];
  return sendJson(c, errors.length > 0 ? 207 : 200, batchBody(startedAt, data.clock.now(), results, errors));
}
