/**
 * FreshBooks' OAuth state as the sandbox keeps it (reference/freshbooks.md
 * §2): one registered app (client id and secret, its scopes, its redirect
 * URIs), authorization codes (5 minutes, single use, bound to the redirect
 * URI they were issued for), 12-hour access tokens on the sandbox clock, and
 * refresh tokens that never expire but are SINGLE-USE: each refresh answers
 * with a new refresh token and the old one is refused from then on.
 */
import type { Clock } from '../../core/clock.ts';
import { AUTHORIZATION_CODE_LIFETIME_MS } from '../../systems/freshbooks/limits.ts';
import { FRESHBOOKS_SCOPES } from '../../systems/freshbooks/scopes.ts';
import type { SeededRandom } from '../common/seeded-random.ts';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** The scopes configured on the app (§2): what an authorization may ask for. */
  scopes: readonly string[];
}

export interface AccessTokenRecord {
  token: string;
  scopes: string[];
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
}

interface CodeRecord {
  code: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

export interface IssuedTokens {
  access: AccessTokenRecord;
  refreshToken: string;
}

export type GrantFailure = 'invalid_grant';

export interface TokenRegistryOptions {
  clock: Clock;
  random: SeededRandom;
  accessTokenLifetimeSeconds: () => number;
}

const HEX = '0123456789abcdef';

export interface GrantCounts {
  authorizationCode: number;
  refresh: number;
  refused: number;
}

export class FreshBooksTokenRegistry {
  readonly app: OAuthApp;
  /** The refresh token `startSandbox` prints: every scope, the same for the same seed (spent by its first use). */
  defaultRefreshToken!: string;
  private random!: SeededRandom;
  private codes = new Map<string, CodeRecord>();
  private accessTokens = new Map<string, AccessTokenRecord>();
  /** Live refresh tokens and the scopes they carry. */
  private refreshTokens = new Map<string, string[]>();
  private grants: GrantCounts = { authorizationCode: 0, refresh: 0, refused: 0 };

  constructor(private readonly options: TokenRegistryOptions) {
    const ids = options.random.fork('oauth-app');
    this.app = { clientId: this.chars(ids, HEX, 64), clientSecret: this.chars(ids, HEX, 64), scopes: [...FRESHBOOKS_SCOPES] };
    this.reset();
  }

  /** Back to the state after start-up: only the default refresh token, no codes or access tokens. */
  reset(): void {
    this.random = this.options.random.fork('tokens');
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.grants = { authorizationCode: 0, refresh: 0, refused: 0 };
    this.defaultRefreshToken = this.mintRefreshToken([...this.app.scopes]);
  }

  private chars(random: SeededRandom, alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[random.int(0, alphabet.length - 1)];
    return text;
  }

  /** FreshBooks' tokens look like 64 hex characters. */
  private newToken(): string {
    return this.chars(this.random, HEX, 64);
  }

  knowsClient(clientId: string | undefined): boolean {
    return clientId === this.app.clientId;
  }

  checkClient(clientId: string | undefined, clientSecret: string | undefined): boolean {
    return clientId === this.app.clientId && clientSecret === this.app.clientSecret;
  }

  /** A refresh token with chosen scopes, outside any grant (the admin surface's). */
  mintRefreshToken(scopes: string[]): string {
    const token = this.newToken();
    this.refreshTokens.set(token, [...scopes]);
    return token;
  }

  issueCode(input: { redirectUri: string; scopes: string[] }): string {
    const code = this.newToken();
    this.codes.set(code, { code, ...input, expiresAt: this.options.clock.now() + AUTHORIZATION_CODE_LIFETIME_MS });
    return code;
  }

  private issue(scopes: string[]): IssuedTokens {
    const now = this.options.clock.now();
    // A long run refreshes every 12 hours: forget tokens that expired a day ago, so the registry stays small.
    if (this.accessTokens.size > 1_000) {
      for (const [token, record] of this.accessTokens) if (record.expiresAt < now - 86_400_000) this.accessTokens.delete(token);
    }
    const access: AccessTokenRecord = { token: this.newToken(), scopes: [...scopes], createdAt: now, expiresAt: now + this.options.accessTokenLifetimeSeconds() * 1000 };
    this.accessTokens.set(access.token, access);
    const refreshToken = this.newToken();
    this.refreshTokens.set(refreshToken, [...scopes]);
    return { access: { ...access }, refreshToken };
  }

  private refuse(): GrantFailure {
    this.grants.refused++;
    return 'invalid_grant';
  }

  /** §2: grant_type=authorization_code; the code is used up whatever the outcome. */
  exchangeCode(code: string, redirectUri: string | undefined): IssuedTokens | GrantFailure {
    const record = this.codes.get(code);
    this.codes.delete(code);
    if (!record || this.options.clock.now() >= record.expiresAt || redirectUri !== record.redirectUri) return this.refuse();
    this.grants.authorizationCode++;
    return this.issue(record.scopes);
  }

  /** §2: grant_type=refresh_token. The token is spent: a new one comes back, and the old one is refused from now on. */
  refresh(refreshToken: string): IssuedTokens | GrantFailure {
    const scopes = this.refreshTokens.get(refreshToken);
    if (!scopes) return this.refuse();
    this.refreshTokens.delete(refreshToken);
    this.grants.refresh++;
    return this.issue(scopes);
  }

  /** Revokes a refresh token or an access token. */
  revoke(token: string): boolean {
    return this.refreshTokens.delete(token) || this.accessTokens.delete(token);
  }

  /** Makes every access token expire now; returns how many were live. */
  expireAccessTokens(): number {
    const now = this.options.clock.now();
    let n = 0;
    for (const record of this.accessTokens.values()) {
      if (record.expiresAt > now) n++;
      record.expiresAt = Math.min(record.expiresAt, now);
    }
    return n;
  }

  lookup(token: string): AccessTokenRecord | 'unknown' | 'expired' {
    const record = this.accessTokens.get(token);
    if (!record) return 'unknown';
    if (this.options.clock.now() >= record.expiresAt) return 'expired';
    return record;
  }

  state(): { refreshTokens: number; accessTokens: number; liveAccessTokens: number; grants: GrantCounts } {
    const now = this.options.clock.now();
    let live = 0;
    for (const record of this.accessTokens.values()) if (record.expiresAt > now) live++;
    return { refreshTokens: this.refreshTokens.size, accessTokens: this.accessTokens.size, liveAccessTokens: live, grants: { ...this.grants } };
  }
}
