/**
 * Conditions on records, as both query languages state them (reference
 * §5.1 readByQuery's SQL-WHERE subset, §5.2 query's filter elements),
 * checked against the object's fields and evaluated on rendered records.
 *
 * Values compare by the field's type: numbers as numbers, dates and
 * date-times as instants (operands `mm/dd/yyyy` or `mm/dd/yyyy HH:MM:SS`),
 * text as text, case-sensitive unless the query asks otherwise (§5.1:
 * "string operands case-sensitive"). An empty field is NULL: only
 * IS NULL / isnull matches it.
 */
import type { ObjectName } from '../../systems/intacct/schemas.ts';
import { parseIntacctDate } from './dates.ts';
import { queryFailed } from './errors.ts';
import { fieldType, isKnownLeaf, valueAt, type FieldType, type Fields } from './objects.ts';

export type Comparison = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; field: string; op: Comparison; value: string }
  | { kind: 'like'; field: string; pattern: string; negated: boolean }
  | { kind: 'in'; field: string; values: string[]; negated: boolean }
  | { kind: 'null'; field: string; negated: boolean }
  | { kind: 'between'; field: string; low: string; high: string };

export interface ConditionContext {
  object: ObjectName;
  caseInsensitive: boolean;
  /** Fields outside the object's spec that records carry (custom fields written to it). */
  extraFields: ReadonlySet<string>;
}

/** Whether `path` names a field of the object (a leaf of the spec, or a custom field written to it). */
export function isQueryableField(ctx: Pick<ConditionContext, 'object' | 'extraFields'>, path: string): boolean {
  return isKnownLeaf(ctx.object, path) || ctx.extraFields.has(path);
}

type Operand = { type: FieldType; text: string; number: number };

function operand(ctx: ConditionContext, field: string, text: string): Operand {
  const type = fieldType(ctx.object, field);
  if (type === 'number') {
    const number = Number(text);
    if (text.trim() === '' || !Number.isFinite(number)) throw queryFailed(`${field} is a number; "${text}" is not`);
    return { type, text, number };
  }
  if (type === 'date' || type === 'datetime') {
    const ms = parseIntacctDate(text);
    if (ms === undefined) throw queryFailed(`${field} is a date; "${text}" is not mm/dd/yyyy or mm/dd/yyyy HH:MM:SS`);
    return { type, text, number: ms };
  }
  return { type, text: ctx.caseInsensitive ? text.toLowerCase() : text, number: Number.NaN };
}

/** Checks every field and operand once, before any record is looked at. */
export function checkCondition(condition: Condition, ctx: ConditionContext): void {
  const field = (path: string) => {
    if (!isQueryableField(ctx, path)) throw queryFailed(`${path} is not a field of ${ctx.object} that a query can use`);
  };
  switch (condition.kind) {
    case 'and':
    case 'or':
      condition.items.forEach((item) => checkCondition(item, ctx));
      return;
    case 'not':
      checkCondition(condition.item, ctx);
      return;
    case 'compare':
      field(condition.field);
      operand(ctx, condition.field, condition.value);
      return;
    case 'in':
      field(condition.field);
      if (condition.values.length === 0) throw queryFailed(`in on ${condition.field} needs at least one value`);
      condition.values.forEach((value) => operand(ctx, condition.field, value));
      return;
    case 'between':
      field(condition.field);
      operand(ctx, condition.field, condition.low);
      operand(ctx, condition.field, condition.high);
      return;
    case 'like':
    case 'null':
      field(condition.field);
      return;
  }
}

/** `%` any run, `_` any one character; everything else literal. */
function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = [...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/** -1, 0 or 1, or undefined when the field is NULL (or unreadable). */
function compareTo(ctx: ConditionContext, field: string, raw: string | undefined, right: Operand): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (right.type === 'number' || right.type === 'date' || right.type === 'datetime') {
    const left = right.type === 'number' ? Number(raw) : parseIntacctDate(raw);
    if (left === undefined || !Number.isFinite(left)) return undefined;
    return Math.sign(left - right.number);
  }
  const left = ctx.caseInsensitive ? raw.toLowerCase() : raw;
  return left < right.text ? -1 : left > right.text ? 1 : 0;
}

export function evaluate(condition: Condition, view: Fields, ctx: ConditionContext): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.items.every((item) => evaluate(item, view, ctx));
    case 'or':
      return condition.items.some((item) => evaluate(item, view, ctx));
    case 'not':
      return !evaluate(condition.item, view, ctx);
    case 'null': {
      const value = valueAt(view, condition.field);
      const isNull = value === undefined || value === '';
      return condition.negated ? !isNull : isNull;
    }
    case 'compare': {
      const order = compareTo(ctx, condition.field, valueAt(view, condition.field), operand(ctx, condition.field, condition.value));
      if (order === undefined) return false;
      switch (condition.op) {
        case '=':
          return order === 0;
        case '!=':
          return order !== 0;
        case '<':
          return order < 0;
        case '>':
          return order > 0;
        case '<=':
          return order <= 0;
        case '>=':
          return order >= 0;
      }
      return false;
    }
    case 'in': {
      const raw = valueAt(view, condition.field);
      if (raw === undefined || raw === '') return false;
      const found = condition.values.some((value) => compareTo(ctx, condition.field, raw, operand(ctx, condition.field, value)) === 0);
      return condition.negated ? !found : found;
    }
    case 'between': {
      const raw = valueAt(view, condition.field);
      const low = compareTo(ctx, condition.field, raw, operand(ctx, condition.field, condition.low));
      const high = compareTo(ctx, condition.field, raw, operand(ctx, condition.field, condition.high));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'like': {
      const raw = valueAt(view, condition.field);
      if (raw === undefined || raw === '') return false;
      const matches = likeRegExp(condition.pattern, ctx.caseInsensitive).test(raw);
      return condition.negated ? !matches : matches;
    }
  }
}
