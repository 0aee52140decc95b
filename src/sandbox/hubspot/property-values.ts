/**
 * Checking and normalising property values on write, and HubSpot's
 * "Property values were not valid" error (reference/hubspot.md §18, §3).
 * Values are strings both ways; numbers are normalised, datetimes become
 * ISO-8601 with milliseconds, dates become `YYYY-MM-DD` at midnight UTC.
 */
import { HubSpotApiError } from './errors.ts';
import type { PropertyDef } from './property-catalog.ts';

export interface ValueProblem {
  name: string;
  /** HubSpot's error code, e.g. PROPERTY_DOESNT_EXIST, INVALID_OPTION. */
  error: string;
  message: string;
}

export type Normalized = { ok: true; value: string } | { ok: false; problem: ValueProblem };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INTEGER = /^-?\d+$/;

/** Epoch milliseconds from an epoch-ms string or an ISO-8601 string; undefined when neither. */
export function parseTimestamp(raw: string): number | undefined {
  const trimmed = raw.trim();
  if (INTEGER.test(trimmed)) return Number(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const ms = Date.parse(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

export function isoString(ms: number): string {
  return new Date(ms).toISOString();
}

/** The canonical string of a number: `"1500.00"` → `"1500"`, `"1e3"` → `"1000"`. */
export function formatNumber(n: number): string {
  return String(Number(n.toFixed(10)));
}

/** Money: two decimals, as HubSpot shows computed amounts. */
export function formatMoney(n: number): string {
  return (Math.round(n * 100) / 100).toFixed(2);
}

function fail(name: string, error: string, message: string): Normalized {
  return { ok: false, problem: { name, error, message } };
}

/**
 * Normalises one non-empty written value for its definition. Enumeration
 * checks skip externally-sourced options (owners, pipelines and stages:
 * object rules check those).
 */
export function normalizeValue(def: PropertyDef, raw: string): Normalized {
  const name = def.name;
  switch (def.type) {
    case 'number': {
      const trimmed = raw.trim();
      const n = Number(trimmed);
      if (trimmed === '' || !Number.isFinite(n)) return fail(name, 'INVALID_DECIMAL', `${raw} was not a valid number.`);
      return { ok: true, value: formatNumber(n) };
    }
    case 'bool': {
      const lower = raw.trim().toLowerCase();
      if (lower !== 'true' && lower !== 'false') return fail(name, 'INVALID_BOOLEAN', `${raw} is not a valid boolean (expected true or false).`);
      return { ok: true, value: lower };
    }
    case 'datetime': {
      const ms = parseTimestamp(raw);
      if (ms === undefined) return fail(name, 'INVALID_DATETIME', `${raw} is not a valid datetime (expected epoch milliseconds or ISO-8601).`);
      return { ok: true, value: isoString(ms) };
    }
    case 'date': {
      const ms = parseTimestamp(raw);
      if (ms === undefined) return fail(name, 'INVALID_DATE', `${raw} is not a valid date (expected YYYY-MM-DD or epoch milliseconds at midnight UTC).`);
      const d = new Date(ms);
      // §3: a date property must be midnight UTC.
      if (ms % 86_400_000 !== 0) {
        const time = `${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${d.getUTCMilliseconds()}`;
        return fail(name, 'INVALID_DATE', `${raw} is at ${time} UTC, not midnight!`);
      }
      return { ok: true, value: d.toISOString().slice(0, 10) };
    }
    case 'enumeration': {
      if (def.externalOptions || def.dynamicOptions) return { ok: true, value: raw };
      const allowed = def.options.map((o) => o.value);
      const values = def.fieldType === 'checkbox' ? raw.split(';').filter((v) => v !== '') : [raw];
      const bad = values.find((v) => !allowed.includes(v));
      if (bad !== undefined) {
        return fail(name, 'INVALID_OPTION', `${bad} was not one of the allowed options: [${allowed.join(', ')}]`);
      }
      return { ok: true, value: values.join(';') };
    }
    default: {
      if (raw.length > 65_536) return fail(name, 'INVALID_LENGTH', `Property "${name}" is longer than 65536 characters.`);
      return { ok: true, value: raw };
    }
  }
}

export function checkEmail(name: string, value: string): ValueProblem | undefined {
  return EMAIL.test(value) ? undefined : { name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` };
}

/**
 * §18: 400 VALIDATION_ERROR whose message embeds the JSON list of
 * validation results and whose `errors[]` repeats each one.
 */
export function propertyValuesError(portalId: number, problems: ValueProblem[]): HubSpotApiError {
  const results = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
    portalId,
  }));
  return new HubSpotApiError(400, {
    category: 'VALIDATION_ERROR',
    message: `Property values were not valid: ${JSON.stringify(results)}`,
    errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  });
}

export const doesNotExist = (name: string): ValueProblem => ({
  name,
  error: 'PROPERTY_DOESNT_EXIST',
  message: `Property "${name}" does not exist`,
});

export const readOnly = (name: string): ValueProblem => ({
  name,
  error: 'READ_ONLY_VALUE',
  message: `Property "${name}" is a read-only property; its value cannot be set`,
});

export const required = (name: string, message = `Property "${name}" is required`): ValueProblem => ({
  name,
  error: 'REQUIRED_PROPERTY',
  message,
});
