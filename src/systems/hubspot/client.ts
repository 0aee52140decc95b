/**
 * The HubSpot client: typed calls over the HTTP core, with requests and
 * responses declared once in `schemas.ts`. Batch helpers split work into
 * HubSpot's per-call caps; iterators page to the end.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { chunk, mapConcurrent } from '../../core/concurrency.ts';
import { ConnectorError } from '../../core/errors.ts';
import type { RandomSource } from '../../http/backoff.ts';
import { bearerToken } from '../../http/credentials.ts';
import { HttpClient, type AttemptEvent } from '../../http/http-client.ts';
import { GovernorRegistry, RateGovernor, type Lane } from '../../http/rate-governor.ts';
import { recordHubSpotAttempt } from '../../observability/http-metrics.ts';
import type { HttpRequest, QueryValue } from '../../http/system-definition.ts';
import { hubspotSystem } from './definition.ts';
import {
  ASSOCIATION_BATCH_CREATE_LIMIT,
  ASSOCIATION_BATCH_READ_LIMIT,
  BATCH_INPUT_LIMIT,
  type HubSpotObjectType,
  type HubSpotTier,
} from './object-types.ts';
import {
  AssociationBatchReadResult,
  AssociationLabel,
  AssociationListResponse,
  BatchResponse,
  DefaultAssociationResult,
  Flow,
  LabelsBetweenObjectPair,
  ListResponse,
  Pipeline,
  PropertyDefinition,
  PropertyGroup,
  SearchResponse,
  SimplePublicObject,
  StandardError,
  type AssociatedRecord,
  type AssociationSpec,
  type AssociationBatchCreateInput,
  type AssociationBatchDefaultInput,
  type CreateInput,
  type PropertyCreate,
  type PropertyUpdate,
  type PropertyGroupCreate,
  type SearchRequest,
  type UpdateInput,
  type UpsertInput,
} from './schemas.ts';

export interface HubSpotConnection {
  baseUrl: string;
  accessToken: string;
}

export interface HubSpotClientOptions extends HubSpotConnection {
  /**
   * The portal's tier sets the 10-second window. When unknown, `starter` is
   * the safe guess; the governor adopts the limit HubSpot reports in its
   * `X-HubSpot-RateLimit-Max` header on the first response anyway.
   */
  tier?: HubSpotTier;
  /** `2026-03` (date-based, the current GA) or the legacy `v3` paths (§1). */
  apiVersion?: '2026-03' | 'v3';
  /** Default lane for this client's calls: tools and connection tests are interactive. */
  lane?: Lane;
  /** Attempts per request (default: the system's); 1 hands every failure, a 429 included, straight back (AI tool calls). */
  maxAttempts?: number;
  clock?: Clock;
  random?: RandomSource;
  /** Share one governor per portal across clients; defaults to the process-wide registry. */
  governor?: RateGovernor;
  /** Batch calls of one operation in flight at once. */
  batchConcurrency?: number;
  onAttempt?: (event: AttemptEvent) => void;
}

/** A batch write's outcome across every chunk: what landed, and per-input errors (207s). */
export interface BatchResult {
  results: SimplePublicObject[];
  errors: StandardError[];
}

export interface ReadOptions {
  properties?: string[];
  associations?: string[];
  idProperty?: string;
  archived?: boolean;
}

/** One governor per (system, account) in this process (SPEC §3). */
export const hubspotGovernors = new GovernorRegistry();

/** The portal key of a connection (see `HubSpotClient.portalKey`), e.g. to find its series in /metrics. */
export function hubspotPortalKey(connection: HubSpotConnection): string {
  // The governor is keyed by a hash: the token itself is kept nowhere but the credential source.
  return createHash('sha256').update(`${connection.baseUrl}\u0000${connection.accessToken}`).digest('hex').slice(0, 16);
}

export class HubSpotClient {
  readonly http: HttpClient<{ tier: HubSpotTier }>;
  readonly clock: Clock;
  /** Names the portal and token without holding either (a hash): the key of what is kept per portal in this process. */
  readonly portalKey: string;
  private readonly apiVersion: '2026-03' | 'v3';
  private readonly lane: Lane;
  private readonly maxAttempts: number | undefined;
  private readonly batchConcurrency: number;

