/**
 * The Acumatica client: typed calls over the HTTP core, every one pinned to
 * the connection's `<endpointName>/<endpointVersion>` (reference §1, §10),
 * value objects unwrapped at this edge (values.ts) so callers see plain
 * records, offset paging with `$top`/`$skip` (§5), and incremental readers
 * in ascending `LastModifiedDateTime` (modified-since.ts).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError, isConnectorError, type SerializedError } from '../../core/errors.ts';
import type { RandomSource } from '../../http/backoff.ts';
import type { CredentialSource } from '../../http/credentials.ts';
import { HttpClient, type AttemptEvent, type HttpResponse } from '../../http/http-client.ts';
import { GovernorRegistry, RateGovernor, type Lane } from '../../http/rate-governor.ts';
import type { HttpRequest, QueryValue, SystemDefinition } from '../../http/system-definition.ts';
import { AcumaticaConnectionSchema, tenantOf, type AcumaticaConnection, type AcumaticaConnectionInput } from './connection.ts';
import { AcumaticaCookieSession } from './cookie-session.ts';
import { DEFAULT_ACUMATICA_ACCOUNT, defineAcumaticaSystem, ENDPOINT_MISMATCH_CODE, type AcumaticaAccount } from './definition.ts';
import { DEFAULT_PAGE_SIZE } from './limits.ts';
import { readModifiedSince, type ModifiedRecord, type WindowRequest } from './modified-since.ts';
import { acumaticaCredentials, AcumaticaOAuthCredentials, type AcumaticaCredentialRegistry, type RotationHandler } from './oauth.ts';
import { DISCOVERY_PATH, documentKey, endpointLabel, entityPath, type Endpoint } from './paths.ts';
import {
  Contact,
  ContactCreate,
  Customer,
  CustomerCreate,
  EndpointDiscovery,
  Payment,
  SalesInvoice,
  type EntityName,
} from './schemas.ts';
import { dateTimeOffsetLiteral, parseAcumaticaDateTime } from './timestamps.ts';
import { unwrapEntity, wrapEntity } from './values.ts';

export type { ModifiedRecord } from './modified-since.ts';

export interface AcumaticaClientOptions {
  /** What `connections add acumatica --config` took (validated again here). */
  connection: AcumaticaConnectionInput;
  /** `$top` of list pages. Default 500. */
  pageSize?: number;
  /** Records one time window of an incremental read may hold in memory. Default 10 pages. */
  maxWindowRecords?: number;
  /** Default lane for this client's calls: tools and connection tests are interactive. */
  lane?: Lane;
  clock?: Clock;
  random?: RandomSource;
  /** Share one governor per tenant across clients; defaults to the process-wide registry. */
  governor?: RateGovernor;
  /** Where OAuth credentials are shared per connection; defaults to the process-wide registry. */
  credentialRegistry?: AcumaticaCredentialRegistry;
  /** The app's id of the stored connection: the surest way to share one credential among its clients. */
  credentialKey?: string;
  /** Told every new (rotated) refresh token: store it with the connection. */
  onRotate?: RotationHandler;
  onAttempt?: (event: AttemptEvent) => void;
}

export type Since = Date | number | undefined;

/** One thing `ping()` checked. */
export interface PingCheck {
  name: 'token' | 'endpoint' | `read:${EntityName}`;
  ok: boolean;
  detail: string;
  error?: SerializedError;
}

export interface PingResult {
  ok: boolean;
  /** What `GET /entity` listed, when it answered. */
  servedEndpoints: string[] | undefined;
  checks: PingCheck[];
}

export interface ListOptions {
  /** An OData `$filter` expression (§5), e.g. `CustomerClass eq 'WHOLESALE'`. */
  filter?: string;
  expand?: readonly string[];
  select?: readonly string[];
  /** `$top` per page (default: the client's page size). */
  pageSize?: number;
}

