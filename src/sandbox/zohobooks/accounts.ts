/**
 * The Zoho Accounts server of the sandbox (reference/zohobooks.md §2, [MDC]):
 * the consent page, the token endpoint (authorization_code and refresh_token
 * grants, parameters as a form body or in the query string) and revocation.
 * Mounted under `/accounts`; one accounts server serves every data centre.
 */
import type { Context, Hono } from 'hono';
import type { Clock } from '../../core/clock.ts';
import type { ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import { TOKEN_ERRORS } from '../../systems/zohobooks/error-codes.ts';
import { isZohoBooksScope, parseScopeParam } from '../../systems/zohobooks/scopes.ts';
import { consentPage, errorPage } from './consent-page.ts';
import { sendJson } from './errors.ts';
import type { AccessTokenRecord, ZohoTokenRegistry } from './tokens.ts';

export interface AccountsOptions {
  tokens: ZohoTokenRegistry;
  clock: Clock;
  /** The organization's data centre now. */
  dataCentre: () => ZohoDataCentre;
  /** `<sandbox>/zohobooks`, once the server listens (the mount point is the sandbox's choice). */
  publicUrl: (c: Context) => string;
  apiDomain: (c: Context, dataCentre: ZohoDataCentre) => string;
}

/** Query parameters and a form body, merged (the body wins). */
async function params(c: Context): Promise<Record<string, string>> {
  const merged: Record<string, string> = { ...c.req.query() };
  const type = c.req.header('content-type') ?? '';
  if (/application\/x-www-form-urlencoded|multipart\/form-data/i.test(type)) {
    const body = await c.req.parseBody();
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') merged[key] = value;
  }
  return merged;
}

/** §2: token errors are `{"error": "<name>"}`; we answer them with 200, as Zoho is commonly seen to (UNCERTAIN). */
function tokenError(c: Context, error: string, status = 200): Response {
  return sendJson(c, status, { error });
}

function isHttpUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks the consent request; returns the page's error text or the parsed request. */
function readAuthorizeRequest(query: Record<string, string>, tokens: ZohoTokenRegistry) {
  if (!tokens.knowsClient(query.client_id)) return { error: 'Invalid Client: the client_id is not registered.' } as const;
  if (query.response_type !== 'code') return { error: 'Invalid response_type: only "code" is supported.' } as const;
  if (!isHttpUrl(query.redirect_uri)) return { error: 'Invalid Redirect Uri: an http(s) redirect_uri is required.' } as const;
  const scopes = parseScopeParam(query.scope);
  if (scopes.length === 0 || !scopes.every(isZohoBooksScope)) return { error: 'Invalid OAuth Scope: name Zoho Books scopes, comma-separated.' } as const;
  return {
    request: {
      clientId: query.client_id!,
      redirectUri: query.redirect_uri,
      scopes,
      state: query.state ?? '',
      offline: query.access_type === 'offline',
    },
  } as const;
}

export function registerAccountsRoutes(app: Hono, prefix: string, options: AccountsOptions): void {
  const { tokens } = options;

  // §2: the browser step. The page works offline: a plain form, no scripts or outside assets.
  app.get(`${prefix}/oauth/v2/auth`, (c) => {
    const parsed = readAuthorizeRequest(c.req.query(), tokens);
    if ('error' in parsed) return c.html(errorPage(parsed.error!), 400);
    return c.html(consentPage({ ...parsed.request, action: `${options.publicUrl(c)}${prefix}/oauth/v2/auth/consent`, query: c.req.query() }));
  });

  // The consent form's target: redirects back with code, state, location and accounts-server ([MDC]).
  app.on(['GET', 'POST'], `${prefix}/oauth/v2/auth/consent`, async (c) => {
    const query = await params(c);
    const parsed = readAuthorizeRequest(query, tokens);
    if ('error' in parsed) return c.html(errorPage(parsed.error!), 400);
    const { request } = parsed;
    const target = new URL(request.redirectUri);
    if (query.decision !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      if (request.state) target.searchParams.set('state', request.state);
      return c.redirect(target.toString(), 302);
    }
    const code = tokens.issueGrant({ redirectUri: request.redirectUri, scopes: request.scopes, offline: request.offline });
    target.searchParams.set('code', code);
    if (request.state) target.searchParams.set('state', request.state);
    target.searchParams.set('location', options.dataCentre());
    target.searchParams.set('accounts-server', `${options.publicUrl(c)}${prefix}`);
    return c.redirect(target.toString(), 302);
  });

  app.post(`${prefix}/oauth/v2/token`, async (c) => {
    const p = await params(c);
    const grantType = p.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return tokenError(c, TOKEN_ERRORS.unsupportedGrantType, 400);
    }
    if (!tokens.checkClient(p.client_id, p.client_secret)) return tokenError(c, TOKEN_ERRORS.invalidClient);
    if (grantType === 'authorization_code') {
      if (!p.code) return tokenError(c, TOKEN_ERRORS.invalidCode);
      const issued = tokens.exchangeCode(p.code, p.redirect_uri);
      if (typeof issued === 'string') return tokenError(c, issued);
      return sendJson(c, 200, tokenResponse(c, options, issued.access, issued.refresh?.token));
    }
    if (!p.refresh_token) return tokenError(c, TOKEN_ERRORS.invalidCode);
    const access = tokens.refresh(p.refresh_token);
    // §2: a revoked, deleted or unknown refresh token is `invalid_code`; no new refresh token on this grant.
    if (typeof access === 'string') return tokenError(c, access);
    return sendJson(c, 200, tokenResponse(c, options, access, undefined));
  });

  app.post(`${prefix}/oauth/v2/token/revoke`, async (c) => {
    const p = await params(c);
    // Revoking an unknown token answers the same as a known one (our choice: nothing to tell an attacker).
    if (p.token) tokens.revoke(p.token);
    return sendJson(c, 200, { status: 'success' });
  });
}

/** §2: `{access_token, refresh_token (code grant only), api_domain, token_type, expires_in}`. */
function tokenResponse(c: Context, options: AccountsOptions, access: AccessTokenRecord, refreshToken: string | undefined) {
  return {
    access_token: access.token,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    api_domain: options.apiDomain(c, access.dataCentre),
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.round((access.expiresAt - options.clock.now()) / 1000)),
  };
}
