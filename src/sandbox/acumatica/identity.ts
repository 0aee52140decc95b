/**
 * The sandbox's identity server (reference/acumatica.md §6a), under
 * `<instance>/identity`: OpenID discovery, the authorize endpoint with its
 * sign-in and consent page, and the token endpoint for the password,
 * authorization_code (with PKCE S256) and refresh_token grants. Client
 * authentication is by form fields or HTTP Basic. Refusals are OAuth2's
 * `{"error": ...}` with 400 (UNCERTAIN, §6a).
 */
import type { Context, Hono } from 'hono';
import { SCOPES } from '../../systems/acumatica/limits.ts';
import { AUTHORIZE_PATH, OPENID_CONFIGURATION_PATH, TOKEN_PATH } from '../../systems/acumatica/paths.ts';
import { consentPage, errorPage } from './consent-page.ts';
import type { InstanceSettings } from './context.ts';
import { sendJson } from './errors.ts';
import type { IdentityRegistry, IssuedTokens } from './identity-tokens.ts';

export interface IdentityRouteOptions {
  identity: IdentityRegistry;
  settings: () => InstanceSettings;
  /** `<server>/acumatica`, the instance URL. */
  publicUrl: (c: Context) => string;
  clock: { now(): number };
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

function tokenError(c: Context, error: string, description?: string): Response {
  return sendJson(c, 400, { error, ...(description ? { error_description: description } : {}) });
}

function parseScopes(raw: string | undefined): string[] | undefined {
  const scopes = (raw ?? '').split(/\s+/).filter((s) => s !== '');
  if (scopes.length === 0 || !scopes.every((s) => (SCOPES as readonly string[]).includes(s))) return undefined;
  return [...new Set(scopes)];
}

function redirectAllowed(settings: InstanceSettings, uri: string | undefined): uri is string {
  if (!uri) return false;
  try {
    const url = new URL(uri);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  } catch {
    return false;
  }
  // §6a: it must match a registered URI exactly; with none registered the sandbox takes any http(s) URI.
  return settings.redirectUris.length === 0 || settings.redirectUris.includes(uri);
}

function readAuthorizeRequest(query: Record<string, string>, options: IdentityRouteOptions) {
  if (!options.identity.knowsClient(query.client_id)) return { error: 'Unknown client: the client_id is not a connected application of this instance.' } as const;
  if (query.response_type !== 'code') return { error: 'Unsupported response_type: the sandbox supports "code".' } as const;
  if (!redirectAllowed(options.settings(), query.redirect_uri)) return { error: 'Invalid redirect_uri: it must be a redirect URI registered for the application.' } as const;
  const scopes = parseScopes(query.scope);
  if (!scopes) return { error: `Invalid scope: name some of ${SCOPES.join(', ')}, separated by spaces.` } as const;
  if (query.code_challenge !== undefined && query.code_challenge_method !== 'S256') return { error: 'Invalid code_challenge_method: use S256.' } as const;
  return { request: { redirectUri: query.redirect_uri!, scopes, state: query.state, challenge: query.code_challenge } } as const;
}

function tokenAnswer(c: Context, issued: IssuedTokens, now: number): Response {
  return sendJson(c, 200, {
    access_token: issued.access.token,
    expires_in: Math.max(0, Math.round((issued.access.expiresAt - now) / 1000)),
    token_type: 'Bearer',
    scope: issued.access.scopes.join(' '),
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
  });
}

export function registerIdentityRoutes(app: Hono, options: IdentityRouteOptions): void {
  const { identity } = options;

  app.get(OPENID_CONFIGURATION_PATH, (c) => {
    const base = `${options.publicUrl(c)}/identity`;
    return sendJson(c, 200, {
      issuer: base,
      authorization_endpoint: `${base}/connect/authorize`,
      token_endpoint: `${base}/connect/token`,
      userinfo_endpoint: `${base}/connect/userinfo`,
      end_session_endpoint: `${base}/connect/endsession`,
      scopes_supported: SCOPES,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'password', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    });
  });

  app.get(AUTHORIZE_PATH, (c) => {
    const parsed = readAuthorizeRequest(c.req.query(), options);
    if ('error' in parsed) return c.html(errorPage(parsed.error!), 400);
    return c.html(
      consentPage({
        clientId: identity.app.clientId,
        tenant: identity.app.tenant,
        scopes: parsed.request.scopes,
        action: `${options.publicUrl(c)}${AUTHORIZE_PATH}/consent`,
        query: c.req.query(),
      }),
    );
  });

  app.post(`${AUTHORIZE_PATH}/consent`, async (c) => {
    const query = await params(c);
    const parsed = readAuthorizeRequest(query, options);
    if ('error' in parsed) return c.html(errorPage(parsed.error!), 400);
    const { request } = parsed;
    const target = new URL(request.redirectUri);
    if (query.decision !== 'approve') {
      target.searchParams.set('error', 'access_denied');
      if (request.state) target.searchParams.set('state', request.state);
      return c.redirect(target.toString(), 302);
    }
    if (!identity.checkUser(query.username, query.password)) {
      return c.html(
        consentPage({
          clientId: identity.app.clientId,
          tenant: identity.app.tenant,
          scopes: request.scopes,
          action: `${options.publicUrl(c)}${AUTHORIZE_PATH}/consent`,
          query,
          error: 'The username or password is not valid.',
          ...(query.username ? { username: query.username } : {}),
        }),
        200,
      );
    }
    const code = identity.issueCode({ redirectUri: request.redirectUri, scopes: request.scopes, challenge: request.challenge });
    target.searchParams.set('code', code);
    target.searchParams.set('scope', request.scopes.join(' '));
    if (request.state) target.searchParams.set('state', request.state);
    return c.redirect(target.toString(), 302);
  });

  app.post(TOKEN_PATH, async (c) => {
    const p = await params(c);
    const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      p.client_id ??= decodeURIComponent(id ?? '');
      p.client_secret ??= decodeURIComponent(secret ?? '');
    }
    if (!identity.checkClient(p.client_id, p.client_secret)) return tokenError(c, 'invalid_client');
    const now = options.clock.now();
    switch (p.grant_type) {
      case 'password': {
        const scopes = parseScopes(p.scope ?? 'api');
        if (!scopes) return tokenError(c, 'invalid_scope');
        if (!identity.checkUser(p.username, p.password)) return tokenError(c, 'invalid_grant', 'invalid_username_or_password');
        return tokenAnswer(c, identity.passwordGrant(scopes), now);
      }
      case 'authorization_code': {
        if (!p.code) return tokenError(c, 'invalid_grant');
        const issued = identity.exchangeCode(p.code, p.redirect_uri, p.code_verifier);
        return typeof issued === 'string' ? tokenError(c, issued) : tokenAnswer(c, issued, now);
      }
      case 'refresh_token': {
        if (!p.refresh_token) return tokenError(c, 'invalid_grant');
        const issued = identity.refresh(p.refresh_token);
        return typeof issued === 'string' ? tokenError(c, issued) : tokenAnswer(c, issued, now);
      }
      default:
        // The client-credentials, implicit and hybrid flows are not modelled.
        return tokenError(c, 'unsupported_grant_type');
    }
  });
}
