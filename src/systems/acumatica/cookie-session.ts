/**
 * The legacy cookie login (reference §6b): `POST <instance>/entity/auth/login`
 * with `{name, password, tenant, branch}` answers 204 and session cookies,
 * sent on every later call; `POST /entity/auth/logout` ends the session.
 * Acumatica says it will be discontinued, and unclosed sessions hold an API
 * user slot for about ten minutes, so OAuth is the default and a cookie
 * client should `logout()` when done.
 */
import { ConnectorError } from '../../core/errors.ts';
import { singleFlight, type CredentialSource } from '../../http/credentials.ts';
import { classifyNetworkFailure } from '../../http/system-definition.ts';
import { LOGIN_PATH, LOGOUT_PATH } from './paths.ts';
import { HttpErrorBody } from './schemas.ts';

export interface CookieLoginOptions {
  baseUrl: string;
  username: string;
  password: string;
  tenant: string;
  branch?: string;
  timeoutMs?: number;
}

/** `name=value` of each Set-Cookie header, joined for a Cookie header. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!.trim())
    .filter((pair) => pair.includes('=') && !pair.endsWith('='))
    .join('; ');
}

export class AcumaticaCookieSession implements CredentialSource {
  private cookies: string | undefined;
  private logins = 0;
  private readonly login: () => Promise<string>;

  constructor(private readonly options: CookieLoginOptions) {
    this.login = singleFlight(() => this.signIn());
  }

  private async signIn(): Promise<string> {
    const { baseUrl, username, password, tenant, branch } = this.options;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${LOGIN_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ name: username, password, tenant, ...(branch ? { branch } : {}) }),
        signal: timeout,
      });
    } catch (error) {
      throw classifyNetworkFailure('Acumatica', { type: 'network', error, timedOut: timeout.aborted }, { method: 'POST', path: LOGIN_PATH });
    }
    const text = await response.text();
    if (response.status === 204 || response.status === 200) {
      const cookies = cookieHeader(response);
      if (cookies === '') {
        throw new ConnectorError({ kind: 'system', code: 'acumatica.no_session_cookie', message: 'Acumatica answered the login without session cookies' });
      }
      this.cookies = cookies;
      this.logins++;
      return cookies;
    }
    let detail = '';
    try {
      const body = HttpErrorBody.safeParse(JSON.parse(text));
      if (body.success) detail = body.data.exceptionMessage ?? body.data.message ?? '';
    } catch {
      // Not JSON: the status says enough.
    }
    const status = response.status;
    const said = detail ? `: ${detail.slice(0, 200)}` : '';
    if (status === 429) {
      throw new ConnectorError({
        kind: 'rate_limited',
        code: 'acumatica.api_login_limit',
        message: `Acumatica refused the login (429)${said} — every API user slot of the license is taken; sessions left open end after about ten minutes`,
        retryAfterMs: 10_000,
        details: { status },
      });
    }
    if (status >= 500) {
      throw new ConnectorError({ kind: 'transient', code: 'acumatica.server_error', message: `Acumatica answered ${status} to the login${said}`, details: { status } });
    }
    throw new ConnectorError({
      kind: 'auth',
      code: 'acumatica.login_refused',
      message: `Acumatica refused the login (${status})${said}: check username, password and tenant`,
      details: { status },
    });
  }

  async authorize(): Promise<Record<string, string>> {
    return { cookie: this.cookies ?? (await this.login()) };
  }

  /** After a 401 (the session ended): sign in again, once for all callers. */
  async refresh(): Promise<boolean> {
    this.cookies = undefined;
    await this.login();
    return true;
  }

  /** §6b: always log out; an open session holds an API user slot. */
  async logout(): Promise<void> {
    const cookies = this.cookies;
    if (cookies === undefined) return;
    this.cookies = undefined;
    const response = await fetch(`${this.options.baseUrl}${LOGOUT_PATH}`, {
      method: 'POST',
      headers: { cookie: cookies },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
    });
    await response.arrayBuffer();
  }

  get loginCount(): number {
    return this.logins;
  }
}
