/**
 * OAuth 2.0 against FreshBooks (reference/freshbooks.md §2): the
 * authorization-code grant only. The connect flow sends the operator to the
 * authorization page (`authorizeUrl`), FreshBooks redirects back with a
 * code, and `exchangeCode` turns it into a 12-hour access token and a
 * refresh token. Refresh tokens never expire but are SINGLE-USE: every
 * refresh answers with a new one and the old one stops working.
 *
 * Rotation design (as for Acumatica):
 * - One `FreshBooksOAuthCredentials` per stored connection per process, kept
 *   in a registry (`freshbooksCredentials`) so that every client built for
 *   that connection (a sync, a webhook receiver's fetch, a connection test)
 *   shares it.
 * - Inside it, one token request at a time (`singleFlight`): two workers that
 *   hit a 401 together spend the refresh token once and both get the new
 *   access token.
 * - `refreshToken` always holds the newest refresh token, and `onRotate` is
 *   told each new one so the app can store it (encrypted) before the old one
 *   is needed again. A client built later from the stored config (old or new
 *   token) finds the same credential: the registry knows it by every refresh
 *   token it has held.
 *
 * Secrets (client secret, tokens) go into request bodies and the
 * Authorization header only; no error message or detail names them.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import { bearerToken, singleFlight, type CredentialSource } from '../../http/credentials.ts';
import { HttpClient } from '../../http/http-client.ts';
import { requestOAuthToken, type TokenEndpoint, type TokenRequestOptions } from '../../http/oauth-token-request.ts';
import { RateGovernor } from '../../http/rate-governor.ts';
import { DEFAULT_FRESHBOOKS_ACCOUNT, defineFreshBooksSystem } from './definition.ts';
import { TOKEN_ERRORS } from './error-codes.ts';
import { AUTHORIZE_PATH, IDENTITY_PATH, TOKEN_PATH } from './paths.ts';
import { DEFAULT_SCOPES } from './scopes.ts';
import { IdentityResponse, TokenErrorBody, TokenResponse, type Identity } from './schemas.ts';

export type { TokenRequestOptions };

const SERVER = 'FreshBooks';

export type Grant = 'authorization_code' | 'refresh_token';

export interface FreshBooksApp {
  /** The API host: the token endpoint is `<baseUrl>/auth/oauth/token` (§1). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface FreshBooksTokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms (the caller's clock) at which the access token stops working. */
  expiresAt: number;
  scope: string | undefined;
  /** The server's `created_at`, epoch ms (§2: it sends seconds). */
  createdAt: number;
}

function tokenRefusal(grant: Grant, error: string, status: number): ConnectorError {
  const details = { status, tokenError: error, grant };
  if (error === TOKEN_ERRORS.invalidClient) {
    return new ConnectorError({
      kind: 'auth',
      code: 'freshbooks.invalid_client',
      message: 'FreshBooks refused the client (invalid_client): check clientId and clientSecret against the app’s settings in FreshBooks’ developer page.',
      details,
    });
  }
  if (error === TOKEN_ERRORS.invalidGrant) {
    return grant === 'refresh_token'
      ? new ConnectorError({
          kind: 'auth',
          code: 'freshbooks.refresh_token_revoked',
          message:
            'FreshBooks refused the refresh token (invalid_grant): refresh tokens are single-use, so it was already spent (by another copy of this connection?) or revoked. Re-authorize ml-connector for this FreshBooks business (connect it again).',
          details,
        })
      : new ConnectorError({
          kind: 'auth',
          code: 'freshbooks.invalid_authorization_code',
          message:
            'FreshBooks refused the authorization code (invalid_grant): codes are single-use and short-lived, and redirect_uri must be exactly the one of the authorization request. Start the authorization again.',
          details,
        });
  }
  if (error === TOKEN_ERRORS.invalidScope || error === TOKEN_ERRORS.unsupportedGrantType || error === TOKEN_ERRORS.invalidRequest) {
    return new ConnectorError({
      kind: 'config',
      code: 'freshbooks.token_request_refused',
      message: `FreshBooks refused the ${grant} request (${error}): check the app’s redirect URI and scopes.`,
      details,
    });
  }
  return new ConnectorError({
    kind: 'auth',
    code: 'freshbooks.token_refused',
    message: `FreshBooks refused the token request (${error.slice(0, 80)}).`,
    details,
  });
}

/**
 * One call to `POST <api>/auth/oauth/token` (§2; the SDK sends JSON, FreshBooks
 * also takes a form body, which is what we send), retried on network failures
 * and 5xx. A refresh whose answer was lost may already have rotated the token;
 * retrying it then gets `invalid_grant`, reported as a spent token.
 */
function requestToken(baseUrl: string, grant: Grant, params: Record<string, string>, options: TokenRequestOptions): Promise<TokenResponse> {
  const endpoint: TokenEndpoint<TokenResponse> = {
    server: SERVER,
    url: `${baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`,
    path: TOKEN_PATH,
    defaultTimeoutMs: 30_000,
    tokenResponse: TokenResponse,
    errorBody: TokenErrorBody,
    refusalsWithOkStatus: false,
    codes: { unavailable: 'freshbooks.auth_unavailable', unexpected: 'freshbooks.unexpected_token_response' },
    refusal: (error, status) => tokenRefusal(grant, error, status),
  };
  return requestOAuthToken(endpoint, { ...params, grant_type: grant }, options);
}

