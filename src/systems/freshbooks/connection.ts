/**
 * What an operator gives ml-connector to reach one FreshBooks business: the
 * JSON `connections add freshbooks --config` accepts, and what the sandbox
 * prints (SPEC §7). A FreshBooks user can belong to several businesses, so
 * the account id (account-scoped paths) and the business uuid (business-
 * scoped paths) are named explicitly (reference/freshbooks.md §3).
 */
import { z } from 'zod';
import { API_BASE_URL, AUTH_BASE_URL } from './paths.ts';

/** Fields a UI masks and an API never returns. */
export const FRESHBOOKS_SECRET_FIELDS = ['clientSecret', 'refreshToken', 'webhookVerifiers'] as const;

const secret = { secret: true, writeOnly: true } as const;

const httpUrl = (description: string, fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default(fallback)
    .describe(description);

export const FreshBooksConnectionSchema = z
  .object({
    baseUrl: httpUrl(`The API host, which also serves the token endpoint (default ${API_BASE_URL}).`, API_BASE_URL),
    authUrl: httpUrl(`The host of the authorization page the connect flow sends the user to (default ${AUTH_BASE_URL}).`, AUTH_BASE_URL),
    clientId: z.string().trim().min(1, 'must not be empty').describe('Client id of the app registered in FreshBooks’ developer page.'),
    clientSecret: z.string().min(1, 'must not be empty').describe('Client secret of that app.').meta(secret),
    refreshToken: z
      .string()
      .min(1, 'must not be empty')
      .describe('A refresh token from the authorization-code connect flow. FreshBooks refresh tokens are single-use: ml-connector stores each new one.')
      .meta(secret),
    accountId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]+$/, 'must be the short alphanumeric account id (users/me lists it per business)')
      .describe('The business’s account id (e.g. xZNQ1X): scopes /accounting/account/<accountId>/… and the webhook callbacks.'),
    businessUuid: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be the business uuid users/me lists')
      .describe('The same business’s uuid: scopes /accounting/businesses/<business_uuid>/… (chart of accounts).'),
    redirectUri: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .optional()
      .describe('The redirect URI the connect flow used; sent along with refreshes, as FreshBooks’ SDK does. Optional.'),
    webhookVerifiers: z
      .record(z.string(), z.string())
      .optional()
      .describe('Per registered callback id, the verifier FreshBooks sent when it was registered: the key its deliveries are signed with. Kept by ml-connector’s webhook receiver; not configured by hand.')
      .meta(secret),
    requestsPerMinute: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests per minute ml-connector allows itself for this account (FreshBooks publishes no limit; default 300).'),
  })
  .describe('Connection to one FreshBooks business.');

export type FreshBooksConnection = z.output<typeof FreshBooksConnectionSchema>;
export type FreshBooksConnectionInput = z.input<typeof FreshBooksConnectionSchema>;
