/**
 * Zoho Accounts OAuth (reference/zohobooks.md §2): the credential source that
 * turns a long-lived refresh token into hour-long access tokens, and the
 * authorization-code exchange the connect flow uses.
 *
 * Secrets (client secret, refresh and access tokens) go into request bodies
 * and the Authorization header only; no error message or detail names them.
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import { singleFlight, type CredentialSource } from '../../http/credentials.ts';
import { HttpClient } from '../../http/http-client.ts';
import { requestOAuthToken, type TokenEndpoint, type TokenRequestOptions } from '../../http/oauth-token-request.ts';
import { RateGovernor } from '../../http/rate-governor.ts';
import { BOOKS_API_PATH } from './data-centres.ts';
import { defineZohoBooksSystem } from './definition.ts';
import { TOKEN_ERRORS } from './error-codes.ts';
import { OrganizationListResponse, TokenErrorBody, TokenResponse, type Organization } from './schemas.ts';

/** One access token and where to use it. */
export interface ZohoAccessToken {
  accessToken: string;
  /** `api_domain` from the token response: the data centre's API host (§1). */
  apiDomain: string;
  /** Epoch ms (the credential's clock) at which the token stops working. */
  expiresAt: number;
}

export interface ZohoTokenGrant extends ZohoAccessToken {
  /** Present on the authorization-code grant with access_type=offline. */
  refreshToken: string | undefined;
}

export interface ZohoClientCredentials {
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
}

export type { TokenRequestOptions };

const ACCOUNTS = 'Zoho Accounts';
const TOKEN_PATH = '/oauth/v2/token';

type Grant = 'refresh_token' | 'authorization_code';

function tokenRefusal(grant: Grant, error: string, status: number): ConnectorError {
  const details = { status, tokenError: error, grant };
  if (error === TOKEN_ERRORS.invalidCode) {
    return grant === 'refresh_token'
      ? new ConnectorError({
          kind: 'auth',
          code: 'zohobooks.refresh_token_revoked',
          message:
            'Zoho Accounts refused the refresh token (invalid_code): it was revoked, or deleted because the user created more than 20 refresh tokens. Re-authorize ml-connector for this Zoho Books organization (connect it again) to get a new refresh token.',
          details,
        })
      : new ConnectorError({
          kind: 'auth',
          code: 'zohobooks.invalid_authorization_code',
          message:
            'Zoho Accounts refused the authorization code (invalid_code): codes are valid for 60 seconds and only once, and the token call must go to the accounts server the redirect named. Start the authorization again.',
          details,
        });
  }
  if (error === TOKEN_ERRORS.invalidClient) {
    return new ConnectorError({
      kind: 'auth',
      code: 'zohobooks.invalid_client',
      message:
        'Zoho Accounts refused the client id or secret (invalid_client): check clientId and clientSecret, and that the client is enabled for this data centre (Multi-DC) at the accounts server configured.',
      details,
    });
  }
  if (error === TOKEN_ERRORS.invalidRedirectUri) {
    return new ConnectorError({
      kind: 'config',
      code: 'zohobooks.invalid_redirect_uri',
      message: 'Zoho Accounts refused the redirect URI (invalid_redirect_uri): it must be the one registered for the client and used in the authorization request.',
      details,
    });
  }
  return new ConnectorError({
    kind: 'auth',
    code: 'zohobooks.token_refused',
    message: `Zoho Accounts refused the token request (${error.slice(0, 80)}).`,
    details,
  });
}

/**
 * One call to `POST {accounts}/oauth/v2/token` with a form body (§2), retried
 * on network failures and 5xx. Zoho reports refusals as `{"error": ...}`,
 * with a 200 or a 400 (§2 UNCERTAIN), so both are read the same way.
 */
function requestToken(accountsUrl: string, grant: Grant, params: Record<string, string>, options: TokenRequestOptions): Promise<TokenResponse> {
  const endpoint: TokenEndpoint<TokenResponse> = {
    server: ACCOUNTS,
    url: `${accountsUrl.replace(/\/+$/, '')}${TOKEN_PATH}`,
    path: TOKEN_PATH,
    defaultTimeoutMs: 30_000,
    tokenResponse: TokenResponse,
    errorBody: TokenErrorBody,
    refusalsWithOkStatus: true,
    codes: { unavailable: 'zohobooks.accounts_unavailable', unexpected: 'zohobooks.unexpected_token_response' },
    refusal: (error, status) => tokenRefusal(grant, error, status),
  };
  return requestOAuthToken(endpoint, { ...params, grant_type: grant }, options);
}

function grantFrom(response: TokenResponse, now: number): ZohoTokenGrant {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    apiDomain: response.api_domain.replace(/\/+$/, ''),
    expiresAt: now + response.expires_in * 1000,
  };
}

/**
 * The consent URL (§2): comma-separated scopes, `access_type=offline` for a
 * refresh token and `prompt=consent` so that a second connect gets one too.
 */
export function buildAuthorizationUrl(input: {
  accountsUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
}): string {
  const url = new URL(`${input.accountsUrl.replace(/\/+$/, '')}/oauth/v2/auth`);
  url.searchParams.set('scope', input.scopes.join(','));
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  url.searchParams.set('state', input.state);
  return url.toString();
}

/**
 * Exchanges a grant code for tokens. Use the `accounts-server` the consent
 * redirect named, not a configured one: the code is only valid at its own
 * data centre's accounts server ([MDC], §2).
 */
