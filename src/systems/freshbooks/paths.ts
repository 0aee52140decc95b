/**
 * FreshBooks' hosts and paths (reference/freshbooks.md §1–§8): the API host
 * serves the token endpoint, the identity call and both path families; the
 * authorization page lives on a separate host.
 */

/** §1: every resource path and the token endpoint are relative to it. */
export const API_BASE_URL = 'https://api.freshbooks.com';
/** §1: the host of the authorization page. */
export const AUTH_BASE_URL = 'https://auth.freshbooks.com';

/** §1: on the API host, not the auth host. */
export const TOKEN_PATH = '/auth/oauth/token';
/** §2: on the auth host. */
export const AUTHORIZE_PATH = '/oauth/authorize';
/** §3: who the token's user is, and which accounts and businesses they belong to. */
export const IDENTITY_PATH = '/auth/api/v1/users/me';

export type AccountingResource = 'clients' | 'invoices' | 'payments';

/** §4: each account-scoped resource's path below `/accounting/account/<accountId>`. */
export const ACCOUNTING_PATHS: Record<AccountingResource, string> = {
  clients: '/users/clients',
  invoices: '/invoices/invoices',
  payments: '/payments/payments',
};

/** `/accounting/account/<accountId>/<resource path>[/<id>]` (§4). */
export function accountingPath(accountId: string, resource: AccountingResource, id?: string | number): string {
  const base = `/accounting/account/${encodeURIComponent(accountId)}${ACCOUNTING_PATHS[resource]}`;
  return id === undefined ? base : `${base}/${encodeURIComponent(String(id))}`;
}

/** `/accounting/businesses/<business_uuid>/ledger_accounts/accounts[/<uuid>]` (§6). */
export function ledgerAccountsPath(businessUuid: string, accountUuid?: string): string {
  const base = `/accounting/businesses/${encodeURIComponent(businessUuid)}/ledger_accounts/accounts`;
  return accountUuid === undefined ? base : `${base}/${encodeURIComponent(accountUuid)}`;
}

/** `/events/account/<accountId>/events/callbacks[/<id>]` (§8). */
export function callbacksPath(accountId: string, callbackId?: string | number): string {
  const base = `/events/account/${encodeURIComponent(accountId)}/events/callbacks`;
  return callbackId === undefined ? base : `${base}/${encodeURIComponent(String(callbackId))}`;
}
