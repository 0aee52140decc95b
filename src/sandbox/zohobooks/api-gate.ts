/**
 * Everything in front of the Books API's handlers, in Zoho's order as far as
 * it can be told: the `Zoho-oauthtoken` header (§2), the token's data centre,
 * `organization_id` (§3), the organization's limits (§7) and the token's
 * scopes (§2, 401 + code 57 when one is missing).
 */
import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../core/clock.ts';
import { ZOHO_DATA_CENTRES, type ZohoDataCentre } from '../../systems/zohobooks/data-centres.ts';
import { ZOHO_CODES, ZOHO_MESSAGES } from '../../systems/zohobooks/error-codes.ts';
import { operationFor, scopesAllow, type ZohoModule } from '../../systems/zohobooks/scopes.ts';
import type { OrganizationSettings, ZohoEnv } from './context.ts';
import { sendZohoError } from './errors.ts';
import { isRefusal, type ZohoRateLimiter } from './rate-limits.ts';
import type { ZohoTokenRegistry } from './tokens.ts';

/** `/api/<dc>/books/v3/<rest>` → its parts; undefined for other paths. */
export function parseApiPath(path: string): { dataCentre: ZohoDataCentre; rest: string[] } | undefined {
  const match = /^\/api\/([a-z]+)\/books\/v3(\/.*)?$/.exec(path);
  if (!match || !(ZOHO_DATA_CENTRES as readonly string[]).includes(match[1]!)) return undefined;
  return { dataCentre: match[1] as ZohoDataCentre, rest: (match[2] ?? '').split('/').filter((s) => s !== '') };
}

/** The scope module a Books path belongs to. */
export function moduleOf(rest: readonly string[]): ZohoModule | undefined {
  switch (rest[0]) {
    case 'organizations':
      return 'settings';
    case 'contacts':
      return 'contacts';
    case 'invoices':
    case 'invoice':
      return 'invoices';
    case 'customerpayments':
    case 'customerpayment':
      return 'customerpayments';
    default:
      return undefined;
  }
}

function zohoToken(header: string | undefined): string | undefined {
  // §2: `Authorization: Zoho-oauthtoken <token>`; Bearer is not accepted here (UNCERTAIN whether Zoho does).
  return /^Zoho-oauthtoken\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

export interface GateParts {
  clock: Clock;
  tokens: ZohoTokenRegistry;
  limits: ZohoRateLimiter;
  settings: () => OrganizationSettings;
}

export function apiGate(parts: GateParts): MiddlewareHandler<ZohoEnv> {
  return async (c, next) => {
    const parsed = parseApiPath(c.req.path);
    if (!parsed) return next();
    const unauthorized = () => sendZohoError(c, 401, ZOHO_CODES.notAuthorized, ZOHO_MESSAGES.notAuthorized);

    const record = parts.tokens.lookup(zohoToken(c.req.header('Authorization')) ?? '');
    if (typeof record === 'string') return unauthorized();
    // A token works only in the data centre it was issued for: clients must follow api_domain (§1).
    if (record.dataCentre !== parsed.dataCentre) return unauthorized();

    const settings = parts.settings();
    const listingOrganizations = parsed.rest.length === 1 && parsed.rest[0] === 'organizations';
    const organizationId = c.req.query('organization_id');
    if (!listingOrganizations) {
      if (organizationId === undefined || organizationId.trim() === '') {
        return sendZohoError(c, 400, ZOHO_CODES.invalidValue, ZOHO_MESSAGES.invalidValue('organization_id'));
      }
      if (organizationId !== settings.organizationId) {
        return sendZohoError(c, 400, ZOHO_CODES.unknownOrganization, ZOHO_MESSAGES.unknownOrganization(organizationId));
      }
    }

    const admission = parts.limits.admit();
    if (isRefusal(admission)) return sendZohoError(c, 429, admission.code, admission.message);
    try {
      const module = moduleOf(parsed.rest);
      if (module && !scopesAllow(record.scopes, module, operationFor(c.req.method))) return unauthorized();
      c.set('grant', { token: record.token, scopes: record.scopes });
      c.set('dataCentre', parsed.dataCentre);
      if (settings.processingDelayMs > 0) await parts.clock.sleep(settings.processingDelayMs);
      await next();
    } finally {
      admission.release();
    }
  };
}