function grantFrom(response: TokenResponse, now: number): FreshBooksTokenGrant {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    // The lifetime is counted on our clock from now, not from the server's created_at, so clock skew can't shorten it.
    expiresAt: now + response.expires_in * 1000,
    scope: response.scope,
    createdAt: response.created_at * 1000,
  };
}

/**
 * The authorization page's URL (§2): `<authUrl>/oauth/authorize?client_id&
 * response_type=code&redirect_uri[&scope][&state]`. FreshBooks wants redirect
 * URIs without a query string: carry what must come back in `state`.
 */
export function authorizeUrl(input: { authUrl: string; clientId: string; redirectUri: string; state: string; scopes?: readonly string[] }): string {
  const url = new URL(`${input.authUrl.replace(/\/+$/, '')}${AUTHORIZE_PATH}`);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', (input.scopes ?? DEFAULT_SCOPES).join(' '));
  url.searchParams.set('state', input.state);
  return url.toString();
}

/** Exchanges the code the redirect brought back for tokens (§2); `redirectUri` must be the authorization request's. */
export async function exchangeCode(input: FreshBooksApp & { code: string; redirectUri: string }, options: TokenRequestOptions = {}): Promise<FreshBooksTokenGrant> {
  const response = await requestToken(
    input.baseUrl,
    'authorization_code',
    { client_id: input.clientId, client_secret: input.clientSecret, code: input.code, redirect_uri: input.redirectUri },
    options,
  );
  return grantFrom(response, (options.clock ?? systemClock).now());
}

/**
 * `users/me` with the access token a code exchange just gave (§3): which
 * businesses (account ids, business uuids) the user granted, before any of
 * them is configured. One call, outside any connection's governor.
 */
export async function grantedIdentity(input: { baseUrl: string; accessToken: string }, options: { clock?: Clock } = {}): Promise<Identity> {
  const clock = options.clock ?? systemClock;
  const system = defineFreshBooksSystem(clock);
  const http = new HttpClient({
    system,
    baseUrl: input.baseUrl.replace(/\/+$/, ''),
    credentials: bearerToken(input.accessToken),
    governor: new RateGovernor({ windows: system.rateWindows(DEFAULT_FRESHBOOKS_ACCOUNT), maxConcurrency: 1, clock }),
    clock,
  });
  const response = await http.request({ method: 'GET', path: IDENTITY_PATH, lane: 'interactive', maxAttempts: 3 });
  const parsed = IdentityResponse.safeParse(response.json);
  if (!parsed.success) {
    throw new ConnectorError({
      kind: 'system',
      code: 'freshbooks.unexpected_response',
      message: `FreshBooks GET ${IDENTITY_PATH} answered ${response.status} with a body we did not expect`,
      details: { status: response.status },
    });
  }
  return parsed.data.response;
}

/** Told each new refresh token, so that the app can store it; it should not throw (a failure is kept in `lastRotateError`). */
export type RotationHandler = (rotation: { refreshToken: string }) => void | Promise<void>;

export interface FreshBooksOAuthOptions extends FreshBooksApp, TokenRequestOptions {
  /** The refresh token from the connect flow (or the last one stored). */
  refreshToken: string;
  /** Sent with refreshes when known, as the SDK does (§2). */
  redirectUri?: string;
  /** Refresh this long before the access token's expiry. */
  refreshMarginMs?: number;
  onRotate?: RotationHandler;
}

export interface CredentialStats {
  /** Refresh-token grants that succeeded. */
  refreshes: number;
  rotations: number;
}

/**
 * A CredentialSource for FreshBooks: an access token from the stored refresh
 * token, refreshed before expiry and after a 401, one token request at a
 * time, keeping the rotated refresh token.
 */
export class FreshBooksOAuthCredentials implements CredentialSource {
  private readonly clock: Clock;
  private readonly marginMs: number;
  private access: { token: string; expiresAt: number } | undefined;
  private currentRefreshToken: string;
  private rotationHandler: RotationHandler | undefined;
  private readonly heldTokens = new Set<string>();
  private readonly rotationListeners = new Set<(refreshToken: string) => void>();
  private readonly counts: CredentialStats = { refreshes: 0, rotations: 0 };
  private readonly obtain: () => Promise<{ token: string; expiresAt: number }>;
  /** The last error the rotation handler threw (the credential keeps working; the stored token may be stale). */
  lastRotateError: unknown;

  constructor(private readonly options: FreshBooksOAuthOptions) {
    this.clock = options.clock ?? systemClock;
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.currentRefreshToken = options.refreshToken;
    this.heldTokens.add(options.refreshToken);
    this.rotationHandler = options.onRotate;
    this.obtain = singleFlight(() => this.requestAccess());
  }

