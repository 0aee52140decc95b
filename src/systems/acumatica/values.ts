/**
 * Acumatica's value objects (reference/acumatica.md §2), wrapped and
 * unwrapped here and nowhere else: the client hands plain records upwards and
 * wraps what it writes; the sandbox stores plain records and wraps what it
 * serves. Nothing above this edge ever sees `{"value": …}`.
 *
 * On the wire:
 * - system fields are plain: `id`, `rowNumber`, `delete`, `_links`, `error`, `files`;
 * - `note` and every general field are wrapped: `"CustomerID": {"value": "C001"}`,
 *   and a wrapper may carry `"error"` (§4, 422 answers);
 * - a linked entity is an object of wrapped fields, a detail entity an array of them;
 * - custom fields sit under `custom` as `{"<View>": {"<Field>": {"type": "CustomStringField", "value": …}}}`.
 *
 * Plain form: general fields are their values; linked entities plain objects;
 * details arrays of plain objects; `custom` is `{"<View>": {"<Field>": value}}`.
 */

/** §2: fields that are never wrapped. */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set(['id', 'rowNumber', 'delete', '_links', 'error', 'files']);

/** [CS] FieldTypes: the `type` of a custom field. */
export type CustomFieldType =
  | 'CustomStringField'
  | 'CustomIntField'
  | 'CustomDecimalField'
  | 'CustomBooleanField'
  | 'CustomDateTimeField'
  | 'CustomGuidField'
  | 'CustomShortField'
  | 'CustomLongField'
  | 'CustomDoubleField'
  | 'CustomByteField';

export type PlainValue = string | number | boolean | null;
export type PlainCustom = Record<string, Record<string, PlainValue>>;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A value object: `{"value": …}`, perhaps with `"error"`. An empty object is
 * a field whose value is null (how an instance renders nulls is UNCERTAIN in
 * §2; the sandbox writes `{}`).
 */
export function isValueObject(value: unknown): value is { value?: unknown; error?: string } {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 0) return true;
  return keys.every((key) => key === 'value' || key === 'error') && ('value' in value || keys.length === 1);
}

function unwrapCustom(custom: unknown): PlainCustom {
  const plain: PlainCustom = {};
  if (!isObject(custom)) return plain;
  for (const [view, fields] of Object.entries(custom)) {
    if (!isObject(fields)) continue;
    plain[view] = {};
    for (const [field, wrapped] of Object.entries(fields)) {
      plain[view][field] = isObject(wrapped) && 'value' in wrapped ? ((wrapped.value ?? null) as PlainValue) : null;
    }
  }
  return plain;
}

function customTypeOf(value: PlainValue): CustomFieldType {
  if (typeof value === 'boolean') return 'CustomBooleanField';
  if (typeof value === 'number') return Number.isInteger(value) ? 'CustomIntField' : 'CustomDecimalField';
  return 'CustomStringField';
}

function wrapCustom(custom: unknown, types: Readonly<Record<string, CustomFieldType>>): Json {
  const wrapped: Json = {};
  if (!isObject(custom)) return wrapped;
  for (const [view, fields] of Object.entries(custom)) {
    if (!isObject(fields)) continue;
    const out: Json = {};
    for (const [field, value] of Object.entries(fields)) {
      const plain = (value ?? null) as PlainValue;
      out[field] = { type: types[`${view}.${field}`] ?? customTypeOf(plain), value: plain };
    }
    wrapped[view] = out;
  }
  return wrapped;
}

/** An entity (top-level, linked or detail) as it came over the wire → its plain form. */
export function unwrapEntity(raw: unknown): Json {
  if (!isObject(raw)) return {};
  const plain: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    if (SYSTEM_FIELDS.has(key)) plain[key] = value;
    else if (key === 'custom') plain.custom = unwrapCustom(value);
    else if (Array.isArray(value)) plain[key] = value.map((item) => unwrapEntity(item));
    else if (isValueObject(value)) plain[key] = value.value ?? null;
    else if (isObject(value)) plain[key] = unwrapEntity(value);
    else plain[key] = value;
  }
  return plain;
}

export interface WrapOptions {
  /** `<View>.<Field>` → its custom type, when a number or text should go as another type. */
  customTypes?: Readonly<Record<string, CustomFieldType>>;
}

/** A plain entity → the wire form (for a PUT body, or the sandbox's answers). */
export function wrapEntity(plain: Readonly<Json>, options: WrapOptions = {}): Json {
  const wrapped: Json = {};
  for (const [key, value] of Object.entries(plain)) {
    if (value === undefined) continue;
    if (SYSTEM_FIELDS.has(key)) wrapped[key] = value;
    else if (key === 'custom') wrapped.custom = wrapCustom(value, options.customTypes ?? {});
    else if (Array.isArray(value)) wrapped[key] = value.map((item) => (isObject(item) ? wrapEntity(item, options) : { value: item }));
    else if (isObject(value)) wrapped[key] = wrapEntity(value, options);
    else wrapped[key] = { value };
  }
  return wrapped;
}

/** One field-level error of a 422 answer (§4), named by its path (`MainContact/Email`, `Details/2/Qty`). */
export interface FieldError {
  field: string;
  message: string;
}

/** Every `error` on a wrapper, a linked or detail entity, or the entity itself, with its path. */
export function fieldErrors(raw: unknown, path = ''): FieldError[] {
  const found: FieldError[] = [];
  if (!isObject(raw)) return found;
  if (typeof raw.error === 'string' && raw.error !== '') found.push({ field: path || '(record)', message: raw.error });
  for (const [key, value] of Object.entries(raw)) {
    if (SYSTEM_FIELDS.has(key) || key === 'custom') continue;
    const here = path ? `${path}/${key}` : key;
    if (Array.isArray(value)) value.forEach((item, i) => found.push(...fieldErrors(item, `${here}/${i}`)));
    else if (isValueObject(value)) {
      if (typeof value.error === 'string' && value.error !== '') found.push({ field: here, message: value.error });
    } else if (isObject(value)) found.push(...fieldErrors(value, here));
  }
  return found;
}
