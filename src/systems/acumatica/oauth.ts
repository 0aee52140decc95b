/**
 * OAuth 2.0 against an Acumatica instance's identity server (reference §6a):
 * the resource-owner password grant, the authorization-code exchange the
 * connect flow uses, and refresh through `offline_access`, whose refresh
 * tokens ROTATE: every refresh answers with a new refresh token and the old
 * one stops working.
 *
 * Rotation design:
 * - One `AcumaticaOAuthCredentials` per stored connection per process, kept
 *   in a registry (`acumaticaCredentials`) so that every client built for
 *   that connection (a sync, a tool call, a connection test) shares it.
 * - Inside it, one token request at a time (`singleFlight`): two jobs that
 *   need a refresh together spend the refresh token once and both get the
 *   new access token.
 * - `refreshToken` always holds the newest refresh token, and the rotation
 *   handler (`onRotate`) is told each new one so the app can store it
 *   (encrypted) before the old one is needed again. A client built later
 *   from the stored config (old or new token) finds the same credential:
 *   the registry knows it by every refresh token it has held.
 *
 * Secrets (client secret, password, tokens) go into request bodies and the
 * Authorization header only; no error message or detail names them.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError } from '../../core/errors.ts';
import { singleFlight, type CredentialSource } from '../../http/credentials.ts';
import { requestOAuthToken, type TokenEndpoint, type TokenRequestOptions } from '../../http/oauth-token-request.ts';
import { DEFAULT_SCOPE } from './limits.ts';
import { AUTHORIZE_PATH, TOKEN_PATH } from './paths.ts';
import { TokenErrorBody, TokenResponse } from './schemas.ts';

export type { TokenRequestOptions };

const IDENTITY = 'Acumatica identity server';

export type Grant = 'password' | 'authorization_code' | 'refresh_token';

export interface AcumaticaClientApp {
  /** The instance URL (the identity server is `<instance>/identity`). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface AcumaticaTokenGrant {
  accessToken: string;
  /** Epoch ms (the credential's clock) at which the access token stops working. */
  expiresAt: number;
  /** Present when the scope had offline_access. */
  refreshToken: string | undefined;
  scope: string | undefined;
}

function tokenRefusal(grant: Grant, error: string, status: number): ConnectorError {
  const details = { status, tokenError: error, grant };
  if (error === 'invalid_client') {
    return new ConnectorError({
      kind: 'auth',
      code: 'acumatica.invalid_client',
      message:
        'The Acumatica identity server refused the client (invalid_client): check clientId (it must end in @<Tenant>, exactly as the Connected Applications form shows it) and clientSecret.',
      details,
    });
  }
  if (error === 'invalid_grant') {
    if (grant === 'refresh_token') {
      return new ConnectorError({
        kind: 'auth',
        code: 'acumatica.refresh_token_revoked',
        message:
          'The Acumatica identity server refused the refresh token (invalid_grant): it was revoked, already used (refresh tokens rotate), or its 30-day chain ended. Re-authorize ml-connector for this Acumatica tenant (connect it again).',
        details,
      });
    }
    if (grant === 'password') {
      return new ConnectorError({
        kind: 'auth',
        code: 'acumatica.invalid_credentials',
        message: 'The Acumatica identity server refused the username or password (invalid_grant): check them, and that the user may sign in to this tenant.',
        details,
      });
    }
    return new ConnectorError({
      kind: 'auth',
      code: 'acumatica.invalid_authorization_code',
      message:
        'The Acumatica identity server refused the authorization code (invalid_grant): codes are single-use and short-lived, and the redirect_uri (and PKCE verifier) must match the authorization request. Start the authorization again.',
      details,
    });
  }
  if (error === 'invalid_scope' || error === 'unauthorized_client' || error === 'unsupported_grant_type') {
    return new ConnectorError({
      kind: 'config',
      code: 'acumatica.grant_not_allowed',
      message: `The Acumatica identity server refused the ${grant} grant (${error}): enable this flow and the scopes api and offline_access for the connected application.`,
      details,
    });
  }
  return new ConnectorError({
    kind: 'auth',
    code: 'acumatica.token_refused',
    message: `The Acumatica identity server refused the token request (${error.slice(0, 80)}).`,
    details,
  });
}

/**
 * One call to `POST <instance>/identity/connect/token` with a form body
 * (§6a), retried on network failures and 5xx. A refresh-token request whose
 * answer was lost may already have rotated the token; retrying it then gets
 * `invalid_grant`, which the credential handles like a revoked token.
 */