  private async requestAccess(): Promise<{ token: string; expiresAt: number }> {
    const refreshToken = this.currentRefreshToken;
    const params: Record<string, string> = {
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      refresh_token: refreshToken,
    };
    if (this.options.redirectUri) params.redirect_uri = this.options.redirectUri;
    const grant = grantFrom(await requestToken(this.options.baseUrl, 'refresh_token', params, this.options), this.clock.now());
    this.counts.refreshes++;
    if (grant.refreshToken !== refreshToken) await this.rotated(grant.refreshToken);
    this.access = { token: grant.accessToken, expiresAt: grant.expiresAt };
    return this.access;
  }

  /** Keeps the new refresh token before anything else can need it, then tells the app. */
  private async rotated(refreshToken: string): Promise<void> {
    this.currentRefreshToken = refreshToken;
    this.heldTokens.add(refreshToken);
    this.counts.rotations++;
    for (const listener of this.rotationListeners) listener(refreshToken);
    try {
      await this.rotationHandler?.({ refreshToken });
      this.lastRotateError = undefined;
    } catch (error) {
      this.lastRotateError = error;
    }
  }

  private fresh(access: { expiresAt: number } | undefined): boolean {
    return access !== undefined && this.clock.now() < access.expiresAt - this.marginMs;
  }

  /** A usable access token, fetched or refreshed when needed. Throws FreshBooks' refusal. */
  async token(): Promise<{ token: string; expiresAt: number }> {
    return this.fresh(this.access) ? this.access! : this.obtain();
  }

  /**
   * Headers for the next request. Called while the HTTP core holds a
   * governor permit, so it does not throw once a token exists: if a refresh
   * before expiry fails, the old token goes out and the 401 path reports it.
   */
  async authorize(): Promise<Record<string, string>> {
    let access = this.access;
    if (!this.fresh(access)) {
      try {
        access = await this.obtain();
      } catch (error) {
        if (access === undefined) throw error;
      }
    }
    return { authorization: `Bearer ${access!.token}` };
  }

  /** After a 401: a new access token (concurrent callers share one token request). */
  async refresh(): Promise<boolean> {
    this.access = undefined;
    await this.obtain();
    return true;
  }

  /** The newest refresh token (what must be stored); never logged. */
  get refreshToken(): string {
    return this.currentRefreshToken;
  }

  /** Whether this credential has ever held `refreshToken` (the registry finds it by any of them). */
  holds(refreshToken: string): boolean {
    return this.heldTokens.has(refreshToken);
  }

  /** Replaces the rotation handler (the last client built for a connection says where to store). */
  setRotationHandler(handler: RotationHandler | undefined): void {
    this.rotationHandler = handler;
  }

  /** For the registry: told synchronously of every rotation. */
  onRotation(listener: (refreshToken: string) => void): void {
    this.rotationListeners.add(listener);
  }

  get stats(): CredentialStats {
    return { ...this.counts };
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** Which connection a credential belongs to, without the secrets that name it. */
export interface CredentialIdentity {
  baseUrl: string;
  clientId: string;
  /** Only its digest is kept: a changed secret must not reuse a credential made with the old one. */
  clientSecret: string;
  refreshToken: string;
  /** The app's own id for the stored connection: the surest key. */
  credentialKey?: string;
}

/**
 * One credential per connection in this process. Found by the app's key when
 * given, else by any refresh token the credential has held, so that a client
 * built from a stored config that an earlier rotation updated finds it too.
 */
export class FreshBooksCredentialRegistry {
  private readonly byKey = new Map<string, FreshBooksOAuthCredentials>();

  private scopeOf(identity: CredentialIdentity): string {
    return `${identity.baseUrl}\u0000${identity.clientId}\u0000${identity.clientSecret}`;
  }

  private keysOf(identity: CredentialIdentity): string[] {
    const scope = this.scopeOf(identity);
    if (identity.credentialKey !== undefined) return [`key:${digest(`${scope}\u0000${identity.credentialKey}`)}`];
    return [`token:${digest(`${scope}\u0000${identity.refreshToken}`)}`];
  }

  get(identity: CredentialIdentity, create: () => FreshBooksOAuthCredentials): FreshBooksOAuthCredentials {
    const keys = this.keysOf(identity);
    for (const key of keys) {
      const found = this.byKey.get(key);
      if (found) return found;
    }
    const credential = create();
    for (const key of keys) this.byKey.set(key, credential);
    if (identity.credentialKey === undefined) {
      const scope = this.scopeOf(identity);
      credential.onRotation((token) => this.byKey.set(`token:${digest(`${scope}\u0000${token}`)}`, credential));
    }
    return credential;
  }

  /** Forgets the credential of a connection (deleted, or re-authorized). */
  forget(identity: CredentialIdentity): void {
    for (const key of this.keysOf(identity)) {
      const credential = this.byKey.get(key);
      if (!credential) continue;
      for (const [k, v] of this.byKey) if (v === credential) this.byKey.delete(k);
    }
  }
}

/** The process-wide registry every FreshBooksClient uses unless given another. */
export const freshbooksCredentials = new FreshBooksCredentialRegistry();
