/**
 * The store keeps JSON as text and booleans as 0/1 so that one schema means
 * the same on SQLite and Postgres. These helpers are the way in and out.
 */
import type { IntBool, JsonText } from './schema.ts';

/** JSON text for a NOT NULL column. `undefined` is stored as JSON `null`. */
export function toJson(value: unknown): JsonText {
  return JSON.stringify(value) ?? 'null';
}

/** JSON text for a nullable column: `null` and `undefined` become SQL NULL. */
export function toJsonOrNull(value: unknown): JsonText | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** The value of a JSON text column; SQL NULL reads as `undefined`. */
export function fromJson<T = unknown>(text: JsonText): T;
export function fromJson<T = unknown>(text: JsonText | null): T | undefined;
export function fromJson<T = unknown>(text: JsonText | null): T | undefined {
  if (text === null) return undefined;
  return JSON.parse(text) as T;
}

export function toBool(value: boolean): IntBool {
  return value ? 1 : 0;
}

export function fromBool(value: number): boolean {
  return value !== 0;
}