function requestToken(baseUrl: string, grant: Grant, params: Record<string, string>, options: TokenRequestOptions): Promise<TokenResponse> {
  const endpoint: TokenEndpoint<TokenResponse> = {
    server: IDENTITY,
    url: `${baseUrl.replace(/\/+$/, '')}${TOKEN_PATH}`,
    path: TOKEN_PATH,
    defaultTimeoutMs: 60_000,
    tokenResponse: TokenResponse,
    errorBody: TokenErrorBody,
    refusalsWithOkStatus: false,
    codes: { unavailable: 'acumatica.identity_unavailable', unexpected: 'acumatica.unexpected_token_response' },
    refusal: (error, status) => tokenRefusal(grant, error, status),
    // A 404 that is not JSON is the instance's own "not found" page: the URL misses the identity server.
    notJson: (status) =>
      status === 404
        ? new ConnectorError({
            kind: 'config',
            code: 'acumatica.no_identity_server',
            message: `${IDENTITY} was not found at the instance URL (${TOKEN_PATH} answered 404): check baseUrl, including the instance name`,
            details: { status },
          })
        : undefined,
  };
  return requestOAuthToken(endpoint, { ...params, grant_type: grant }, options);
}

function grantFrom(response: TokenResponse, now: number): AcumaticaTokenGrant {
  return {
    accessToken: response.access_token,
    expiresAt: now + response.expires_in * 1000,
    refreshToken: response.refresh_token,
    scope: response.scope,
  };
}

/** The resource-owner password grant (§6a): `scope=api offline_access` by default. */
export async function passwordGrant(
  app: AcumaticaClientApp & { username: string; password: string; scope?: string },
  options: TokenRequestOptions = {},
): Promise<AcumaticaTokenGrant> {
  const response = await requestToken(
    app.baseUrl,
    'password',
    { client_id: app.clientId, client_secret: app.clientSecret, username: app.username, password: app.password, scope: app.scope ?? DEFAULT_SCOPE },
    options,
  );
  return grantFrom(response, (options.clock ?? systemClock).now());
}

