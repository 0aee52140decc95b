/**
 * The sandbox's authorization server (reference/freshbooks.md §1, §2): the
 * authorization page on the auth host (`<auth>/oauth/authorize`, with its
 * consent form) and the token endpoint on the API host
 * (`<api>/auth/oauth/token`) for the authorization_code and refresh_token
 * grants only. The token endpoint takes JSON (what the SDK sends) or a form,
 * the client's credentials in the body or as HTTP Basic. Refusals are
 * `{"error", "error_description"}`; the descriptions and statuses (400, 401
 * for a bad client) are the common OAuth server's (UNCERTAIN, §2).
 */
import type { Context, Hono } from 'hono';
import { TOKEN_ERRORS } from '../../systems/freshbooks/error-codes.ts';
import { AUTHORIZE_PATH, TOKEN_PATH } from '../../systems/freshbooks/paths.ts';
import { parseScopeParam } from '../../systems/freshbooks/scopes.ts';
import { consentPage, errorPage } from './consent-page.ts';
import type { FreshBooksSettings } from './context.ts';
import { sendJson } from './errors.ts';
import type { FreshBooksTokenRegistry, IssuedTokens } from './tokens.ts';

export interface AuthorizationOptions {
  tokens: FreshBooksTokenRegistry;
  settings: () => FreshBooksSettings;
  clock: { now(): number };
  /** `<server>/freshbooks/auth`: where the consent form posts. */
  authRoot: (c: Context) => string;
  /** Who is signed in, for the page. */
  user: () => { name: string; business: string };
}

const DESCRIPTIONS: Record<string, string> = {
  [TOKEN_ERRORS.invalidGrant]:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  [TOKEN_ERRORS.invalidClient]: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  [TOKEN_ERRORS.invalidRequest]: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
  [TOKEN_ERRORS.unsupportedGrantType]: 'The authorization grant type is not supported by the authorization server.',
  [TOKEN_ERRORS.invalidScope]: 'The requested scope is invalid, unknown, or malformed.',
};

function tokenError(c: Context, error: string, status = 400): Response {
  return sendJson(c, status, { error, error_description: DESCRIPTIONS[error] ?? error });
}

/** Query parameters and a JSON or form body, merged (the body wins). */
async function params(c: Context): Promise<Record<string, string>> {
  const merged: Record<string, string> = { ...c.req.query() };
  const type = c.req.header('content-type') ?? '';
  if (/application\/x-www-form-urlencoded|multipart\/form-data/i.test(type)) {
    const body = await c.req.parseBody();
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') merged[key] = value;
  } else {
    const text = await c.req.text();
    if (text.trim() !== '') {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        merged.__malformed = 'true';
        return merged;
      }
      if (json !== null && typeof json === 'object') {
        for (const [key, value] of Object.entries(json)) if (typeof value === 'string' || typeof value === 'number') merged[key] = String(value);
      }
    }
  }
  return merged;
}

/** §2: HTTPS redirect URIs without a query string (the sandbox also takes http, for local receivers). */
function redirectProblem(settings: FreshBooksSettings, uri: string | undefined): string | undefined {
  if (!uri) return 'redirect_uri is required.';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'redirect_uri is not a URL.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'redirect_uri must be an https URL.';
  if (url.search !== '' || url.hash !== '') return 'redirect_uri cannot contain a query string or fragment: carry what must come back in state.';
  if (settings.redirectUris.length > 0 && !settings.redirectUris.includes(uri)) return 'redirect_uri is not one of the redirect URIs registered for the app.';
  return undefined;
}

type AuthorizeRequest = { redirectUri: string; scopes: string[]; state: string | undefined };

function readAuthorizeRequest(query: Record<string, string>, options: AuthorizationOptions): { error: string } | { redirectError: string; redirectUri: string; state: string | undefined } | { request: AuthorizeRequest } {
  if (!options.tokens.knowsClient(query.client_id)) return { error: 'Unknown client: the client_id is not a registered app.' };
  const problem = redirectProblem(options.settings(), query.redirect_uri);
  if (problem) return { error: problem };
  const redirectUri = query.redirect_uri!;
  if (query.response_type !== 'code') return { redirectError: 'unsupported_response_type', redirectUri, state: query.state };
  // §2: scopes are configured on the app; none asked for means all of them.
  const asked = parseScopeParam(query.scope);
  const app = options.tokens.app.scopes;
  if (!asked.every((scope) => app.includes(scope))) return { redirectError: TOKEN_ERRORS.invalidScope, redirectUri, state: query.state };
  return { request: { redirectUri, scopes: asked.length > 0 ? asked : [...app], state: query.state } };
}

