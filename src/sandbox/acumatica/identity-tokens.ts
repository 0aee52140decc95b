/**
 * The instance identity server's state as the sandbox keeps it (reference
 * §6a): one connected application (client id `<GUID>@<Tenant>` and a shared
 * secret), one API user, authorization codes (single use, with optional
 * PKCE), access tokens (an hour by default, on the sandbox clock) and
 * refresh tokens that ROTATE: each refresh answers with a new refresh token
 * and the old one stops working. A refresh chain ends 30 days after the
 * first sign-in (absolute expiration).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { AUTHORIZATION_CODE_LIFETIME_MS } from '../../systems/acumatica/limits.ts';
import type { SeededRandom } from '../common/seeded-random.ts';

export interface ConnectedApp {
  /** `<GUID>@<Tenant>` (§6a). */
  clientId: string;
  clientSecret: string;
  tenant: string;
}

export interface ApiUser {
  username: string;
  password: string;
}

export interface AccessTokenRecord {
  token: string;
  username: string;
  scopes: string[];
  chain: string | undefined;
  expiresAt: number;
}

interface RefreshTokenRecord {
  token: string;
  chain: string;
  username: string;
  scopes: string[];
}

interface ChainRecord {
  id: string;
  startedAt: number;
  revoked: boolean;
}

interface CodeRecord {
  code: string;
  redirectUri: string;
  scopes: string[];
  username: string;
  challenge: string | undefined;
  expiresAt: number;
}

export interface IssuedTokens {
  access: AccessTokenRecord;
  refreshToken: string | undefined;
}

export type GrantFailure = 'invalid_grant';

export interface IdentityOptions {
  clock: Clock;
  random: SeededRandom;
  tenant: string;
  accessTokenLifetimeSeconds: () => number;
  refreshChainLifetimeMs: () => number;
}

