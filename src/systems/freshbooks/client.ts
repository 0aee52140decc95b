/**
 * The FreshBooks client: typed calls over the HTTP core on both path
 * families (reference/freshbooks.md §3–§8): the identity call, the
 * account-scoped accounting resources under `/accounting/account/<accountId>`
 * in their `{"response": {"result": …}}` envelope, the business-scoped chart
 * of accounts under `/accounting/businesses/<business_uuid>` in its
 * `{"data": …}` envelope, and the webhook callbacks under
 * `/events/account/<accountId>`. Lists page with `page`/`per_page` and read
 * in ascending `updated` order (updated-since.ts). Tokens come from the
 * per-connection credential (oauth.ts): refreshed on a 401, one refresh at a
 * time, the rotated refresh token handed to `onRotate`.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError, isConnectorError, type SerializedError } from '../../core/errors.ts';
import type { RandomSource } from '../../http/backoff.ts';
import { HttpClient, type AttemptEvent, type HttpResponse } from '../../http/http-client.ts';
import { GovernorRegistry, RateGovernor, type Lane } from '../../http/rate-governor.ts';
import type { HttpRequest, QueryValue, SystemDefinition } from '../../http/system-definition.ts';
import { FreshBooksConnectionSchema, type FreshBooksConnection, type FreshBooksConnectionInput } from './connection.ts';
import { DEFAULT_FRESHBOOKS_ACCOUNT, defineFreshBooksSystem, type FreshBooksAccount } from './definition.ts';
import { MAX_PER_PAGE } from './limits.ts';
import { freshbooksCredentials, FreshBooksOAuthCredentials, type FreshBooksCredentialRegistry, type RotationHandler } from './oauth.ts';
import { accountingPath, callbacksPath, IDENTITY_PATH, ledgerAccountsPath, type AccountingResource } from './paths.ts';
import {
  CallbackListResponse,
  CallbackResponse,
  ClientListResponse,
  ClientResponse,
  IdentityResponse,
  InvoiceListResponse,
  InvoiceResponse,
  LedgerAccountListResponse,
  PaymentListResponse,
  PaymentResponse,
  type Business,
  type Callback,
  type Client,
  type ClientCreate,
  type ClientUpdate,
  type Identity,
  type Invoice,
  type InvoiceCreate,
  type InvoiceUpdate,
  type LedgerAccount,
  type Payment,
  type PaymentCreate,
  type PaymentUpdate,
} from './schemas.ts';
import { easternDate, parseEasternTimestamp } from './timestamps.ts';
import { readUpdatedSince, type PageRequest, type UpdatedRecord } from './updated-since.ts';

export type { UpdatedRecord } from './updated-since.ts';

export interface FreshBooksClientOptions {
  /** What `connections add freshbooks --config` took (validated again here). */
  connection: FreshBooksConnectionInput;
  clock?: Clock;
  /** Told every new (rotated) refresh token: store it with the connection. */
  onRotate?: RotationHandler;
  onAttempt?: (event: AttemptEvent) => void;
  /** Records per list page, 3 to 100 (§5: capped at 100). Default 100. */
  perPage?: number;
  /** Default lane for this client's calls: tools and connection tests are interactive. */
  lane?: Lane;
  random?: RandomSource;
  /** Share one governor per account across clients; defaults to the process-wide registry. */
  governor?: RateGovernor;
  /** Where credentials are shared per connection; defaults to the process-wide registry. */
  credentialRegistry?: FreshBooksCredentialRegistry;
  /** The app's id of the stored connection: the surest way to share one credential among its clients. */
  credentialKey?: string;
}

export interface ListOptions {
  /** Only records updated at or after this instant (epoch ms or a Date). */
  updatedSince?: number | Date;
  /** Deleted records (`vis_state` 1) too; lists leave them out by default. */
  includeDeleted?: boolean;
}

/** One thing `ping()` checked. */
export interface PingCheck {
  name: 'token' | 'identity' | 'read:account' | 'read:business';
  ok: boolean;
  detail: string;
  error?: SerializedError;
}