export async function exchangeAuthorizationCode(
  input: ZohoClientCredentials & { code: string; redirectUri: string },
  options: TokenRequestOptions = {},
): Promise<ZohoTokenGrant> {
  const clock = options.clock ?? systemClock;
  const response = await requestToken(
    input.accountsUrl,
    'authorization_code',
    { code: input.code, client_id: input.clientId, client_secret: input.clientSecret, redirect_uri: input.redirectUri },
    options,
  );
  return grantFrom(response, clock.now());
}

/**
 * `GET /organizations` (§3) with the access token a code exchange just gave,
 * at the `api_domain` it named: which organizations the user granted, before
 * one is configured. One call, outside any organization's governor.
 */
export async function grantedOrganizations(grant: Pick<ZohoAccessToken, 'accessToken' | 'apiDomain'>, options: { clock?: Clock } = {}): Promise<Organization[]> {
  const clock = options.clock ?? systemClock;
  const system = defineZohoBooksSystem(clock);
  const http = new HttpClient({
    system,
    baseUrl: `${grant.apiDomain}${BOOKS_API_PATH}`,
    // §2: the header is `Zoho-oauthtoken`, not `Bearer`.
    credentials: { authorize: async () => ({ authorization: `Zoho-oauthtoken ${grant.accessToken}` }) },
    governor: new RateGovernor({ windows: system.rateWindows({ plan: 'free' }), maxConcurrency: 1, clock }),
    clock,
  });
  const response = await http.request({ method: 'GET', path: '/organizations', lane: 'interactive', maxAttempts: 3 });
  const parsed = OrganizationListResponse.safeParse(response.json);
  if (!parsed.success) {
    throw new ConnectorError({
      kind: 'system',
      code: 'zohobooks.unexpected_response',
      message: `Zoho Books GET /organizations answered ${response.status} with a body we did not expect`,
      details: { status: response.status },
    });
  }
  return parsed.data.organizations;
}

/** `POST {accounts}/oauth/v2/token/revoke?token=...` (§2): ends a refresh token and its access tokens. */
export async function revokeRefreshToken(accountsUrl: string, refreshToken: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const url = new URL(`${accountsUrl.replace(/\/+$/, '')}/oauth/v2/token/revoke`);
  url.searchParams.set('token', refreshToken);
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  await response.arrayBuffer();
  if (!response.ok) {
    throw new ConnectorError({
      kind: response.status >= 500 ? 'transient' : 'auth',
      code: 'zohobooks.revoke_failed',
      message: `${ACCOUNTS} answered ${response.status} to the revoke request`,
      details: { status: response.status },
    });
  }
}

export interface ZohoOAuthOptions extends ZohoClientCredentials, TokenRequestOptions {
  refreshToken: string;
  /** Refresh this long before the token's expiry, so no call goes out with a token about to lapse. */
  refreshMarginMs?: number;
}

/**
 * A CredentialSource for Zoho Books: exchanges the refresh token for an
 * access token on first use, refreshes before expiry and after a 401, one
 * refresh at a time, and remembers the `api_domain` each token names.
 */
export class ZohoOAuthCredentials implements CredentialSource {
  private readonly clock: Clock;
  private readonly marginMs: number;
  private current: ZohoAccessToken | undefined;
  private refreshCount = 0;
  private readonly refreshOnce: () => Promise<ZohoAccessToken>;

  constructor(private readonly options: ZohoOAuthOptions) {
    this.clock = options.clock ?? systemClock;
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.refreshOnce = singleFlight(async () => {
      const response = await requestToken(
        options.accountsUrl,
        'refresh_token',
        { refresh_token: options.refreshToken, client_id: options.clientId, client_secret: options.clientSecret },
        options,
      );
      this.refreshCount++;
      const grant = grantFrom(response, this.clock.now());
      this.current = { accessToken: grant.accessToken, apiDomain: grant.apiDomain, expiresAt: grant.expiresAt };
      return this.current;
    });
  }

  private fresh(token: ZohoAccessToken | undefined): token is ZohoAccessToken {
    return token !== undefined && this.clock.now() < token.expiresAt - this.marginMs;
  }

  /** A usable access token, fetched or refreshed when needed. Throws the token endpoint's refusal. */
  async token(): Promise<ZohoAccessToken> {
    return this.fresh(this.current) ? this.current : this.refreshOnce();
  }

  /**
   * Headers for the next request. Called by the HTTP core while it holds a
   * rate-governor permit, so it does not throw once a token exists: if a
   * refresh before expiry fails, the old token goes out, the server's 401
   * leads to `refresh()`, and that reports the failure.
   */
  async authorize(): Promise<Record<string, string>> {
    let token = this.current;
    if (!this.fresh(token)) {
      try {
        token = await this.refreshOnce();
      } catch (error) {
        if (token === undefined) throw error;
      }
    }
    // §2: the header is `Zoho-oauthtoken`, not `Bearer`.
    return { authorization: `Zoho-oauthtoken ${token!.accessToken}` };
  }

  /** After a 401: a new access token (concurrent callers share one refresh). */
  async refresh(): Promise<boolean> {
    await this.refreshOnce();
    return true;
  }

  /** The API host the current token belongs to, when one has been fetched. */
  get apiDomain(): string | undefined {
    return this.current?.apiDomain;
  }

  /** Token requests that succeeded so far (for metrics; never the tokens themselves). */
  get refreshes(): number {
    return this.refreshCount;
  }
}