const HEX = '0123456789ABCDEF';
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class IdentityRegistry {
  readonly app: ConnectedApp;
  readonly user: ApiUser;
  private random!: SeededRandom;
  private codes = new Map<string, CodeRecord>();
  private accessTokens = new Map<string, AccessTokenRecord>();
  private refreshTokens = new Map<string, RefreshTokenRecord>();
  private chains = new Map<string, ChainRecord>();
  private counts = { passwordGrants: 0, codeGrants: 0, refreshGrants: 0, refused: 0 };

  constructor(private readonly options: IdentityOptions) {
    const ids = options.random.fork('connected-app');
    const guid = [8, 4, 4, 4, 12].map((n) => this.chars(ids, HEX, n)).join('-');
    this.app = { clientId: `${guid}@${options.tenant}`, clientSecret: this.chars(ids, TOKEN_CHARS, 22), tenant: options.tenant };
    this.user = { username: 'api.integration', password: this.chars(ids, TOKEN_CHARS, 16) };
    this.reset();
  }

  /** Back to the state after start-up: no codes, no tokens. */
  reset(): void {
    this.random = this.options.random.fork('tokens');
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.chains.clear();
    this.counts = { passwordGrants: 0, codeGrants: 0, refreshGrants: 0, refused: 0 };
  }

  private chars(random: SeededRandom, alphabet: string, length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[random.int(0, alphabet.length - 1)];
    return text;
  }

  /** Opaque tokens, as the identity server's reference tokens look (64 hex characters). */
  private newToken(): string {
    return this.chars(this.random, HEX, 64);
  }

  checkClient(clientId: string | undefined, clientSecret: string | undefined): boolean {
    return clientId === this.app.clientId && clientSecret === this.app.clientSecret;
  }

  knowsClient(clientId: string | undefined): boolean {
    return clientId === this.app.clientId;
  }

  checkUser(username: string | undefined, password: string | undefined): boolean {
    return username?.toLowerCase() === this.user.username && password === this.user.password;
  }

  private issue(username: string, scopes: string[], chain: string | undefined): IssuedTokens {
    const now = this.options.clock.now();
    // A long run refreshes every hour: forget tokens that expired a day ago, so the registry stays small.
    if (this.accessTokens.size > 1_000) {
      for (const [token, record] of this.accessTokens) if (record.expiresAt < now - 86_400_000) this.accessTokens.delete(token);
    }
    const access: AccessTokenRecord = {
      token: this.newToken(),
      username,
      scopes: [...scopes],
      chain,
      expiresAt: now + this.options.accessTokenLifetimeSeconds() * 1000,
    };
    this.accessTokens.set(access.token, access);
    let refreshToken: string | undefined;
    if (chain !== undefined) {
      refreshToken = this.newToken();
      this.refreshTokens.set(refreshToken, { token: refreshToken, chain, username, scopes: [...scopes] });
    }
    return { access: { ...access }, refreshToken };
  }

  private newChain(scopes: readonly string[]): string | undefined {
    if (!scopes.includes('offline_access')) return undefined;
    const id = this.newToken().slice(0, 16);
    this.chains.set(id, { id, startedAt: this.options.clock.now(), revoked: false });
    return id;
  }

  /** §6a: grant_type=password. */
  passwordGrant(scopes: string[]): IssuedTokens {
    this.counts.passwordGrants++;
    return this.issue(this.user.username, scopes, this.newChain(scopes));
  }

  issueCode(input: { redirectUri: string; scopes: string[]; challenge: string | undefined }): string {
    const code = this.newToken();
    this.codes.set(code, { code, ...input, username: this.user.username, expiresAt: this.options.clock.now() + AUTHORIZATION_CODE_LIFETIME_MS });
    return code;
  }

  /** §6a: grant_type=authorization_code; the code is used up whatever the outcome. */
  exchangeCode(code: string, redirectUri: string | undefined, verifier: string | undefined): IssuedTokens | GrantFailure {
    const record = this.codes.get(code);
    this.codes.delete(code);
    if (!record || this.options.clock.now() >= record.expiresAt || redirectUri !== record.redirectUri) return this.refuse();
    if (record.challenge !== undefined) {
      const computed = verifier === undefined ? undefined : createHash('sha256').update(verifier).digest('base64url');
      if (computed !== record.challenge) return this.refuse();
    }
    this.counts.codeGrants++;
    return this.issue(record.username, record.scopes, this.newChain(record.scopes));
  }

  /**
   * §6a: grant_type=refresh_token. The token is spent: a new one in the same
   * chain comes back, and the old one is refused from now on.
   */
  refresh(refreshToken: string): IssuedTokens | GrantFailure {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) return this.refuse();
    const chain = this.chains.get(record.chain);
    this.refreshTokens.delete(refreshToken);
    if (!chain || chain.revoked || this.options.clock.now() >= chain.startedAt + this.options.refreshChainLifetimeMs()) return this.refuse();
    this.counts.refreshGrants++;
    return this.issue(record.username, record.scopes, record.chain);
  }

  private refuse(): GrantFailure {
    this.counts.refused++;
    return 'invalid_grant';
  }

  /** Revokes a refresh token's whole chain and the access tokens issued in it. */
  revokeRefreshToken(refreshToken: string): boolean {
    const record = this.refreshTokens.get(refreshToken);
    if (!record) return false;
    const chain = this.chains.get(record.chain);
    if (chain) chain.revoked = true;
    for (const [token, r] of this.refreshTokens) if (r.chain === record.chain) this.refreshTokens.delete(token);
    for (const [token, r] of this.accessTokens) if (r.chain === record.chain) this.accessTokens.delete(token);
    return true;
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

  state(): { refreshTokens: number; accessTokens: number; liveAccessTokens: number; grants: { password: number; authorizationCode: number; refresh: number; refused: number } } {
    const now = this.options.clock.now();
    let live = 0;
    for (const record of this.accessTokens.values()) if (record.expiresAt > now) live++;
    return {
      refreshTokens: this.refreshTokens.size,
      accessTokens: this.accessTokens.size,
      liveAccessTokens: live,
      grants: { password: this.counts.passwordGrants, authorizationCode: this.counts.codeGrants, refresh: this.counts.refreshGrants, refused: this.counts.refused },
    };
  }
}
