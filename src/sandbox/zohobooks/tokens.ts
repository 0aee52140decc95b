/**
 * Zoho Accounts' tokens as the sandbox keeps them (reference/zohobooks.md §2):
 * one registered OAuth client, grant codes (60 seconds, single use), refresh
 * tokens (long-lived, at most 20 per user: the 21st deletes the oldest) and
 * access tokens (an hour by default, on the sandbox clock). Every token
 * belongs to the data centre it was issued in and works only there.
 */
import type { Clock } from '../../core/clock.ts';
import type { ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import { GRANT_CODE_LIFETIME_MS, MAX_REFRESH_TOKENS_PER_USER } from '../../systems/zohobooks/limits.ts';
import { FULL_ACCESS_SCOPE } from '../../systems/zohobooks/scopes.ts';
import type { SeededRandom } from '../common/seeded-random.ts';

export interface OAuthClientApp {
  clientId: string;
  clientSecret: string;
}

export interface RefreshTokenRecord {
  token: string;
  scopes: string[];
  dataCentre: ZohoDataCentre;
  createdAt: number;
}

export interface AccessTokenRecord {
  token: string;
  /** The refresh token it came from; undefined for an online (code-only) grant. */
  refreshToken: string | undefined;
  scopes: string[];
  dataCentre: ZohoDataCentre;
  expiresAt: number;
}

interface GrantRecord {
  code: string;
  redirectUri: string;
  scopes: string[];
  offline: boolean;
  dataCentre: ZohoDataCentre;
  expiresAt: number;
}

export type TokenFailure = 'invalid_code' | 'invalid_client' | 'invalid_redirect_uri';

export interface IssuedTokens {
  access: AccessTokenRecord;
  refresh: RefreshTokenRecord | undefined;
}

export interface TokenRegistryOptions {
  clock: Clock;
  random: SeededRandom;
  /** The organization's data centre now (the admin surface can move it). */
  dataCentre: () => ZohoDataCentre;
  accessTokenLifetimeSeconds: () => number;
}

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class ZohoTokenRegistry {
  readonly client: OAuthClientApp;
  /** The refresh token `startSandbox` prints: every scope, the same for the same seed. */
  defaultRefreshToken!: string;
  private random!: SeededRandom;
  private grants = new Map<string, GrantRecord>();
  /** Insertion order is age order (for the 20-token limit). */
  private refreshTokens = new Map<string, RefreshTokenRecord>();
  private accessTokens = new Map<string, AccessTokenRecord>();

  constructor(private readonly options: TokenRegistryOptions) {
    const ids = options.random.fork('oauth-client');
    this.client = { clientId: `1000.${this.chars(ids, ALNUM, 30)}`, clientSecret: this.chars(ids, HEX, 42) };
    this.reset();
  }

  /** Back to the state after start-up: only the default refresh token, no access tokens. */
  reset(): void {
    this.random = this.options.random.fork('tokens');
    this.grants.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.defaultRefreshToken = this.issueRefreshToken([FULL_ACCESS_SCOPE]).token;
  }

  private chars(random: SeededRandom, alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[random.int(0, alphabet.length - 1)];
    return text;
  }

  /** Zoho's tokens look like `1000.<32 hex>.<32 hex>`. */
  private newToken(): string {
    return `1000.${this.chars(this.random, HEX, 32)}.${this.chars(this.random, HEX, 32)}`;
  }

  checkClient(clientId: string | undefined, clientSecret: string | undefined): boolean {
    return clientId === this.client.clientId && clientSecret === this.client.clientSecret;
  }

  knowsClient(clientId: string | undefined): boolean {
    return clientId === this.client.clientId;
  }

  issueGrant(input: { redirectUri: string; scopes: string[]; offline: boolean }): string {
    const code = this.newToken();
    this.grants.set(code, {
      code,
      ...input,
      dataCentre: this.options.dataCentre(),
      expiresAt: this.options.clock.now() + GRANT_CODE_LIFETIME_MS,
    });
    return code;
  }

  /** §2: a 21st refresh token silently deletes the oldest one, even if it is in use. */
  issueRefreshToken(scopes: string[], dataCentre = this.options.dataCentre()): RefreshTokenRecord {
    while (this.refreshTokens.size >= MAX_REFRESH_TOKENS_PER_USER) {
      const oldest = this.refreshTokens.keys().next().value as string;
      this.revoke(oldest);
    }
    const record: RefreshTokenRecord = { token: this.newToken(), scopes: [...scopes], dataCentre, createdAt: this.options.clock.now() };
    this.refreshTokens.set(record.token, record);
    return { ...record };
  }

  private issueAccessToken(refresh: RefreshTokenRecord | undefined, scopes: string[], dataCentre: ZohoDataCentre): AccessTokenRecord {
    // A long benchmark refreshes every hour: forget tokens that expired a day ago, so the registry stays small.
    if (this.accessTokens.size > 1_000) {
      const horizon = this.options.clock.now() - 86_400_000;
      for (const [token, record] of this.accessTokens) if (record.expiresAt < horizon) this.accessTokens.delete(token);
    }
    const record: AccessTokenRecord = {
      token: this.newToken(),
      refreshToken: refresh?.token,
      scopes: [...scopes],
      dataCentre,
      expiresAt: this.options.clock.now() + this.options.accessTokenLifetimeSeconds() * 1000,
    };
    this.accessTokens.set(record.token, record);
    return { ...record };
  }

  /** The authorization-code grant: the code is used up whatever the outcome. */
  exchangeCode(code: string, redirectUri: string | undefined): IssuedTokens | TokenFailure {
    const grant = this.grants.get(code);
    this.grants.delete(code);
    if (!grant || this.options.clock.now() >= grant.expiresAt) return 'invalid_code';
    if (redirectUri !== undefined && redirectUri !== grant.redirectUri) return 'invalid_redirect_uri';
    const refresh = grant.offline ? this.issueRefreshToken(grant.scopes, grant.dataCentre) : undefined;
    return { access: this.issueAccessToken(refresh, grant.scopes, grant.dataCentre), refresh };
  }

  /**
   * The refresh grant. The new access token belongs to the organization's
   * data centre now, so moving the organization (admin) moves `api_domain`.
   */
  refresh(refreshToken: string): AccessTokenRecord | 'invalid_code' {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) return 'invalid_code';
    record.dataCentre = this.options.dataCentre();
    return this.issueAccessToken(record, record.scopes, record.dataCentre);
  }

  /** Revokes a refresh token (and every access token it issued) or a single access token. */
  revoke(token: string): boolean {
    if (this.refreshTokens.delete(token)) {
      for (const [access, record] of this.accessTokens) if (record.refreshToken === token) this.accessTokens.delete(access);
      return true;
    }
    return this.accessTokens.delete(token);
  }

  /** Makes access tokens expire now (all, or those of one refresh token); returns how many. */
  expireAccessTokens(refreshToken?: string): number {
    const now = this.options.clock.now();
    let n = 0;
    for (const record of this.accessTokens.values()) {
      if (refreshToken !== undefined && record.refreshToken !== refreshToken) continue;
      if (record.expiresAt > now) n++;
      record.expiresAt = Math.min(record.expiresAt, now);
    }
    return n;
  }

  /** A live access token, or why not. */
  lookup(token: string): AccessTokenRecord | 'unknown' | 'expired' {
    const record = this.accessTokens.get(token);
    if (!record) return 'unknown';
    if (this.options.clock.now() >= record.expiresAt) return 'expired';
    return { ...record };
  }

  counts(): { refreshTokens: number; accessTokens: number; liveAccessTokens: number } {
    const now = this.options.clock.now();
    let live = 0;
    for (const record of this.accessTokens.values()) if (record.expiresAt > now) live++;
    return { refreshTokens: this.refreshTokens.size, accessTokens: this.accessTokens.size, liveAccessTokens: live };
  }
}