/** One governor per Acumatica tenant in this process (SPEC §3: the license's limits are the tenant's). */
export const acumaticaGovernors = new GovernorRegistry();

/** What each reader expands (§5: nothing is expanded by default). */
export const READER_EXPANDS: Record<EntityName, readonly string[]> = {
  Customer: ['MainContact', 'MainContact/Address', 'BillingContact', 'BillingContact/Address'],
  Contact: ['Address'],
  SalesInvoice: ['Details'],
  Payment: ['DocumentsToApply'],
};

function hashKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function toMs(since: Since): number | undefined {
  if (since === undefined) return undefined;
  const ms = since instanceof Date ? since.getTime() : since;
  if (!Number.isFinite(ms)) throw new RangeError('since must be a valid time');
  return ms;
}

function invalidConnection(issues: string): ConnectorError {
  return new ConnectorError({ kind: 'config', code: 'acumatica.invalid_connection', message: `Acumatica connection is invalid: ${issues}` });
}

export class AcumaticaClient {
  readonly clock: Clock;
  readonly endpoint: Endpoint;
  readonly tenant: string | undefined;
  readonly governor: RateGovernor;
  readonly credentials: AcumaticaOAuthCredentials | AcumaticaCookieSession;
  readonly system: SystemDefinition<AcumaticaAccount>;
  readonly http: HttpClient<AcumaticaAccount>;
  private readonly connection: AcumaticaConnection;
  private readonly lane: Lane;
  private readonly pageSize: number;
  private readonly maxWindowRecords: number;