/** A PKCE verifier and its S256 challenge (§6a: Authorization Code + PKCE). */
export function pkcePair(verifier: string): { verifier: string; challenge: string } {
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The consent URL the connect flow sends the user to (§6a). */
export function buildAuthorizationUrl(input: {
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope?: string;
  codeChallenge?: string;
}): string {
  const url = new URL(`${input.baseUrl.replace(/\/+$/, '')}${AUTHORIZE_PATH}`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('scope', input.scope ?? DEFAULT_SCOPE);
  url.searchParams.set('state', input.state);
  if (input.codeChallenge) {
    url.searchParams.set('code_challenge', input.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

/** Exchanges an authorization code for tokens (§6a). */
export async function exchangeAuthorizationCode(
  input: AcumaticaClientApp & { code: string; redirectUri: string; codeVerifier?: string },
  options: TokenRequestOptions = {},
): Promise<AcumaticaTokenGrant> {
  const params: Record<string, string> = {
    code: input.code,
    client_id: input.clientId,
    client_secret: input.clientSecret,
    redirect_uri: input.redirectUri,
  };
  if (input.codeVerifier) params.code_verifier = input.codeVerifier;
  const response = await requestToken(input.baseUrl, 'authorization_code', params, options);
  return grantFrom(response, (options.clock ?? systemClock).now());
}

/** Told each new refresh token, so that the app can store it; it should not throw (a failure is kept in `lastRotateError`). */
export type RotationHandler = (rotation: { refreshToken: string }) => void | Promise<void>;

export interface AcumaticaOAuthOptions extends AcumaticaClientApp, TokenRequestOptions {
  /** Resource-owner password grant; also the way back in when a refresh token is refused. */
  username?: string;
  password?: string;
  /** A refresh token from the connect flow (or the last one stored). */
  refreshToken?: string;
  scope?: string;
  /** Refresh this long before the access token's expiry. */
  refreshMarginMs?: number;
  onRotate?: RotationHandler;
}

export interface CredentialStats {
  passwordGrants: number;
  refreshGrants: number;
  rotations: number;
}

/**
 * A CredentialSource for Acumatica's identity server: an access token from
 * the stored refresh token (or the password grant), refreshed before expiry
 * and after a 401, one token request at a time, keeping the rotated refresh
 * token.
 */
export class AcumaticaOAuthCredentials implements CredentialSource {
  private readonly clock: Clock;
  private readonly marginMs: number;
  private access: { token: string; expiresAt: number } | undefined;
  private currentRefreshToken: string | undefined;
  private rotationHandler: RotationHandler | undefined;
  private readonly heldTokens = new Set<string>();
  private readonly rotationListeners = new Set<(refreshToken: string) => void>();
  private readonly counts: CredentialStats = { passwordGrants: 0, refreshGrants: 0, rotations: 0 };
  private readonly obtain: () => Promise<{ token: string; expiresAt: number }>;
  /** The last error the rotation handler threw (the credential keeps working; the stored token may be stale). */
  lastRotateError: unknown;

  constructor(private readonly options: AcumaticaOAuthOptions) {
    this.clock = options.clock ?? systemClock;
    this.marginMs = options.refreshMarginMs ?? 60_000;
    this.currentRefreshToken = options.refreshToken;
    if (options.refreshToken) this.heldTokens.add(options.refreshToken);
    this.rotationHandler = options.onRotate;
    this.obtain = singleFlight(() => this.requestAccess());
  }

  private get hasPassword(): boolean {
    return this.options.username !== undefined && this.options.password !== undefined;
  }

  private async requestAccess(): Promise<{ token: string; expiresAt: number }> {
    let grant: AcumaticaTokenGrant;
    const refreshToken = this.currentRefreshToken;
    if (refreshToken !== undefined) {
      try {
        grant = grantFrom(
          await requestToken(
            this.options.baseUrl,
            'refresh_token',
            { client_id: this.options.clientId, client_secret: this.options.clientSecret, refresh_token: refreshToken },
            this.options,
          ),
          this.clock.now(),
        );
        this.counts.refreshGrants++;
      } catch (error) {
        const revoked = error instanceof ConnectorError && error.code === 'acumatica.refresh_token_revoked';
        if (!revoked || !this.hasPassword) throw error;
        // A password connection signs in again: that is a new authentication, not a replayed token.
        this.currentRefreshToken = undefined;
        grant = await this.passwordGrant();
      }
    } else if (this.hasPassword) {
      grant = await this.passwordGrant();
    } else {
      throw new ConnectorError({
        kind: 'auth',
        code: 'acumatica.no_credentials',
        message: 'This Acumatica connection has neither a refresh token nor a username and password. Re-authorize ml-connector for the tenant (connect it again).',
      });
    }
    if (grant.refreshToken !== undefined && grant.refreshToken !== refreshToken) await this.rotated(grant.refreshToken);
    this.access = { token: grant.accessToken, expiresAt: grant.expiresAt };
    return this.access;
  }

  private async passwordGrant(): Promise<AcumaticaTokenGrant> {
    const grant = await passwordGrant(
      {
        baseUrl: this.options.baseUrl,
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
        username: this.options.username!,
        password: this.options.password!,
        ...(this.options.scope ? { scope: this.options.scope } : {}),
      },
      this.options,
    );
    this.counts.passwordGrants++;
    return grant;
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

  /** A usable access token, fetched or refreshed when needed. Throws the identity server's refusal. */
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

  /** Makes the next call fetch a new access token (after the instance ended the session). */
  forgetAccessToken(): void {
    this.access = undefined;
  }

  /** The newest refresh token (what must be stored); never logged. */
  get refreshToken(): string | undefined {
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
  username?: string;
  password?: string;
  refreshToken?: string;
  /** The app's own id for the stored connection: the surest key. */
  credentialKey?: string;
}

/**
 * One credential per connection in this process. Found by the app's key
 * when given, else by (instance, client, user, password) for password connections,
 * else by any refresh token the credential has held, so that a client built
 * from a stored config that an earlier rotation updated finds it too.
 */
export class AcumaticaCredentialRegistry {
  private readonly byKey = new Map<string, AcumaticaOAuthCredentials>();

  private scopeOf(identity: CredentialIdentity): string {
    return `${identity.baseUrl}\u0000${identity.clientId}\u0000${identity.clientSecret}`;
  }

  private keysOf(identity: CredentialIdentity): string[] {
    const scope = this.scopeOf(identity);
    if (identity.credentialKey !== undefined) return [`key:${digest(`${scope}\u0000${identity.credentialKey}`)}`];
    if (identity.username !== undefined) return [`user:${digest(`${scope}\u0000${identity.username}\u0000${identity.password ?? ''}`)}`];
    return identity.refreshToken === undefined ? [] : [`token:${digest(`${scope}\u0000${identity.refreshToken}`)}`];
  }

  get(identity: CredentialIdentity, create: () => AcumaticaOAuthCredentials): AcumaticaOAuthCredentials {
    const keys = this.keysOf(identity);
    for (const key of keys) {
      const found = this.byKey.get(key);
      if (found) return found;
    }
    const credential = create();
    for (const key of keys) this.byKey.set(key, credential);
    if (identity.credentialKey === undefined && identity.username === undefined) {
      const scope = this.scopeOf(identity);
      credential.onRotation((token) => this.byKey.set(`token:${digest(`${scope}\u0000${token}`)}`, credential));
    }
    return credential;
  }

  /** Forgets the credential of a connection (deleted, or re-authorized with new settings). */
  forget(identity: CredentialIdentity): void {
    for (const key of this.keysOf(identity)) {
      const credential = this.byKey.get(key);
      if (!credential) continue;
      for (const [k, v] of this.byKey) if (v === credential) this.byKey.delete(k);
    }
  }
}

/** The process-wide registry every AcumaticaClient uses unless given another. */
export const acumaticaCredentials = new AcumaticaCredentialRegistry();
