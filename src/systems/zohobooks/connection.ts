/**
 * What an operator gives ml-connector to reach one Zoho Books organization:
 * the JSON `connections add zohobooks --config` accepts, and what the
 * sandbox prints (SPEC §7). The API host is not part of it: it comes from the
 * token response's `api_domain` (reference/zohobooks.md §1).
 */
import { z } from 'zod';
import { ZOHO_DATA_CENTRE_HOSTS } from './data-centres.ts';
import { ZOHO_PLANS } from './limits.ts';

/** Fields a UI masks and an API never returns. */
export const ZOHOBOOKS_SECRET_FIELDS = ['clientSecret', 'refreshToken'] as const;

const secret = { secret: true, writeOnly: true } as const;

export const ZohoBooksConnectionSchema = z
  .object({
    accountsUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .describe(
        `The Zoho Accounts server of the organization's data centre, e.g. ${ZOHO_DATA_CENTRE_HOSTS.us.accounts} or ${ZOHO_DATA_CENTRE_HOSTS.eu.accounts} (the "accounts-server" named when the organization authorized ml-connector).`,
      ),
    clientId: z.string().trim().min(1, 'must not be empty').describe('Client id of the OAuth client registered in the Zoho API Console.'),
    clientSecret: z
      .string()
      .min(1, 'must not be empty')
      .describe('Client secret of that OAuth client (with Multi-DC it may differ per data centre).')
      .meta(secret),
    refreshToken: z
      .string()
      .min(1, 'must not be empty')
      .describe('Long-lived refresh token from the authorization-code grant with access_type=offline.')
      .meta(secret),
    organizationId: z
      .union([z.string().trim().regex(/^\d+$/, 'must be the numeric organization id'), z.number().int().positive().transform(String)])
      .describe('The Zoho Books organization to read (GET /organizations lists them); sent as organization_id on every call.'),
    plan: z.enum(ZOHO_PLANS).optional().describe("The organization's Zoho Books plan: sets the daily request limit and concurrency (default professional)."),
    dailyLimit: z.number().int().positive().optional().describe('Requests per day when Zoho has granted more than the plan gives.'),
    perMinuteLimit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests per minute; Zoho allows 100 per organization. Only for sandboxes or a limit Zoho raised.'),
  })
  .describe('Connection to one Zoho Books organization.');

export type ZohoBooksConnection = z.output<typeof ZohoBooksConnectionSchema>;
export type ZohoBooksConnectionInput = z.input<typeof ZohoBooksConnectionSchema>;
