/**
 * What an operator gives ml-connector to reach one Sage Intacct company: the
 * JSON `connections add intacct --config` accepts, and what the sandbox
 * prints (SPEC §7). A Web Services sender (senderId/senderPassword) that the
 * company has authorized, and an API user of that company (reference §2).
 * Date-times the gateway returns are read as UTC (see timestamps.ts).
 */
import { z } from 'zod';
import { DEFAULT_ENDPOINT_URL } from './schemas.ts';

/** Fields a UI masks and an API never returns. */
export const INTACCT_SECRET_FIELDS = ['senderPassword', 'userPassword'] as const;

const secret = { secret: true, writeOnly: true } as const;

const required = (what: string) => z.string().trim().min(1, 'must not be empty').describe(what);

export const IntacctConnectionSchema = z
  .strictObject({
    endpointUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default(DEFAULT_ENDPOINT_URL)
      .describe(`The XML gateway that signs in (default ${DEFAULT_ENDPOINT_URL}); later calls go to the endpoint the session names.`),
    senderId: required('The Web Services sender id (case sensitive), authorized in the company under Company > Setup > Security.'),
    senderPassword: z.string().min(1, 'must not be empty').describe('The Web Services sender password.').meta(secret),
    companyId: required('The company id users sign in to.'),
    userId: required('A Web Services user of that company.'),
    userPassword: z.string().min(1, 'must not be empty').describe('That user’s password.').meta(secret),
    entityId: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .optional()
      .describe('Multi-entity companies: the entity (location id) to work in; left out, the top level.'),
  })
  .describe('Connection to one Sage Intacct company through the XML gateway.');

export type IntacctConnection = z.output<typeof IntacctConnectionSchema>;
export type IntacctConnectionInput = z.input<typeof IntacctConnectionSchema>;