  constructor(options: HubSpotClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new ConnectorError({
        kind: 'config',
        code: 'hubspot.invalid_base_url',
        message: `HubSpot baseUrl must be an http(s) URL, got "${options.baseUrl}"`,
      });
    }
    if (!options.accessToken) {
      throw new ConnectorError({ kind: 'config', code: 'hubspot.missing_token', message: 'HubSpot accessToken is empty' });
    }
    this.clock = options.clock ?? systemClock;
    this.portalKey = hubspotPortalKey(options);
    this.apiVersion = options.apiVersion ?? '2026-03';
    this.lane = options.lane ?? 'background';
    this.maxAttempts = options.maxAttempts;
    this.batchConcurrency = options.batchConcurrency ?? 4;
    const tier = options.tier ?? 'starter';
    const governor =
      options.governor ??
      hubspotGovernors.get(
        'hubspot',
        this.portalKey,
        () =>
          new RateGovernor({
            windows: hubspotSystem.rateWindows({ tier }),
            maxConcurrency: hubspotSystem.maxConcurrency,
            clock: this.clock,
          }),
      );
    this.http = new HttpClient({
      system: hubspotSystem,
      baseUrl: options.baseUrl,
      credentials: bearerToken(options.accessToken),
      governor,
      clock: this.clock,
      random: options.random,
      // Every attempt is counted for /metrics by portal (src/observability/http-metrics.ts), whoever made the client.
      metricsAccount: this.portalKey,
      onAttempt: (event) => {
        recordHubSpotAttempt(this.portalKey, event.status);
        options.onAttempt?.(event);
      },
    });
  }

  /** Sends a request and checks the answer against its schema. */
  async call<S extends z.ZodType>(schema: S, request: HttpRequest): Promise<z.infer<S>> {
    const response = await this.http.request({ lane: this.lane, maxAttempts: this.maxAttempts, ...request });
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConnectorError({
        kind: 'system',
        code: 'hubspot.unexpected_response',
        message: `HubSpot ${request.method} ${request.path} answered ${response.status} with a body we did not expect (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
        details: { status: response.status, correlationId: response.correlationId },
      });
    }
    return parsed.data;
  }

  /** Sends a request whose success has no body (204). */
  async send(request: HttpRequest): Promise<void> {
    await this.http.request({ lane: this.lane, maxAttempts: this.maxAttempts, ...request });
  }

  // ------------------------------------------------------------ paths (§1)

  objectsPath(type: string, suffix = ''): string {
    return this.apiVersion === 'v3' ? `/crm/v3/objects/${type}${suffix}` : `/crm/objects/${this.apiVersion}/${type}${suffix}`;
  }

  associationsPath(from: string, to: string, suffix: string): string {
    return this.apiVersion === 'v3'
      ? `/crm/v4/associations/${from}/${to}${suffix}`
      : `/crm/associations/${this.apiVersion}/${from}/${to}${suffix}`;
  }

  recordAssociationsPath(type: string, id: string, suffix: string): string {
    return this.apiVersion === 'v3'
      ? `/crm/v4/objects/${type}/${encodeURIComponent(id)}/associations${suffix}`
      : `/crm/objects/${this.apiVersion}/${type}/${encodeURIComponent(id)}/associations${suffix}`;
  }

  propertiesPath(type: string, suffix = ''): string {
    return this.apiVersion === 'v3' ? `/crm/v3/properties/${type}${suffix}` : `/crm/properties/${this.apiVersion}/${type}${suffix}`;
  }

  pipelinesPath(type: string, suffix = ''): string {
    return this.apiVersion === 'v3' ? `/crm/v3/pipelines/${type}${suffix}` : `/crm/pipelines/${this.apiVersion}/${type}${suffix}`;
  }

  // ------------------------------------------------------------ single records (§4)

  getObject(type: HubSpotObjectType, id: string, options: ReadOptions = {}): Promise<SimplePublicObject> {
    return this.call(SimplePublicObject, {
      method: 'GET',
      path: this.objectsPath(type, `/${encodeURIComponent(id)}`),
      query: readQuery(options),
    });
  }

  createObject(type: HubSpotObjectType, input: CreateInput): Promise<SimplePublicObject> {
    return this.call(SimplePublicObject, { method: 'POST', path: this.objectsPath(type), body: input });
  }

  updateObject(
    type: HubSpotObjectType,
    id: string,
    properties: CreateInput['properties'],
    options: { idProperty?: string } = {},
  ): Promise<SimplePublicObject> {
    return this.call(SimplePublicObject, {
      method: 'PATCH',
      path: this.objectsPath(type, `/${encodeURIComponent(id)}`),
      query: { idProperty: options.idProperty },
      body: { properties },
    });
  }

  archiveObject(type: HubSpotObjectType, id: string): Promise<void> {
    return this.send({ method: 'DELETE', path: this.objectsPath(type, `/${encodeURIComponent(id)}`) });
  }

  /** One page of a type's records; `paging.next.after` is the next page's cursor (§5: limit at most 100). */
  listObjectsPage(type: HubSpotObjectType, options: ReadOptions & { limit?: number; after?: string } = {}): Promise<ListResponse> {
    return this.call(ListResponse, {
      method: 'GET',
      path: this.objectsPath(type),
      query: { ...readQuery(options), limit: options.limit, after: options.after },
    });
  }

  /** Every record of a type, page by page (limit 100, the list maximum, §5). */
  async *listObjects(type: HubSpotObjectType, options: ReadOptions = {}): AsyncGenerator<SimplePublicObject> {
    let after: string | undefined;
    do {
      const page = await this.listObjectsPage(type, { ...options, limit: 100, after });
      yield* page.results;
      after = page.paging?.next?.after;
    } while (after);
  }

  // ------------------------------------------------------------ batches (§4: ≤100 inputs a call)

  private async batch<T>(type: HubSpotObjectType, operation: string, inputs: readonly T[], extra: object = {}): Promise<BatchResult> {
    const pages = await mapConcurrent(chunk(inputs, BATCH_INPUT_LIMIT), this.batchConcurrency, (part) =>
      this.call(BatchResponse, { method: 'POST', path: this.objectsPath(type, `/batch/${operation}`), body: { ...extra, inputs: part } }),
    );
    return { results: pages.flatMap((p) => p.results), errors: pages.flatMap((p) => p.errors ?? []) };
  }

  batchRead(type: HubSpotObjectType, ids: readonly string[], options: { properties?: string[]; idProperty?: string } = {}) {
    return this.batch(
      type,
      'read',
      ids.map((id) => ({ id })),
      { properties: options.properties ?? [], ...(options.idProperty ? { idProperty: options.idProperty } : {}) },
    );
  }

  batchCreate(type: HubSpotObjectType, inputs: readonly CreateInput[]): Promise<BatchResult> {
    return this.batch(type, 'create', inputs);
  }

  batchUpdate(type: HubSpotObjectType, inputs: readonly UpdateInput[]): Promise<BatchResult> {
    return this.batch(type, 'update', inputs);
  }

  /**
   * Creates or updates by a unique property: `email` for contacts, or one of
   * ours such as `ml_source_id` (§4.1). Inputs that name the same record
   * twice are merged first, because HubSpot rejects such a batch (§4.1).
   */
  batchUpsert(type: HubSpotObjectType, inputs: readonly UpsertInput[]): Promise<BatchResult> {
    return this.batch(type, 'upsert', mergeDuplicateUpserts(inputs));
  }

  async batchArchive(type: HubSpotObjectType, ids: readonly string[]): Promise<void> {
    await mapConcurrent(chunk(ids, BATCH_INPUT_LIMIT), this.batchConcurrency, (part) =>
      this.send({ method: 'POST', path: this.objectsPath(type, '/batch/archive'), body: { inputs: part.map((id) => ({ id })) } }),
    );
  }

  // ------------------------------------------------------------ search (§6)

  searchPage(type: HubSpotObjectType, request: SearchRequest): Promise<SearchResponse> {
    return this.call(SearchResponse, { method: 'POST', path: this.objectsPath(type, '/search'), body: request });
  }

  // ------------------------------------------------------------ associations (§7)

  associateDefault(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string) {
    return this.call(z.looseObject({ results: z.array(DefaultAssociationResult) }), {
      method: 'PUT',
      path: this.recordAssociationsPath(fromType, fromId, `/default/${toType}/${encodeURIComponent(toId)}`),
    });
  }

  /** Default (unlabeled) associations between pairs, ≤2,000 a call (§7). */
  async batchAssociateDefault(from: HubSpotObjectType, to: HubSpotObjectType, pairs: readonly AssociationBatchDefaultInput[]) {
    await mapConcurrent(chunk(pairs, ASSOCIATION_BATCH_CREATE_LIMIT), this.batchConcurrency, (part) =>
      this.send({ method: 'POST', path: this.associationsPath(from, to, '/batch/associate/default'), body: { inputs: part } }),
    );
  }

  /** Associations with explicit (e.g. labelled) types, ≤2,000 a call (§7). Per-pair failures come back (207). */
  async batchCreateAssociations(
    from: HubSpotObjectType,
    to: HubSpotObjectType,
    inputs: readonly AssociationBatchCreateInput[],
  ): Promise<StandardError[]> {
    const pages = await mapConcurrent(chunk(inputs, ASSOCIATION_BATCH_CREATE_LIMIT), this.batchConcurrency, (part) =>
      this.call(z.looseObject({ errors: z.array(StandardError).optional() }), {
        method: 'POST',
        path: this.associationsPath(from, to, '/batch/create'),
        body: { inputs: part },
      }),
    );
    return pages.flatMap((p) => p.errors ?? []);
  }

  /**
   * Every association of each `ids` record to `to` records, ≤1,000 inputs a
   * call, following each input's own `after` cursor (§5).
   */
  async batchReadAssociations(
    from: HubSpotObjectType,
    to: HubSpotObjectType,
    ids: readonly string[],
  ): Promise<Map<string, AssociatedRecord[]>> {
    const found = new Map<string, AssociatedRecord[]>(ids.map((id) => [id, []]));
    let pending: Array<{ id: string; after?: string }> = ids.map((id) => ({ id }));
    while (pending.length > 0) {
      const pages = await mapConcurrent(chunk(pending, ASSOCIATION_BATCH_READ_LIMIT), this.batchConcurrency, (part) =>
        this.call(z.looseObject({ results: z.array(AssociationBatchReadResult) }), {
          method: 'POST',
          path: this.associationsPath(from, to, '/batch/read'),
          body: { inputs: part },
        }),
      );
      pending = [];
      for (const result of pages.flatMap((p) => p.results)) {
        found.get(result.from.id)?.push(...result.to);
        const after = result.paging?.next?.after;
        if (after) pending.push({ id: result.from.id, after });
      }
    }
    return found;
  }

  /** Sets the association types between two records; a labelled PUT replaces the pair's labels (§7). */
  associateWithTypes(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string, types: readonly AssociationSpec[]) {
    return this.call(LabelsBetweenObjectPair, {
      method: 'PUT',
      path: this.recordAssociationsPath(fromType, fromId, `/${toType}/${encodeURIComponent(toId)}`),
      body: types,
    });
  }

  /** Removes every association between two records (§7). */
  removeAssociations(fromType: HubSpotObjectType, fromId: string, toType: HubSpotObjectType, toId: string): Promise<void> {
    return this.send({ method: 'DELETE', path: this.recordAssociationsPath(fromType, fromId, `/${toType}/${encodeURIComponent(toId)}`) });
  }

  /** The association types, HubSpot's and the portal's own labels, from `from` to `to` (§7). */
  async listAssociationLabels(from: HubSpotObjectType, to: HubSpotObjectType): Promise<AssociationLabel[]> {
    return (await this.call(z.looseObject({ results: z.array(AssociationLabel) }), { method: 'GET', path: this.associationsPath(from, to, '/labels') }))
      .results;
  }

  /** One page of a record's associations to `toType` (§5: up to 500 a page). */
  listAssociationsPage(type: HubSpotObjectType, id: string, toType: HubSpotObjectType, options: { limit?: number; after?: string } = {}) {
    return this.call(AssociationListResponse, {
      method: 'GET',
      path: this.recordAssociationsPath(type, id, `/${toType}`),
      query: { limit: options.limit ?? 500, after: options.after },
    });
  }

  async *listAssociations(type: HubSpotObjectType, id: string, toType: HubSpotObjectType): AsyncGenerator<AssociatedRecord> {
    let after: string | undefined;
    do {
      const page = await this.listAssociationsPage(type, id, toType, { after });
      yield* page.results;
      after = page.paging?.next?.after;
    } while (after);
  }

  // ------------------------------------------------------------ properties, pipelines, flows

  async listProperties(type: HubSpotObjectType): Promise<PropertyDefinition[]> {
    return (await this.call(z.looseObject({ results: z.array(PropertyDefinition) }), { method: 'GET', path: this.propertiesPath(type) }))
      .results;
  }

  async createProperties(type: HubSpotObjectType, inputs: readonly PropertyCreate[]): Promise<PropertyDefinition[]> {
    if (inputs.length === 0) return [];
    const response = await this.call(z.looseObject({ results: z.array(PropertyDefinition) }), {
      method: 'POST',
      path: this.propertiesPath(type, '/batch/create'),
      body: { inputs },
    });
    return response.results;
  }

  /** Changes a property's definition (its label, its options). */
  updateProperty(type: HubSpotObjectType, name: string, patch: PropertyUpdate): Promise<PropertyDefinition> {
    return this.call(PropertyDefinition, { method: 'PATCH', path: this.propertiesPath(type, `/${encodeURIComponent(name)}`), body: patch });
  }

  async listPropertyGroups(type: HubSpotObjectType): Promise<PropertyGroup[]> {
    return (await this.call(z.looseObject({ results: z.array(PropertyGroup) }), { method: 'GET', path: this.propertiesPath(type, '/groups') }))
      .results;
  }

  createPropertyGroup(type: HubSpotObjectType, input: PropertyGroupCreate): Promise<PropertyGroup> {
    return this.call(PropertyGroup, { method: 'POST', path: this.propertiesPath(type, '/groups'), body: input });
  }

  async listPipelines(type: 'deals' | 'orders' | string): Promise<Pipeline[]> {
    return (await this.call(z.looseObject({ results: z.array(Pipeline) }), { method: 'GET', path: this.pipelinesPath(type) })).results;
  }

  /** One page of automation flows (§16: beta, v4 paths only). */
  listFlowsPage(options: { limit?: number; after?: string } = {}) {
    return this.call(z.looseObject({ results: z.array(Flow), paging: ListResponse.shape.paging }), {
      method: 'GET',
      path: '/automation/v4/flows',
      query: { limit: options.limit ?? 100, after: options.after },
    });
  }

  /** One automation flow in full: its actions and enrollment criteria (§16). */
  getFlow(id: string): Promise<Flow> {
    return this.call(Flow, { method: 'GET', path: `/automation/v4/flows/${encodeURIComponent(id)}` });
  }

  /** Automation v4 is beta and has no date-based GA path yet (§16). */
  async *listFlows(): AsyncGenerator<Flow> {
    let after: string | undefined;
    do {
      const page = await this.listFlowsPage({ limit: 100, after });
      yield* page.results;
      after = page.paging?.next?.after;
    } while (after);
  }
}

function readQuery(options: ReadOptions): Record<string, QueryValue> {
  return {
    properties: options.properties && options.properties.length > 0 ? options.properties.join(',') : undefined,
    associations: options.associations && options.associations.length > 0 ? options.associations.join(',') : undefined,
    idProperty: options.idProperty,
    archived: options.archived,
  };
}

/** Later inputs for the same key win, property by property. Emails compare case-insensitively. */
function mergeDuplicateUpserts(inputs: readonly UpsertInput[]): UpsertInput[] {
  const byKey = new Map<string, UpsertInput>();
  for (const input of inputs) {
    const key = `${input.idProperty}\u0000${input.idProperty === 'email' ? input.id.toLowerCase() : input.id}`;
    const existing = byKey.get(key);
    byKey.set(key, existing ? { ...existing, properties: { ...existing.properties, ...input.properties } } : input);
  }
  return [...byKey.values()];
}

