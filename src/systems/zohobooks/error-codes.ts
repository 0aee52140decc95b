/**
 * Zoho Books' error codes and the exact messages of the limit errors
 * (reference/zohobooks.md §7, §8). Shared by the classification function and
 * the sandbox, so both speak the same codes.
 */

export const ZOHO_CODES = {
  success: 0,
  /** "Invalid value passed for <param>" (query parameters, missing organization_id). */
  invalidValue: 2,
  /** Unknown URL (ours: the code Zoho is widely seen to use for it). */
  invalidUrl: 5,
  /** "Invalid value passed for <field>" family (body fields). */
  invalidField: 14,
  /** Per-minute limit exceeded: the organization is blocked for a while. */
  perMinuteLimit: 44,
  /** Daily limit of the plan exceeded. */
  dailyLimit: 45,
  /** Invalid or expired token, or a missing scope. */
  notAuthorized: 57,
  internalError: 1000,
  /** "<Resource> does not exist." */
  doesNotExist: 1002,
  /** Too many requests in process at once. */
  concurrencyLimit: 1070,
  /** "This user is not associated with the CompanyID/CompanyName:<id>." */
  unknownOrganization: 6041,
} as const;

export const ZOHO_MESSAGES = {
  perMinuteLimit:
    'For security reasons your organization has been blocked as it have exceeded the maximum number of requests per minute that can originate from an organization.',
  dailyLimit: (limit: number) => `The API call for this organization has exceeded the maximum call rate limit of ${limit}.`,
  concurrencyLimit: 'You have reached the maximum number of in process requests allowed. Kindly try again after some time.',
  notAuthorized: 'You are not authorized to perform this operation',
  unknownOrganization: (id: string) => `This user is not associated with the CompanyID/CompanyName:${id}.`,
  invalidValue: (name: string) => `Invalid value passed for ${name}`,
  doesNotExist: (resource: string) => `${resource} does not exist.`,
  invalidUrl: 'Invalid URL Passed',
} as const;

/** Token endpoint error names (§2, UNCERTAIN exact shape): `{"error": "<name>"}`. */
export const TOKEN_ERRORS = {
  invalidCode: 'invalid_code',
  invalidClient: 'invalid_client',
  invalidRedirectUri: 'invalid_redirect_uri',
  unsupportedGrantType: 'unsupported_grant_type',
  invalidRequest: 'invalid_request',
} as const;
