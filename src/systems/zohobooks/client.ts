/**
 * The Zoho Books client: typed calls over the HTTP core, routed to the data
 * centre the token response names (`api_domain` + `/books/v3`, reference §1)
 * with `organization_id` on every call (§3), and incremental readers that
 * page in ascending `last_modified_time` order (modified-since.ts).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError, isConnectorError, type SerializedError } from '../../core/errors.ts';
import type { RandomSource } from '../../http/backoff.ts';
import { HttpClient, type AttemptEvent, type HttpResponse } from '../../http/http-client.ts';
import { GovernorRegistry, RateGovernor, type Lane } from '../../http/rate-governor.ts';
import type { HttpRequest, SystemDefinition } from '../../http/system-definition.ts';
import { ZohoBooksConnectionSchema, type ZohoBooksConnection, type ZohoBooksConnectionInput } from './connection.ts';
import { BOOKS_API_PATH } from './data-centres.ts';
import { defineZohoBooksSystem, type ZohoBooksAccount } from './definition.ts';
import { MAX_PER_PAGE, ZOHO_PLAN_LIMITS, type ZohoPlan } from './limits.ts';
import { readModifiedSince, type ModifiedRecord, type PageRequest } from './modified-since.ts';
import { ZohoOAuthCredentials } from './oauth.ts';
import {
  ContactListResponse,
  ContactPersonListResponse,
  ContactPersonResponse,
  ContactResponse,
  InvoiceListResponse,
  InvoiceResponse,
  OrganizationListResponse,
  PaymentListResponse,
  PaymentResponse,
  type Contact,
  type ContactCreate,
  type ContactPerson,
  type ContactPersonCreate,
  type ContactPersonUpdate,
  type ContactSummary,
  type ContactUpdate,
  type CustomerPayment,
  type Invoice,
  type InvoiceCreate,
  type InvoiceSummary,
  type InvoiceUpdate,
  type Organization,
  type PaymentCreate,
  type PaymentSummary,
  type PaymentUpdate,
} from './schemas.ts';
import { formatZohoTimestamp, parseZohoTimestamp } from './timestamps.ts';
import type { ZohoModule } from './scopes.ts';

export type { ModifiedRecord } from './modified-since.ts';

export interface ZohoBooksClientOptions {
  /** What `connections add zohobooks --config` took (validated again here). */
  connection: ZohoBooksConnectionInput;
  /** The organization's plan sets the daily limit and the concurrency (§7). Default `professional`. */
  plan?: ZohoPlan;
  /** Overrides the plan's daily limit (purchased extra calls, a benchmark sandbox). */
  dailyLimit?: number;
  /** Overrides Zoho's 100 requests per minute: only for a sandbox set up with a higher limit (benchmarks). */
  perMinuteLimit?: number;
  /** Records per list page, at most 200 (§5). Default 200. */
  perPage?: number;
  /** Default lane for this client's calls: tools and connection tests are interactive. */
  lane?: Lane;
  clock?: Clock;
  random?: RandomSource;
  /** Share one governor per organization across clients; defaults to the process-wide registry. */
  governor?: RateGovernor;
  /** Share one credential (and its refreshes) across clients of the same connection. */
  credentials?: ZohoOAuthCredentials;
  onAttempt?: (event: AttemptEvent) => void;
}

/** One thing `ping()` checked. */
export interface PingCheck {
  name: 'token' | 'organization' | `scope:${ZohoModule}`;
  ok: boolean;
  detail: string;
  error?: SerializedError;
}

export interface PingResult {
  ok: boolean;
  /** The API host the token response named. */
  apiDomain: string | undefined;
  organization: { id: string; name: string; currencyCode: string | undefined; timeZone: string | undefined } | undefined;
  checks: PingCheck[];
}

export type Since = Date | number | undefined;

/** One governor per Zoho Books organization in this process (SPEC §3). */
export const zohoBooksGovernors = new GovernorRegistry();

function accountKey(connection: ZohoBooksConnection): string {
  // §7: the limits are per organization. Hashed so that no identifier leaks into metrics keys.
  return createHash('sha256').update(`${connection.accountsUrl}\u0000${connection.organizationId}`).digest('hex').slice(0, 16);
}

function toMs(since: Since): number | undefined {
  if (since === undefined) return undefined;
  const ms = since instanceof Date ? since.getTime() : since;
  if (!Number.isFinite(ms)) throw new RangeError('since must be a valid time');
  return ms;
}