  constructor(options: AcumaticaClientOptions) {
    const parsed = AcumaticaConnectionSchema.safeParse(options.connection);
    if (!parsed.success) {
      throw invalidConnection(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`).join('; '));
    }
    const connection = parsed.data;
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 3 || pageSize > 10_000) {
      throw new ConnectorError({ kind: 'config', code: 'acumatica.invalid_page_size', message: 'pageSize must be a whole number from 3 to 10000' });
    }
    this.connection = connection;
    this.clock = options.clock ?? systemClock;
    this.endpoint = { name: connection.endpointName, version: connection.endpointVersion };
    this.tenant = tenantOf(connection);
    this.lane = options.lane ?? 'background';
    this.pageSize = pageSize;
    this.maxWindowRecords = options.maxWindowRecords ?? pageSize * 10;
    this.system = defineAcumaticaSystem(this.clock);
    const account: AcumaticaAccount = {
      requestsPerMinute: connection.requestsPerMinute ?? DEFAULT_ACUMATICA_ACCOUNT.requestsPerMinute,
      concurrentRequests: connection.concurrentRequests ?? DEFAULT_ACUMATICA_ACCOUNT.concurrentRequests,
    };
    this.governor =
      options.governor ??
      acumaticaGovernors.get(
        'acumatica',
        // §7: the license's limits hold for the tenant, whoever signs in.
        hashKey(connection.baseUrl, this.tenant ?? ''),
        () =>
          new RateGovernor({
            windows: this.system.rateWindows(account),
            maxConcurrency: account.concurrentRequests,
            clock: this.clock,
          }),
      );
    this.credentials = this.makeCredentials(connection, options);
    this.http = new HttpClient({
      system: this.system,
      baseUrl: connection.baseUrl,
      credentials: this.credentials,
      governor: this.governor,
      clock: this.clock,
      ...(options.random ? { random: options.random } : {}),
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
    });
  }

  private makeCredentials(connection: AcumaticaConnection, options: AcumaticaClientOptions): AcumaticaOAuthCredentials | AcumaticaCookieSession {
    if (connection.auth === 'cookie') {
      return new AcumaticaCookieSession({
        baseUrl: connection.baseUrl,
        username: connection.username!,
        password: connection.password!,
        tenant: this.tenant!,
        ...(connection.branch ? { branch: connection.branch } : {}),
      });
    }
    const registry = options.credentialRegistry ?? acumaticaCredentials;
    const identity = {
      baseUrl: connection.baseUrl,
      clientId: connection.clientId!,
      clientSecret: connection.clientSecret!,
      ...(connection.username ? { username: connection.username, password: connection.password! } : {}),
      ...(connection.refreshToken ? { refreshToken: connection.refreshToken } : {}),
      ...(options.credentialKey ? { credentialKey: options.credentialKey } : {}),
    };
    const credential = registry.get(
      identity,
      () =>
        new AcumaticaOAuthCredentials({
          baseUrl: connection.baseUrl,
          clientId: connection.clientId!,
          clientSecret: connection.clientSecret!,
          ...(connection.username ? { username: connection.username, password: connection.password! } : {}),
          ...(connection.refreshToken ? { refreshToken: connection.refreshToken } : {}),
          clock: this.clock,
        }),
    );
    if (options.onRotate) credential.setRotationHandler(options.onRotate);
    return credential;
  }

  /** The access source this client signs its calls with. */
  get credentialSource(): CredentialSource {
    return this.credentials;
  }

  // ------------------------------------------------------------ transport

  /**
   * Sends a request relative to the instance URL. A 404 for the pinned
   * endpoint becomes a config error naming the versions the instance serves.
   */
  async request(request: HttpRequest): Promise<HttpResponse> {
    // Fetching the token before the governor hands out a permit keeps token failures out of the attempt loop.
    if (this.credentials instanceof AcumaticaOAuthCredentials) await this.credentials.token();
    try {
      return await this.http.request({ lane: this.lane, ...request });
    } catch (error) {
      if (isConnectorError(error) && error.code === ENDPOINT_MISMATCH_CODE) throw await this.explainEndpointMismatch(error);
      throw error;
    }
  }

  private async explainEndpointMismatch(error: ConnectorError): Promise<ConnectorError> {
    const pinned = endpointLabel(this.endpoint);
    let discovery: EndpointDiscovery;
    try {
      discovery = await this.discoverEndpoints();
    } catch {
      return new ConnectorError({
        kind: 'config',
        code: ENDPOINT_MISMATCH_CODE,
        message: `${error.message}; GET /entity, which lists the endpoints the instance serves, did not answer either: check baseUrl and endpointVersion`,
        details: { ...error.details, pinned },
      });
    }
    const served = discovery.endpoints.map((e) => endpointLabel(e));
    const build = discovery.version?.acumaticaBuildVersion;
    if (served.includes(pinned)) {
      return new ConnectorError({
        kind: 'config',
        code: 'acumatica.entity_not_in_endpoint',
        message: `Acumatica serves ${pinned} but it has no entity ${String(error.details.entity)} (a custom endpoint without it?)`,
        details: { ...error.details, pinned, served },
      });
    }
    const sameName = discovery.endpoints.filter((e) => e.name === this.endpoint.name).map((e) => e.version);
    return new ConnectorError({
      kind: 'config',
      code: ENDPOINT_MISMATCH_CODE,
      message:
        `Acumatica does not serve the endpoint ${pinned} pinned in this connection; the instance${build ? ` (build ${build})` : ''} serves ${served.join(', ') || 'no endpoints'}. ` +
        `Pin one of ${sameName.length > 0 ? sameName.map((v) => `${this.endpoint.name}/${v}`).join(', ') : 'those'} in the connection's endpointName/endpointVersion (check the field mapping against that contract first).`,
      details: { ...error.details, pinned, served, build },
    });
  }

  /** Sends a request, unwraps the value objects and checks each record against its schema. */
  async call<S extends z.ZodType>(schema: S, request: HttpRequest): Promise<z.infer<S>> {
    const response = await this.request(request);
    return this.parse(schema, unwrapEntity(response.json), request, response.status);
  }

