/**
 * FreshBooks' error numbers and shapes (reference/freshbooks.md §7). Two
 * styles exist for accounting calls: the older `{"response": {"errors":
 * [{errno, field, message, object, value}]}}`, which can come even with HTTP
 * 200, and the newer google.rpc style `{"code", "message", "details":
 * [{"@type": ".../google.rpc.ErrorInfo", "reason": "<errno>", "metadata"}]}`.
 * Only 1012 (not found) and 7012 (a client without a name or email) are
 * documented; the other numbers are ours (UNCERTAIN).
 */

export const ERRNO = {
  /** §7: "Client not found." / "Item not found." */
  notFound: 1012,
  /** §4: a client needs one of fname, lname, email or organization. */
  clientNameRequired: 7012,
  /** A field with a value FreshBooks refuses (UNCERTAIN number). */
  invalidField: 7002,
  /** A required field left out (UNCERTAIN number). */
  requiredField: 7001,
  /** §5: "page must be a number" and other bad query parameters (UNCERTAIN number). */
  invalidParameter: 1004,
  /** The token's user is not a member of the account or business named in the path (UNCERTAIN number). */
  forbidden: 1003,
  /** Rate limited (UNCERTAIN number: FreshBooks publishes no body for its 429). */
  rateLimited: 1020,
  /** A server error (UNCERTAIN number). */
  internal: 1000,
} as const;

/** google.rpc status codes the newer style carries in `code`. */
export const RPC_CODE = {
  invalidArgument: 3,
  notFound: 5,
  permissionDenied: 7,
  resourceExhausted: 8,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

export const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
export const ACCOUNTING_ERROR_DOMAIN = 'accounting.api.freshbooks.com';

/** OAuth refusals at the token endpoint (§2: `{"error", "error_description"}`). */
export const TOKEN_ERRORS = {
  invalidGrant: 'invalid_grant',
  invalidClient: 'invalid_client',
  invalidRequest: 'invalid_request',
  unsupportedGrantType: 'unsupported_grant_type',
  invalidScope: 'invalid_scope',
} as const;
