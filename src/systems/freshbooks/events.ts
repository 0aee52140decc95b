/**
 * FreshBooks' webhook events (reference/freshbooks.md §8): names are
 * `<resource>.<action>`, and a callback registered for a resource alone
 * (`invoice`) receives every event of it. The list of resources is the one
 * the reference gives (UNCERTAIN beyond client, invoice and payment, which
 * are the ones the sandbox sends).
 */

export const FRESHBOOKS_EVENT_RESOURCES = [
  'client',
  'invoice',
  'payment',
  'estimate',
  'expense',
  'item',
  'project',
  'recurring',
  'time_entry',
  'task',
  'credit_note',
  'bill',
  'bill_vendor',
] as const;

export type FreshBooksEventResource = (typeof FRESHBOOKS_EVENT_RESOURCES)[number];

export type EventAction = 'create' | 'update' | 'delete';

/** The name of the verification message the sandbox sends to a new callback (UNCERTAIN: FreshBooks does not document it). */
export const VERIFY_EVENT = 'callback.verify';

/** Whether a callback registered for `subscribed` receives `event` (a parent such as `invoice` takes all of its children). */
export function eventMatches(subscribed: string, event: string): boolean {
  return subscribed === event || event.startsWith(`${subscribed}.`);
}
