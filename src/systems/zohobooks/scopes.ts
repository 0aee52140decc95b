/**
 * Zoho Books OAuth scopes (reference/zohobooks.md §2): `ZohoBooks.<module>.<OP>`
 * with OP one of CREATE, READ, UPDATE, DELETE, ALL, plus
 * `ZohoBooks.fullaccess.all`. Zoho compares them without regard to case.
 */

/** The modules ml-connector uses; `settings` covers `GET /organizations`. */
export const ZOHO_MODULES = ['contacts', 'invoices', 'customerpayments', 'settings'] as const;
export type ZohoModule = (typeof ZOHO_MODULES)[number];

export const ZOHO_OPERATIONS = ['CREATE', 'READ', 'UPDATE', 'DELETE', 'ALL'] as const;
export type ZohoOperation = (typeof ZOHO_OPERATIONS)[number];

export const FULL_ACCESS_SCOPE = 'ZohoBooks.fullaccess.all';

export function zohoScope(module: ZohoModule, operation: ZohoOperation): string {
  return `ZohoBooks.${module}.${operation}`;
}

/** What a read-only sync needs: every module it reads, READ only. */
export const SYNC_READ_SCOPES: readonly string[] = ZOHO_MODULES.map((module) => zohoScope(module, 'READ'));

/** The operation an HTTP method needs (§2 scope format). */
export function operationFor(method: string): Exclude<ZohoOperation, 'ALL'> {
  switch (method.toUpperCase()) {
    case 'POST':
      return 'CREATE';
    case 'PUT':
    case 'PATCH':
      return 'UPDATE';
    case 'DELETE':
      return 'DELETE';
    default:
      return 'READ';
  }
}

/** Whether `granted` (scope strings, any case) allow `operation` on `module`. */
export function scopesAllow(granted: readonly string[], module: ZohoModule, operation: Exclude<ZohoOperation, 'ALL'>): boolean {
  const have = new Set(granted.map((scope) => scope.toLowerCase()));
  return (
    have.has(FULL_ACCESS_SCOPE.toLowerCase()) ||
    have.has(zohoScope(module, 'ALL').toLowerCase()) ||
    have.has(zohoScope(module, operation).toLowerCase())
  );
}

/** Splits the `scope` parameter of the consent URL: comma-separated (§2); spaces tolerated. */
export function parseScopeParam(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\s]+/)
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
}

/** A scope string names a real Zoho Books scope (any case). */
export function isZohoBooksScope(scope: string): boolean {
  if (scope.toLowerCase() === FULL_ACCESS_SCOPE.toLowerCase()) return true;
  const match = /^zohobooks\.([a-z]+)\.([a-z]+)$/i.exec(scope);
  if (!match) return false;
  return ZOHO_OPERATIONS.some((op) => op === match[2]!.toUpperCase());
}
