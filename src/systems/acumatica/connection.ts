/**
 * What an operator gives ml-connector to reach one Acumatica tenant: the JSON
 * `connections add acumatica --config` accepts, and what the sandbox prints
 * (SPEC §7). The endpoint is pinned: every call goes to
 * `<baseUrl>/entity/<endpointName>/<endpointVersion>/` (reference §1, §10).
 */
import { z } from 'zod';
import { DEFAULT_ENDPOINT_NAME, ENDPOINT_VERSION_PATTERN } from './limits.ts';

/** Fields a UI masks and an API never returns. */
export const ACUMATICA_SECRET_FIELDS = ['clientSecret', 'password', 'refreshToken'] as const;

const secret = { secret: true, writeOnly: true } as const;

export const AUTH_METHODS = ['oauth', 'cookie'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const AcumaticaConnectionSchema = z
  .object({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .describe('The instance URL, including the instance name when the site is not at the web root (e.g. https://erp.example.com/AcumaticaERP).'),
    endpointName: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .default(DEFAULT_ENDPOINT_NAME)
      .describe('The web-service endpoint to use; the system endpoint is "Default".'),
    endpointVersion: z
      .string()
      .trim()
      .regex(ENDPOINT_VERSION_PATTERN, 'must look like 24.200.001')
      .describe('The endpoint version to pin, e.g. 24.200.001 (GET <baseUrl>/entity lists the ones the instance serves).'),
    clientId: z
      .string()
      .trim()
      .regex(/^[^@\s]+@[^@\s]+$/, 'must be <client id>@<tenant>, as shown on the Connected Applications form')
      .optional()
      .describe('Client id of the connected application, with the tenant after "@"; the tenant decides whose data is reachable.'),
    clientSecret: z.string().min(1, 'must not be empty').optional().describe('The connected application’s shared secret.').meta(secret),
    username: z.string().trim().min(1, 'must not be empty').optional().describe('The API user (resource-owner password grant, or cookie login).'),
    password: z.string().min(1, 'must not be empty').optional().describe('That user’s password.').meta(secret),
    refreshToken: z
      .string()
      .min(1, 'must not be empty')
      .optional()
      .describe('A refresh token from the authorization-code connect flow. It rotates: ml-connector stores each new one.')
      .meta(secret),
    auth: z.enum(AUTH_METHODS).optional().describe('oauth (default): tokens from the identity server; cookie: the legacy /entity/auth/login session.'),
    tenant: z.string().trim().min(1).optional().describe('The tenant to sign in to with cookie login (default: the one in clientId).'),
    branch: z.string().trim().min(1).optional().describe('The branch to sign in to with cookie login.'),
    requestsPerMinute: z.number().int().positive().optional().describe('The license’s requests per minute (License Monitoring Console).'),
    concurrentRequests: z.number().int().positive().optional().describe('The license’s concurrent API requests.'),
  })
  .superRefine((config, ctx) => {
    const hasPassword = config.username !== undefined && config.password !== undefined;
    if ((config.username === undefined) !== (config.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [config.username === undefined ? 'username' : 'password'], message: 'username and password go together' });
    }
    if ((config.auth ?? 'oauth') === 'oauth') {
      for (const field of ['clientId', 'clientSecret'] as const) {
        if (config[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required for OAuth' });
      }
      if (!hasPassword && config.refreshToken === undefined) {
        ctx.addIssue({ code: 'custom', path: ['refreshToken'], message: 'give a refresh token (connect flow) or a username and password' });
      }
    } else {
      if (!hasPassword) ctx.addIssue({ code: 'custom', path: ['username'], message: 'cookie login needs a username and password' });
      if (config.tenant === undefined && config.clientId === undefined) {
        ctx.addIssue({ code: 'custom', path: ['tenant'], message: 'cookie login needs the tenant (or a clientId naming it)' });
      }
    }
  })
  .describe('Connection to one Acumatica tenant through one pinned contract-based REST endpoint.');

export type AcumaticaConnection = z.output<typeof AcumaticaConnectionSchema>;
export type AcumaticaConnectionInput = z.input<typeof AcumaticaConnectionSchema>;

/** The tenant a connection signs in to: `tenant`, else the part of clientId after "@" (§6a). */
export function tenantOf(connection: Pick<AcumaticaConnection, 'tenant' | 'clientId'>): string | undefined {
  return connection.tenant ?? connection.clientId?.slice(connection.clientId.lastIndexOf('@') + 1);
}