  private parse<S extends z.ZodType>(schema: S, plain: unknown, request: HttpRequest, status: number): z.infer<S> {
    const parsed = schema.safeParse(plain);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new ConnectorError({
      kind: 'system',
      code: 'acumatica.unexpected_response',
      message: `Acumatica ${request.method} ${request.path} answered ${status} with a record we did not expect (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
      details: { status },
    });
  }

  private async listPage<S extends z.ZodType>(schema: S, request: HttpRequest): Promise<{ items: Array<z.infer<S>>; serverTime: number | undefined }> {
    const response = await this.request(request);
    if (!Array.isArray(response.json)) {
      throw new ConnectorError({
        kind: 'system',
        code: 'acumatica.unexpected_response',
        message: `Acumatica ${request.method} ${request.path} answered ${response.status} without the JSON array of records a list returns`,
        details: { status: response.status },
      });
    }
    const date = response.headers.get('date');
    const serverTime = date === null ? undefined : Date.parse(date);
    return {
      items: response.json.map((raw) => this.parse(schema, unwrapEntity(raw), request, response.status)),
      serverTime: serverTime === undefined || Number.isNaN(serverTime) ? undefined : serverTime,
    };
  }

  private entityPath(entity: EntityName, keys: readonly (string | number)[] = []): string {
    return entityPath(this.endpoint, entity, keys);
  }

  // ------------------------------------------------------------ discovery and ping (§1)

  /** `GET <instance>/entity`: the build and the endpoints the instance serves. */
  async discoverEndpoints(): Promise<EndpointDiscovery> {
    const response = await this.request({ method: 'GET', path: DISCOVERY_PATH, maxAttempts: 3 });
    return this.parse(EndpointDiscovery, response.json, { method: 'GET', path: DISCOVERY_PATH }, response.status);
  }

  /**
   * What "connections test" shows: that the credential works, that the
   * instance serves the pinned endpoint, and that each entity the flows read
   * can be read (one record each). Expected failures come back as checks.
   */
  async ping(): Promise<PingResult> {
    const checks: PingCheck[] = [];
    const failed = (error: unknown) => {
      if (!isConnectorError(error)) throw error;
      return error;
    };
    try {
      if (this.credentials instanceof AcumaticaOAuthCredentials) {
        await this.credentials.token();
        checks.push({ name: 'token', ok: true, detail: 'the identity server issued an access token' });
      } else {
        await this.credentials.authorize();
        checks.push({ name: 'token', ok: true, detail: 'the cookie login opened a session' });
      }
    } catch (error) {
      const e = failed(error);
      checks.push({ name: 'token', ok: false, detail: e.message, error: e.toJSON() });
      return { ok: false, servedEndpoints: undefined, checks };
    }

    const pinned = endpointLabel(this.endpoint);
    let servedEndpoints: string[] | undefined;
    try {
      const discovery = await this.discoverEndpoints();
      servedEndpoints = discovery.endpoints.map((e) => endpointLabel(e));
      const ok = servedEndpoints.includes(pinned);
      checks.push({
        name: 'endpoint',
        ok,
        detail: ok ? `the instance serves ${pinned}` : `the instance does not serve ${pinned}; it serves ${servedEndpoints.join(', ') || 'no endpoints'}`,
      });
      if (!ok) return { ok: false, servedEndpoints, checks };
    } catch (error) {
      const e = failed(error);
      checks.push({ name: 'endpoint', ok: false, detail: e.message, error: e.toJSON() });
    }

    for (const entity of ['Customer', 'Contact', 'SalesInvoice', 'Payment'] as const) {
      try {
        await this.request({ method: 'GET', path: this.entityPath(entity), query: { $top: 1 }, lane: 'interactive' });
        checks.push({ name: `read:${entity}`, ok: true, detail: `GET ${entity} answered` });
      } catch (error) {
        const e = failed(error);
        checks.push({ name: `read:${entity}`, ok: false, detail: e.message, error: e.toJSON() });
        if (e.kind === 'config') break;
      }
    }
    return { ok: checks.every((c) => c.ok), servedEndpoints, checks };
  }

  // ------------------------------------------------------------ lists (§5)

  private listQuery(options: ListOptions, top: number, skip: number): Record<string, QueryValue> {
    return {
      $filter: options.filter,
      $expand: options.expand && options.expand.length > 0 ? options.expand.join(',') : undefined,
      $select: options.select && options.select.length > 0 ? options.select.join(',') : undefined,
      $top: top,
      $skip: skip > 0 ? skip : undefined,
    };
  }

  /**
   * Every record matching `options.filter`, page by page with `$top` and
   * `$skip` until a short page (§5: no total count exists). The order is the
   * server's, which the reference leaves unspecified.
   */
  async *list<S extends z.ZodType>(entity: EntityName, schema: S, options: ListOptions = {}): AsyncGenerator<z.infer<S>> {
    const top = options.pageSize ?? this.pageSize;
    for (let skip = 0; ; skip += top) {
      const page = await this.listPage(schema, { method: 'GET', path: this.entityPath(entity), query: this.listQuery(options, top, skip) });
      yield* page.items;
      if (page.items.length < top) return;
    }
  }

  listCustomers(options: ListOptions = {}): AsyncGenerator<Customer> {
    return this.list('Customer', Customer, { expand: READER_EXPANDS.Customer, ...options });
  }

  listContacts(options: ListOptions = {}): AsyncGenerator<Contact> {
    return this.list('Contact', Contact, { expand: READER_EXPANDS.Contact, ...options });
  }

  // ------------------------------------------------------------ incremental readers

  private modifiedSince<T extends { LastModifiedDateTime: string }>(
    entity: EntityName,
    schema: z.ZodType<T>,
    name: string,
    idOf: (item: T) => string,
    since: Since,
  ): AsyncGenerator<ModifiedRecord<T>> {
    const modifiedOf = (item: T) => {
      const ms = parseAcumaticaDateTime(item.LastModifiedDateTime);
      if (ms === undefined) {
        throw new ConnectorError({
          kind: 'system',
          code: 'acumatica.bad_timestamp',
          message: `Acumatica returned ${name} ${idOf(item)} with an unreadable LastModifiedDateTime "${item.LastModifiedDateTime.slice(0, 40)}"`,
        });
      }
      return ms;
    };
    const filterOf = (window: WindowRequest): string | undefined => {
      // §5: `LastModifiedDateTime gt datetimeoffset'…'`, value URL-encoded (the HTTP core encodes the query).
      const parts: string[] = [];
      if (window.from !== undefined) parts.push(`LastModifiedDateTime ge ${dateTimeOffsetLiteral(window.from)}`);
      if (window.to !== undefined) parts.push(`LastModifiedDateTime lt ${dateTimeOffsetLiteral(window.to)}`);
      return parts.length > 0 ? parts.join(' and ') : undefined;
    };
    return readModifiedSince<T>(
      {
        name,
        idOf,
        modifiedOf,
        fetchPage: (window) =>
          this.listPage(schema, {
            method: 'GET',
            path: this.entityPath(entity),
            query: this.listQuery({ filter: filterOf(window), expand: READER_EXPANDS[entity] }, window.top, window.skip),
          }),
      },
      { since: toMs(since), pageSize: this.pageSize, maxWindowRecords: this.maxWindowRecords, clock: this.clock },
    );
  }

  /** Customers (with MainContact, BillingContact and their addresses) modified at or after `since`, oldest first. */
  customersModifiedSince(since?: Since): AsyncGenerator<ModifiedRecord<Customer>> {
    return this.modifiedSince('Customer', Customer, 'customers', (c) => c.CustomerID, since);
  }

  /** Contacts (with Address) modified at or after `since`, oldest first; `id` is the ContactID as text. */
  contactsModifiedSince(since?: Since): AsyncGenerator<ModifiedRecord<Contact>> {
    return this.modifiedSince('Contact', Contact, 'contacts', (c) => String(c.ContactID), since);
  }

  /** Sales invoices with their Details lines, modified at or after `since`, oldest first; `id` is `<Type>/<ReferenceNbr>`. */
  invoicesModifiedSince(since?: Since): AsyncGenerator<ModifiedRecord<SalesInvoice>> {
    return this.modifiedSince('SalesInvoice', SalesInvoice, 'sales invoices', (i) => documentKey(i.Type, i.ReferenceNbr), since);
  }

  /** Payments with DocumentsToApply, modified at or after `since`, oldest first; `id` is `<Type>/<ReferenceNbr>`. */
  paymentsModifiedSince(since?: Since): AsyncGenerator<ModifiedRecord<Payment>> {
    return this.modifiedSince('Payment', Payment, 'payments', (p) => documentKey(p.Type, p.ReferenceNbr), since);
  }

  // ------------------------------------------------------------ single records (§3, §4)

  /** One customer by CustomerID, with its contacts and addresses expanded. */
  async getCustomer(customerId: string): Promise<Customer> {
    return this.call(Customer, {
      method: 'GET',
      path: this.entityPath('Customer', [customerId]),
      query: { $expand: READER_EXPANDS.Customer.join(',') },
    });
  }

  async getContact(contactId: number): Promise<Contact> {
    return this.call(Contact, { method: 'GET', path: this.entityPath('Contact', [contactId]), query: { $expand: READER_EXPANDS.Contact.join(',') } });
  }

  /** One sales invoice by type and reference number, with its lines. */
  async getInvoice(type: string, referenceNbr: string): Promise<SalesInvoice> {
    return this.call(SalesInvoice, {
      method: 'GET',
      path: this.entityPath('SalesInvoice', [type, referenceNbr]),
      query: { $expand: READER_EXPANDS.SalesInvoice.join(',') },
    });
  }

  async getPayment(type: string, referenceNbr: string): Promise<Payment> {
    return this.call(Payment, {
      method: 'GET',
      path: this.entityPath('Payment', [type, referenceNbr]),
      query: { $expand: READER_EXPANDS.Payment.join(',') },
    });
  }

  // ------------------------------------------------------------ writes (§4)

  private async put<S extends z.ZodType>(entity: EntityName, schema: S, body: Record<string, unknown>, expand: readonly string[], createOnly: boolean): Promise<z.infer<S>> {
    return this.call(schema, {
      method: 'PUT',
      path: this.entityPath(entity),
      body: wrapEntity(body),
      query: { $expand: expand.length > 0 ? expand.join(',') : undefined },
      // §4: If-None-Match: * creates only (412 when the record exists).
      ...(createOnly ? { headers: { 'if-none-match': '*' } } : {}),
    });
  }

  /**
   * Creates a customer (PUT, §4). With a CustomerID the PUT is an upsert by
   * that key, so a retry after an uncertain outcome updates instead of
   * doubling; `createOnly` refuses an existing one (conflict).
   */
  async createCustomer(input: CustomerCreate, options: { createOnly?: boolean } = {}): Promise<Customer> {
    const body = CustomerCreate.parse(input);
    return this.put('Customer', Customer, body, READER_EXPANDS.Customer, options.createOnly ?? false);
  }

  /** Creates a contact of a business account (PUT, §4); the answer carries the new ContactID. */
  async createContact(input: ContactCreate): Promise<Contact> {
    const body = ContactCreate.parse(input);
    return this.put('Contact', Contact, body, READER_EXPANDS.Contact, false);
  }

  /** §6b: ends a cookie session (nothing to do for OAuth, whose sessions end with the token). */
  async logout(): Promise<void> {
    if (this.credentials instanceof AcumaticaCookieSession) await this.credentials.logout();
  }
}