export interface PingResult {
  ok: boolean;
  /** The business `users/me` names for the connection's account, when it answered. */
  business: { id: number; name: string; accountId: string; businessUuid: string } | undefined;
  checks: PingCheck[];
}

/** One governor per FreshBooks account in this process. */
export const freshbooksGovernors = new GovernorRegistry();

function hashKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function toMs(since: number | Date | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = since instanceof Date ? since.getTime() : since;
  if (!Number.isFinite(ms)) throw new RangeError('updatedSince must be a valid time');
  return ms;
}

export class FreshBooksClient {
  readonly clock: Clock;
  readonly accountId: string;
  readonly businessUuid: string;
  readonly governor: RateGovernor;
  readonly credentials: FreshBooksOAuthCredentials;
  readonly system: SystemDefinition<FreshBooksAccount>;
  readonly http: HttpClient<FreshBooksAccount>;
  private readonly lane: Lane;
  private readonly perPage: number;

  constructor(options: FreshBooksClientOptions) {
    const parsed = FreshBooksConnectionSchema.safeParse(options.connection);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`).join('; ');
      throw new ConnectorError({ kind: 'config', code: 'freshbooks.invalid_connection', message: `FreshBooks connection is invalid: ${issues}` });
    }
    const connection = parsed.data;
    const perPage = options.perPage ?? MAX_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 3 || perPage > MAX_PER_PAGE) {
      throw new ConnectorError({ kind: 'config', code: 'freshbooks.invalid_per_page', message: `perPage must be a whole number from 3 to ${MAX_PER_PAGE}` });
    }
    this.clock = options.clock ?? systemClock;
    this.accountId = connection.accountId;
    this.businessUuid = connection.businessUuid;
    this.lane = options.lane ?? 'background';
    this.perPage = perPage;
    this.system = defineFreshBooksSystem(this.clock);
    const account: FreshBooksAccount = { requestsPerMinute: connection.requestsPerMinute ?? DEFAULT_FRESHBOOKS_ACCOUNT.requestsPerMinute };
    this.governor =
      options.governor ??
      freshbooksGovernors.get(
        'freshbooks',
        hashKey(connection.baseUrl, connection.accountId),
        () => new RateGovernor({ windows: this.system.rateWindows(account), maxConcurrency: this.system.maxConcurrency, clock: this.clock }),
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

  private makeCredentials(connection: FreshBooksConnection, options: FreshBooksClientOptions): FreshBooksOAuthCredentials {
    const registry = options.credentialRegistry ?? freshbooksCredentials;
    const credential = registry.get(
      {
        baseUrl: connection.baseUrl,
        clientId: connection.clientId,
        clientSecret: connection.clientSecret,
        refreshToken: connection.refreshToken,
        ...(options.credentialKey ? { credentialKey: options.credentialKey } : {}),
      },
      () =>
        new FreshBooksOAuthCredentials({
          baseUrl: connection.baseUrl,
          clientId: connection.clientId,
          clientSecret: connection.clientSecret,
          refreshToken: connection.refreshToken,
          ...(connection.redirectUri ? { redirectUri: connection.redirectUri } : {}),
          clock: this.clock,
        }),
    );
    if (options.onRotate) credential.setRotationHandler(options.onRotate);
    return credential;
  }

  // ------------------------------------------------------------ transport

  /** Sends a request relative to the API host. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    // Fetching the token before the governor hands out a permit keeps token failures out of the attempt loop.
    await this.credentials.token();
    return this.http.request({ lane: this.lane, ...request });
  }

  /** Sends a request and checks the answer against its schema. */
  async call<S extends z.ZodType>(schema: S, request: HttpRequest): Promise<z.infer<S>> {
    const response = await this.request(request);
    const parsed = schema.safeParse(response.json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new ConnectorError({
      kind: 'system',
      code: 'freshbooks.unexpected_response',
      message: `FreshBooks ${request.method} ${request.path} answered ${response.status} with a body we did not expect (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
      details: { status: response.status },
    });
  }

  // ------------------------------------------------------------ identity (§3)

  /** `GET /auth/api/v1/users/me`: the user, and the businesses (account ids, business uuids) they belong to. */
  async me(): Promise<Identity> {
    return (await this.call(IdentityResponse, { method: 'GET', path: IDENTITY_PATH })).response;
  }

  /** The business of this connection's account, as `users/me` lists it (undefined when the user is not a member). */
  async business(): Promise<Business | undefined> {
    const identity = await this.me();
    return identity.business_memberships.map((m) => m.business).find((b) => b.account_id === this.accountId);
  }

  /**
   * What "connections test" shows: that the refresh token works, that the
   * configured account and business belong to the user, and that one read
   * on each path family answers. Expected failures come back as checks.
   */
  async ping(): Promise<PingResult> {
    const checks: PingCheck[] = [];
    const failed = (error: unknown) => {
      if (!isConnectorError(error)) throw error;
      return error;
    };
    try {
      await this.credentials.token();
      checks.push({ name: 'token', ok: true, detail: 'the refresh token was exchanged for an access token (and the rotated one kept)' });
    } catch (error) {
      const e = failed(error);
      checks.push({ name: 'token', ok: false, detail: e.message, error: e.toJSON() });
      return { ok: false, business: undefined, checks };
    }

    let business: PingResult['business'];
    try {
      const identity = await this.me();
      const businesses = identity.business_memberships.map((m) => m.business);
      const found = businesses.find((b) => b.account_id === this.accountId);
      const known = businesses.map((b) => `${b.name}: accountId ${b.account_id ?? '(none)'}, businessUuid ${b.business_uuid}`).join('; ') || 'none';
      if (!found) {
        checks.push({ name: 'identity', ok: false, detail: `account ${this.accountId} is not one of this user's businesses (${known})` });
      } else if (found.business_uuid !== this.businessUuid) {
        checks.push({
          name: 'identity',
          ok: false,
          detail: `account ${this.accountId} belongs to business ${found.name} whose uuid is ${found.business_uuid}, not the configured ${this.businessUuid}`,
        });
      } else {
        business = { id: found.id, name: found.name, accountId: this.accountId, businessUuid: found.business_uuid };
        checks.push({ name: 'identity', ok: true, detail: `users/me: ${identity.email} belongs to ${found.name} (account ${this.accountId}, business ${found.business_uuid})` });
      }
    } catch (error) {
      const e = failed(error);
      checks.push({ name: 'identity', ok: false, detail: e.message, error: e.toJSON() });
    }

    const path = accountingPath(this.accountId, 'clients');
    try {
      const page = await this.call(ClientListResponse, { method: 'GET', path, query: { page: 1, per_page: 1 }, lane: 'interactive', maxAttempts: 2 });
      checks.push({ name: 'read:account', ok: true, detail: `GET ${path} answered (${page.response.result.total} clients)` });
    } catch (error) {
      const e = failed(error);
      checks.push({ name: 'read:account', ok: false, detail: e.message, error: e.toJSON() });
    }

    const ledger = ledgerAccountsPath(this.businessUuid);
    try {
      const accounts = await this.call(LedgerAccountListResponse, { method: 'GET', path: ledger, lane: 'interactive', maxAttempts: 2 });
      checks.push({ name: 'read:business', ok: true, detail: `GET ${ledger} answered (${accounts.data.length} ledger accounts)` });
    } catch (error) {
      const e = failed(error);
      checks.push({ name: 'read:business', ok: false, detail: e.message, error: e.toJSON() });
    }
    return { ok: checks.every((check) => check.ok), business, checks };
  }

  // ------------------------------------------------------------ lists (§5)

  private list<T extends { id: number; updated: string }>(
    resource: AccountingResource,
    read: (request: HttpRequest) => Promise<{ items: T[]; page: number; pages: number }>,
    options: ListOptions,
    extraQuery: Record<string, QueryValue> = {},
  ): AsyncGenerator<UpdatedRecord<T>> {
    const path = accountingPath(this.accountId, resource);
    const updatedOf = (item: T) => {
      const ms = parseEasternTimestamp(item.updated);
      if (ms === undefined) {
        throw new ConnectorError({
          kind: 'system',
          code: 'freshbooks.bad_timestamp',
          message: `FreshBooks returned ${resource} ${item.id} with an unreadable updated "${item.updated.slice(0, 40)}"`,
        });
      }
      return ms;
    };
    return readUpdatedSince<T>(
      {
        name: resource,
        idOf: (item) => String(item.id),
        updatedOf,
        fetchPage: (page: PageRequest) =>
          read({
            method: 'GET',
            path,
            query: {
              ...extraQuery,
              // §5: oldest change first (UNCERTAIN support, checked by the reader); updated_min is a day.
              sort: 'updated_asc',
              'search[updated_min]': page.updatedMin,
              ...(options.includeDeleted ? { 'search[vis_state][]': ['0', '1', '2'] } : {}),
              page: page.page,
              per_page: page.perPage,
            },
          }),
      },
      { ...(options.updatedSince === undefined ? {} : { since: toMs(options.updatedSince) }), perPage: this.perPage },
    );
  }

  /** Clients updated at or after `updatedSince`, oldest change first. */
  listClients(options: ListOptions = {}): AsyncGenerator<UpdatedRecord<Client>> {
    return this.list<Client>(
      'clients',
      async (request) => {
        const { result } = (await this.call(ClientListResponse, request)).response;
        return { items: result.clients, page: result.page, pages: result.pages };
      },
      options,
    );
  }

  /** Invoices updated at or after `updatedSince`, oldest change first, each with its lines (`include[]=lines`). */
  listInvoices(options: ListOptions = {}): AsyncGenerator<UpdatedRecord<Invoice>> {
    return this.list<Invoice>(
      'invoices',
      async (request) => {
        const { result } = (await this.call(InvoiceListResponse, request)).response;
        return { items: result.invoices, page: result.page, pages: result.pages };
      },
      options,
      { 'include[]': ['lines'] },
    );
  }

  /** Payments updated at or after `updatedSince`, oldest change first. */
  listPayments(options: ListOptions = {}): AsyncGenerator<UpdatedRecord<Payment>> {
    return this.list<Payment>(
      'payments',
      async (request) => {
        const { result } = (await this.call(PaymentListResponse, request)).response;
        return { items: result.payments, page: result.page, pages: result.pages };
      },
      options,
    );
  }

  // ------------------------------------------------------------ single records and writes (§4)

  async getClient(id: number | string): Promise<Client> {
    return (await this.call(ClientResponse, { method: 'GET', path: accountingPath(this.accountId, 'clients', id) })).response.result.client;
  }

  /** The invoice with its lines. */
  async getInvoice(id: number | string): Promise<Invoice> {
    return (await this.call(InvoiceResponse, { method: 'GET', path: accountingPath(this.accountId, 'invoices', id), query: { 'include[]': ['lines'] } }))
      .response.result.invoice;
  }

  async getPayment(id: number | string): Promise<Payment> {
    return (await this.call(PaymentResponse, { method: 'GET', path: accountingPath(this.accountId, 'payments', id) })).response.result.payment;
  }

  async createClient(client: ClientCreate): Promise<Client> {
    return (await this.call(ClientResponse, { method: 'POST', path: accountingPath(this.accountId, 'clients'), body: { client } })).response.result.client;
  }

  /** §4: an update is a PUT with the fields to change; `{vis_state: 1}` deletes. */
  async updateClient(id: number | string, client: ClientUpdate): Promise<Client> {
    return (await this.call(ClientResponse, { method: 'PUT', path: accountingPath(this.accountId, 'clients', id), body: { client } })).response.result.client;
  }

  /** Creates an invoice (with its lines); answers it with its lines. */
  async createInvoice(invoice: InvoiceCreate): Promise<Invoice> {
    return (
      await this.call(InvoiceResponse, {
        method: 'POST',
        path: accountingPath(this.accountId, 'invoices'),
        query: { 'include[]': ['lines'] },
        body: { invoice },
      })
    ).response.result.invoice;
  }

  async updateInvoice(id: number | string, invoice: InvoiceUpdate): Promise<Invoice> {
    return (
      await this.call(InvoiceResponse, {
        method: 'PUT',
        path: accountingPath(this.accountId, 'invoices', id),
        query: { 'include[]': ['lines'] },
        body: { invoice },
      })
    ).response.result.invoice;
  }

  /** Records a payment against one invoice (its outstanding amount drops). */
  async createPayment(payment: PaymentCreate): Promise<Payment> {
    return (await this.call(PaymentResponse, { method: 'POST', path: accountingPath(this.accountId, 'payments'), body: { payment } })).response.result.payment;
  }

  async updatePayment(id: number | string, payment: PaymentUpdate): Promise<Payment> {
    return (await this.call(PaymentResponse, { method: 'PUT', path: accountingPath(this.accountId, 'payments', id), body: { payment } })).response.result
      .payment;
  }

  // ------------------------------------------------------------ chart of accounts (§6)

  /** The business's ledger accounts (`/accounting/businesses/<business_uuid>/ledger_accounts/accounts`). */
  async listAccounts(): Promise<LedgerAccount[]> {
    return (await this.call(LedgerAccountListResponse, { method: 'GET', path: ledgerAccountsPath(this.businessUuid) })).data;
  }

  // ------------------------------------------------------------ webhook callbacks (§8)

  /**
   * Registers a callback. FreshBooks then POSTs a verification message with a
   * `verifier` to `uri`; the callback receives nothing until `verifyCallback`
   * sends that code back. Keep the verifier: it signs every later delivery.
   */
  async registerCallback(input: { event: string; uri: string }): Promise<Callback> {
    return (await this.call(CallbackResponse, { method: 'POST', path: callbacksPath(this.accountId), body: { callback: { event: input.event, uri: input.uri } } }))
      .response.result.callback;
  }

  /** Sends the verifier back: the callback becomes verified and receives events. */
  async verifyCallback(input: { callbackId: number | string; verifier: string }): Promise<Callback> {
    return (
      await this.call(CallbackResponse, { method: 'PUT', path: callbacksPath(this.accountId, input.callbackId), body: { callback: { verifier: input.verifier } } })
    ).response.result.callback;
  }

  /** Asks FreshBooks to send the verification message again. */
  async resendVerification(callbackId: number | string): Promise<Callback> {
    return (await this.call(CallbackResponse, { method: 'PUT', path: callbacksPath(this.accountId, callbackId), body: { callback: { resend: true } } })).response
      .result.callback;
  }

  async getCallback(callbackId: number | string): Promise<Callback> {
    return (await this.call(CallbackResponse, { method: 'GET', path: callbacksPath(this.accountId, callbackId) })).response.result.callback;
  }

  /** Every callback of the account (all pages). */
  async listCallbacks(): Promise<Callback[]> {
    const callbacks: Callback[] = [];
    for (let page = 1; ; page++) {
      const { result } = (
        await this.call(CallbackListResponse, { method: 'GET', path: callbacksPath(this.accountId), query: { page, per_page: MAX_PER_PAGE } })
      ).response;
      callbacks.push(...result.callbacks);
      if (result.page >= result.pages || result.callbacks.length === 0) return callbacks;
    }
  }

  async deleteCallback(callbackId: number | string): Promise<void> {
    await this.request({ method: 'DELETE', path: callbacksPath(this.accountId, callbackId) });
  }

  /** The Eastern day an `updatedSince` falls on: what `search[updated_min]` is sent as (§5). */
  static updatedMinFor(since: number | Date): string {
    return easternDate(toMs(since)!);
  }
}
