/**
 * Checks every flow's mapping shares: values HubSpot would refuse are caught
 * while mapping, so the record is dead-lettered with a reason that names the
 * field and the value instead of failing a whole batch. And the shapes every
 * invoice mapping builds alike.
 */
import type { TargetRecord } from '../engine/flow-definition.ts';

// A pragmatic address check: one @, a dot in the domain, no spaces. HubSpot's own is stricter in places.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** ISO 4217 codes are three upper-case letters; HubSpot then checks the code against its own list. */
export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/** A `YYYY-MM-DD` date as HubSpot's date properties want it (midnight UTC). */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** Drops undefined, null and empty values: HubSpot clears a property sent as "". */
export function compactProperties(values: Record<string, string | number | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') continue;
    out[key] = String(value);
  }
  return out;
}

/** Money as HubSpot shows it: a plain decimal string. */
export function money(value: number | string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? String(Math.round(number * 100) / 100) : undefined;
}

/** Mail providers whose domain says nothing about the company an address belongs to. */
const SHARED_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'mail.com',
  'yandex.com',
]);

/** The company domain an email address gives, unless it is a shared mail provider's. */
export function companyDomain(email: string | undefined): string | undefined {
  const domain = email?.trim().toLowerCase().split('@')[1];
  return domain && domain.includes('.') && !SHARED_MAIL_DOMAINS.has(domain) ? domain : undefined;
}

/** A line item that exists for its invoice (`partOf`): held back with it, never left orphaned. */
export function lineItemRecord(key: string, invoiceKey: string, properties: Record<string, string>): TargetRecord {
  return { key, partOf: invoiceKey, objectType: 'line_items', match: { by: 'source_id' }, properties, parents: [] };
}

/** An invoice's parents: reference/hubspot.md §7.2, invoice → company 179, → contact 177, → line item 409. */
export function invoiceParents(companyKey: string | undefined, contactKey: string | undefined, lineKeys: readonly string[]): TargetRecord['parents'] {
  return [
    ...(companyKey ? [{ key: companyKey, objectType: 'companies' as const, associationTypeId: 179 }] : []),
    ...(contactKey ? [{ key: contactKey, objectType: 'contacts' as const, associationTypeId: 177 }] : []),
    ...lineKeys.map((key) => ({ key, objectType: 'line_items' as const, associationTypeId: 409 })),
  ];
}
