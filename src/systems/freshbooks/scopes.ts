/**
 * OAuth scopes (reference/freshbooks.md §2: names per FreshBooks' docs, the
 * exact list UNCERTAIN) and which one each call needs. Shared by the client
 * (what the connect flow asks for) and the sandbox (what its gate enforces).
 */

export const FRESHBOOKS_SCOPES = [
  'user:profile:read',
  'user:clients:read',
  'user:clients:write',
  'user:invoices:read',
  'user:invoices:write',
  'user:payments:read',
  'user:payments:write',
  // The chart of accounts (§6): UNCERTAIN which scope FreshBooks asks for; this is ours.
  'user:journal_entries:read',
] as const;

export type FreshBooksScope = (typeof FRESHBOOKS_SCOPES)[number];

/** What ml-connector asks for in the connect flow: everything it reads, and the writes the sandbox's tests use. */
export const DEFAULT_SCOPES: readonly FreshBooksScope[] = FRESHBOOKS_SCOPES;

export function isFreshBooksScope(value: string): value is FreshBooksScope {
  return (FRESHBOOKS_SCOPES as readonly string[]).includes(value);
}

/** §2: scopes travel space-separated. */
export function parseScopeParam(raw: string | undefined): string[] {
  return [...new Set((raw ?? '').split(/\s+/).filter((s) => s !== ''))];
}

export type ScopedResource = 'clients' | 'invoices' | 'payments' | 'ledger';

/** The scope a read or a write of a resource needs. */
export function scopeFor(resource: ScopedResource, write: boolean): FreshBooksScope {
  if (resource === 'ledger') return 'user:journal_entries:read';
  return `user:${resource}:${write ? 'write' : 'read'}` as FreshBooksScope;
}

/** §8: "each event needs the matching read scope" (`invoice.create` → `user:invoices:read`). */
export function scopeForEvent(event: string): FreshBooksScope | undefined {
  const resource = event.split('.')[0];
  if (resource === 'client') return 'user:clients:read';
  if (resource === 'invoice') return 'user:invoices:read';
  if (resource === 'payment') return 'user:payments:read';
  return undefined;
}