export class ZohoBooksClient {
  readonly clock: Clock;
  readonly governor: RateGovernor;
  readonly credentials: ZohoOAuthCredentials;
  readonly organizationId: string;
  readonly system: SystemDefinition<ZohoBooksAccount>;
  private readonly lane: Lane;
  private readonly perPage: number;
  private readonly random: RandomSource | undefined;
  private readonly onAttempt: ((event: AttemptEvent) => void) | undefined;
  private http: { apiDomain: string; client: HttpClient<ZohoBooksAccount> } | undefined;

  constructor(options: ZohoBooksClientOptions) {
    const parsed = ZohoBooksConnectionSchema.safeParse(options.connection);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`).join('; ');
      throw new ConnectorError({ kind: 'config', code: 'zohobooks.invalid_connection', message: `Zoho Books connection is invalid: ${issues}` });
    }
    const connection = parsed.data;
    const perPage = options.perPage ?? MAX_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 3 || perPage > MAX_PER_PAGE) {
      throw new ConnectorError({ kind: 'config', code: 'zohobooks.invalid_per_page', message: `perPage must be a whole number from 3 to ${MAX_PER_PAGE}` });
    }
    this.clock = options.clock ?? systemClock;
    this.organizationId = connection.organizationId;
    this.lane = options.lane ?? 'background';
    this.perPage = perPage;
    this.random = options.random;
    this.onAttempt = options.onAttempt;
    this.system = defineZohoBooksSystem(this.clock);
    const plan = options.plan ?? 'professional';
    const account: ZohoBooksAccount = {
      plan,
      ...(options.dailyLimit === undefined ? {} : { dailyLimit: options.dailyLimit }),
      ...(options.perMinuteLimit === undefined ? {} : { perMinuteLimit: options.perMinuteLimit }),
    };
    this.governor =
      options.governor ??
      zohoBooksGovernors.get(
        'zohobooks',
        accountKey(connection),
        () =>
          new RateGovernor({
            windows: this.system.rateWindows(account),
            // §7: 5 in process on Free, 10 on paid plans.
            maxConcurrency: Math.min(this.system.maxConcurrency, ZOHO_PLAN_LIMITS[plan].concurrency),
            clock: this.clock,
          }),
      );
    this.credentials =
      options.credentials ??
      new ZohoOAuthCredentials({
        accountsUrl: connection.accountsUrl,
        clientId: connection.clientId,
        clientSecret: connection.clientSecret,
        refreshToken: connection.refreshToken,
        clock: this.clock,
      });
  }

  /** The HTTP client for the data centre of the current token (created again if `api_domain` changes). */
  private async httpClient(): Promise<HttpClient<ZohoBooksAccount>> {
    // Fetching the token here, before the governor hands out a permit, keeps token failures out of the attempt loop.
    const { apiDomain } = await this.credentials.token();
    if (this.http?.apiDomain !== apiDomain) {
      this.http = {
        apiDomain,
        client: new HttpClient({
          system: this.system,
          baseUrl: `${apiDomain}${BOOKS_API_PATH}`,
          credentials: this.credentials,
          governor: this.governor,
          clock: this.clock,
          ...(this.random ? { random: this.random } : {}),
          ...(this.onAttempt ? { onAttempt: this.onAttempt } : {}),
        }),
      };
    }
    return this.http.client;
  }

  /** Sends a request to `/books/v3<path>` with `organization_id` (§3). */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const full: HttpRequest = { lane: this.lane, ...request, query: { ...request.query, organization_id: this.organizationId } };
    const client = await this.httpClient();
    try {
      return await client.request(full);
    } catch (error) {
      // A refresh during the call may have named another data centre (the organization moved): go there once.
      if (isConnectorError(error) && error.kind === 'auth' && this.credentials.apiDomain !== this.http?.apiDomain) {
        return (await this.httpClient()).request(full);
      }
      throw error;
    }
  }

  /** Sends a request and checks the answer against its schema. */
  async call<S extends z.ZodType>(schema: S, request: HttpRequest): Promise<z.infer<S>> {
    const response = await this.request(request);
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConnectorError({
        kind: 'system',
        code: 'zohobooks.unexpected_response',
        message: `Zoho Books ${request.method} ${request.path} answered ${response.status} with a body we did not expect (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
        details: { status: response.status },
      });
    }
    return parsed.data;
  }

  // ------------------------------------------------------------ organizations (§3)

  async listOrganizations(): Promise<Organization[]> {
    // GET /organizations is the one call that needs no organization_id; sending it does no harm.
    return (await this.call(OrganizationListResponse, { method: 'GET', path: '/organizations' })).organizations;
  }

  /**
   * What "connections test" shows: that the refresh token works, that the
   * organization exists for this user, and which scopes the token carries
   * (probed with one-record reads). Expected failures come back as checks.
   */
  async ping(): Promise<PingResult> {
    const checks: PingCheck[] = [];
    const failed = (error: unknown) => (isConnectorError(error) ? error : undefined);
    try {
      await this.credentials.token();
      checks.push({ name: 'token', ok: true, detail: 'the refresh token was exchanged for an access token' });
    } catch (error) {
      const e = failed(error);
      if (!e) throw error;
      checks.push({ name: 'token', ok: false, detail: e.message, error: e.toJSON() });
      return { ok: false, apiDomain: undefined, organization: undefined, checks };
    }

    let organization: PingResult['organization'];
    let orgChecked = false;
    try {
      const organizations = await this.listOrganizations();
      checks.push({ name: 'scope:settings', ok: true, detail: 'GET /organizations answered' });
      const found = organizations.find((org) => org.organization_id === this.organizationId);
      orgChecked = true;
      if (found) {
        organization = { id: found.organization_id, name: found.name, currencyCode: found.currency_code, timeZone: found.time_zone };
        checks.push({ name: 'organization', ok: true, detail: `organization ${found.organization_id} (${found.name}) is reachable` });
      } else {
        const known = organizations.map((org) => org.organization_id).join(', ') || 'none';
        checks.push({
          name: 'organization',
          ok: false,
          detail: `organization ${this.organizationId} is not one of this user's organizations (${known})`,
        });
      }
    } catch (error) {
      const e = failed(error);
      if (!e) throw error;
      checks.push({ name: 'scope:settings', ok: false, detail: e.message, error: e.toJSON() });
    }

    for (const [module, path] of [
      ['contacts', '/contacts'],
      ['invoices', '/invoices'],
      ['customerpayments', '/customerpayments'],
    ] as const) {
      try {
        await this.request({ method: 'GET', path, query: { page: 1, per_page: 1 }, lane: 'interactive' });
        checks.push({ name: `scope:${module}`, ok: true, detail: `GET ${path} answered` });
        if (!orgChecked) {
          orgChecked = true;
          checks.push({ name: 'organization', ok: true, detail: `organization ${this.organizationId} answered GET ${path}` });
        }
      } catch (error) {
        const e = failed(error);
        if (!e) throw error;
        if (e.kind === 'config' && !orgChecked) {
          orgChecked = true;
          checks.push({ name: 'organization', ok: false, detail: e.message, error: e.toJSON() });
        } else {
          checks.push({ name: `scope:${module}`, ok: false, detail: e.message, error: e.toJSON() });
        }
      }
    }
    return { ok: checks.every((check) => check.ok), apiDomain: this.credentials.apiDomain, organization, checks };
  }

  // ------------------------------------------------------------ incremental readers (§5, §6)

  private modifiedSince<T extends { last_modified_time: string }>(
    name: string,
    path: string,
    idOf: (item: T) => string,
    fetchItems: (request: HttpRequest) => Promise<{ items: T[]; hasMore: boolean }>,
    since: Since,
    query: HttpRequest['query'] = {},
  ): AsyncGenerator<ModifiedRecord<T>> {
    const modifiedOf = (item: T) => {
      const ms = parseZohoTimestamp(item.last_modified_time);
      if (ms === undefined) {
        throw new ConnectorError({
          kind: 'system',
          code: 'zohobooks.bad_timestamp',
          message: `Zoho Books returned ${name} ${idOf(item)} with an unreadable last_modified_time "${item.last_modified_time.slice(0, 40)}"`,
        });
      }
      return ms;
    };
    return readModifiedSince<T>(
      {
        name,
        idOf,
        modifiedOf,
        fetchPage: (page: PageRequest) =>
          fetchItems({
            method: 'GET',
            path,
            query: {
              ...query,
              // Ascending by modification time, ties by id (§6; the filter means "at or after", UNCERTAIN).
              sort_column: 'last_modified_time',
              sort_order: 'A',
              last_modified_time: page.since === undefined ? undefined : formatZohoTimestamp(page.since, 0),
              page: page.page,
              per_page: page.perPage,
            },
          }),
      },
      { since: toMs(since), perPage: this.perPage },
    );
  }

  /** Contacts (customers by default) modified at or after `since`, oldest first. */
  contactsModifiedSince(since?: Since, options: { contactType?: 'customer' | 'vendor' | 'all' } = {}): AsyncGenerator<ModifiedRecord<ContactSummary>> {
    const contactType = options.contactType ?? 'customer';
    return this.modifiedSince<ContactSummary>(
      'contacts',
      '/contacts',
      (contact) => contact.contact_id,
      async (request) => {
        const page = await this.call(ContactListResponse, request);
        return { items: page.contacts, hasMore: page.page_context.has_more_page };
      },
      since,
      { contact_type: contactType === 'all' ? undefined : contactType },
    );
  }

  /** Invoices modified at or after `since`, oldest first (summaries without line items; §6.3). */
  invoicesModifiedSince(since?: Since): AsyncGenerator<ModifiedRecord<InvoiceSummary>> {
    return this.modifiedSince<InvoiceSummary>(
      'invoices',
      '/invoices',
      (invoice) => invoice.invoice_id,
      async (request) => {
        const page = await this.call(InvoiceListResponse, request);
        return { items: page.invoices, hasMore: page.page_context.has_more_page };
      },
      since,
    );
  }

  /** Every invoice of one customer (summaries), page by page: what a company's billing summary is computed from. */
  async *invoicesOfCustomer(customerId: string): AsyncGenerator<InvoiceSummary> {
    for (let page = 1; ; page++) {
      const answer = await this.call(InvoiceListResponse, {
        method: 'GET',
        path: '/invoices',
        query: { customer_id: customerId, page, per_page: this.perPage },
      });
      yield* answer.invoices;
      if (!answer.page_context.has_more_page) return;
    }
  }

  /** Customer payments modified at or after `since`, oldest first (summaries; `getPayment` has the applications). */
  paymentsModifiedSince(since?: Since): AsyncGenerator<ModifiedRecord<PaymentSummary>> {
    return this.modifiedSince<PaymentSummary>(
      'customer payments',
      '/customerpayments',
      (payment) => payment.payment_id,
      async (request) => {
        const page = await this.call(PaymentListResponse, request);
        return { items: page.customerpayments, hasMore: page.page_context.has_more_page };
      },
      since,
    );
  }

  // ------------------------------------------------------------ contacts and contact persons (§6.1, §6.2)

  /** The full contact, with its contact persons, addresses and website. */
  async getContact(id: string): Promise<Contact> {
    return (await this.call(ContactResponse, { method: 'GET', path: `/contacts/${encodeURIComponent(id)}` })).contact;
  }

  async createContact(body: ContactCreate): Promise<Contact> {
    return (await this.call(ContactResponse, { method: 'POST', path: '/contacts', body })).contact;
  }

  async updateContact(id: string, body: ContactUpdate): Promise<Contact> {
    return (await this.call(ContactResponse, { method: 'PUT', path: `/contacts/${encodeURIComponent(id)}`, body })).contact;
  }

  async listContactPersons(contactId: string): Promise<ContactPerson[]> {
    const persons: ContactPerson[] = [];
    for (let page = 1; ; page++) {
      const response = await this.call(ContactPersonListResponse, {
        method: 'GET',
        path: `/contacts/${encodeURIComponent(contactId)}/contactpersons`,
        query: { page, per_page: this.perPage },
      });
      persons.push(...response.contact_persons);
      if (!response.page_context.has_more_page) return persons;
    }
  }

  async createContactPerson(body: ContactPersonCreate): Promise<ContactPerson> {
    return (await this.call(ContactPersonResponse, { method: 'POST', path: '/contacts/contactpersons', body })).contact_person;
  }

  async updateContactPerson(id: string, body: ContactPersonUpdate): Promise<ContactPerson> {
    return (await this.call(ContactPersonResponse, { method: 'PUT', path: `/contacts/contactpersons/${encodeURIComponent(id)}`, body }))
      .contact_person;
  }

  // ------------------------------------------------------------ invoices (§6.3)

  /** The full invoice, with its line items. */
  async getInvoice(id: string): Promise<Invoice> {
    return (await this.call(InvoiceResponse, { method: 'GET', path: `/invoices/${encodeURIComponent(id)}` })).invoice;
  }

  async createInvoice(body: InvoiceCreate): Promise<Invoice> {
    return (await this.call(InvoiceResponse, { method: 'POST', path: '/invoices', body })).invoice;
  }

  async updateInvoice(id: string, body: InvoiceUpdate): Promise<Invoice> {
    return (await this.call(InvoiceResponse, { method: 'PUT', path: `/invoices/${encodeURIComponent(id)}`, body })).invoice;
  }

  // ------------------------------------------------------------ customer payments (§6.4)

  /** The full payment, with the invoices it was applied to. */
  async getPayment(id: string): Promise<CustomerPayment> {
    return (await this.call(PaymentResponse, { method: 'GET', path: `/customerpayments/${encodeURIComponent(id)}` })).payment;
  }

  async createPayment(body: PaymentCreate): Promise<CustomerPayment> {
    return (await this.call(PaymentResponse, { method: 'POST', path: '/customerpayments', body })).payment;
  }

  async updatePayment(id: string, body: PaymentUpdate): Promise<CustomerPayment> {
    return (await this.call(PaymentResponse, { method: 'PUT', path: `/customerpayments/${encodeURIComponent(id)}`, body })).payment;
  }
}