function redirectWith(c: Context, redirectUri: string, params: Record<string, string | undefined>): Response {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') target.searchParams.set(key, value);
  return c.redirect(target.toString(), 302);
}

function tokenAnswer(c: Context, issued: IssuedTokens, now: number): Response {
  return sendJson(c, 200, {
    access_token: issued.access.token,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.round((issued.access.expiresAt - now) / 1000)),
    refresh_token: issued.refreshToken,
    scope: issued.access.scopes.join(' '),
    // §2: epoch SECONDS.
    created_at: Math.floor(issued.access.createdAt / 1000),
  });
}

/** The authorization page under `authPrefix` (the auth host), the token endpoint under `apiPrefix` (the API host). */
export function registerAuthorizationRoutes(app: Hono, authPrefix: string, apiPrefix: string, options: AuthorizationOptions): void {
  const { tokens } = options;

  app.get(`${authPrefix}${AUTHORIZE_PATH}`, (c) => {
    const parsed = readAuthorizeRequest(c.req.query(), options);
    if ('error' in parsed) return c.html(errorPage(parsed.error), 400);
    if ('redirectError' in parsed) return redirectWith(c, parsed.redirectUri, { error: parsed.redirectError, state: parsed.state });
    const user = options.user();
    return c.html(
      consentPage({
        clientId: tokens.app.clientId,
        user: user.name,
        business: user.business,
        scopes: parsed.request.scopes,
        action: `${options.authRoot(c)}${AUTHORIZE_PATH}/consent`,
        query: c.req.query(),
      }),
    );
  });

  app.post(`${authPrefix}${AUTHORIZE_PATH}/consent`, async (c) => {
    const query = await params(c);
    const parsed = readAuthorizeRequest(query, options);
    if ('error' in parsed) return c.html(errorPage(parsed.error), 400);
    if ('redirectError' in parsed) return redirectWith(c, parsed.redirectUri, { error: parsed.redirectError, state: parsed.state });
    const { request } = parsed;
    if (query.decision !== 'approve') return redirectWith(c, request.redirectUri, { error: 'access_denied', state: request.state });
    const code = tokens.issueCode({ redirectUri: request.redirectUri, scopes: request.scopes });
    return redirectWith(c, request.redirectUri, { code, state: request.state });
  });

  app.post(`${apiPrefix}${TOKEN_PATH}`, async (c) => {
    const p = await params(c);
    if (p.__malformed) return tokenError(c, TOKEN_ERRORS.invalidRequest);
    const basic = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      p.client_id ??= decodeURIComponent(decoded.slice(0, Math.max(0, colon)));
      p.client_secret ??= decodeURIComponent(decoded.slice(colon + 1));
    }
    const grantType = p.grant_type;
    if (!grantType) return tokenError(c, TOKEN_ERRORS.invalidRequest);
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return tokenError(c, TOKEN_ERRORS.unsupportedGrantType);
    if (!tokens.checkClient(p.client_id, p.client_secret)) return tokenError(c, TOKEN_ERRORS.invalidClient, 401);
    const now = options.clock.now();
    if (grantType === 'authorization_code') {
      if (!p.code) return tokenError(c, TOKEN_ERRORS.invalidRequest);
      const issued = tokens.exchangeCode(p.code, p.redirect_uri);
      return typeof issued === 'string' ? tokenError(c, issued) : tokenAnswer(c, issued, now);
    }
    if (!p.refresh_token) return tokenError(c, TOKEN_ERRORS.invalidRequest);
    const issued = tokens.refresh(p.refresh_token);
    return typeof issued === 'string' ? tokenError(c, issued) : tokenAnswer(c, issued, now);
  });
}
