/**
 * `$filter` as the contract API takes it (reference/acumatica.md §5: OData v3
 * URI conventions): comparisons `eq ne gt ge lt le`, `and`, `or`, `not`,
 * parentheses, the functions `substringof`, `startswith`, `endswith`,
 * linked-entity paths (`MainContact/Email`), custom fields
 * (`cf.String(f='View.Field')`), and literals: 'text' (with '' for a quote),
 * numbers, true/false, null, `datetimeoffset'…'`, `datetime'…'`,
 * `date'…'`, `guid'…'`.
 *
 * Strings compare without regard to case (SQL Server's default collation,
 * our assumption); date-time fields compare as instants.
 */
import { parseAcumaticaDateTime } from '../../systems/acumatica/timestamps.ts';
import { DATE_TIME_FIELDS, type EntitySpec } from './entities.ts';
import type { TimeRange } from './entity-store.ts';

export type Literal =
  | { kind: 'literal'; type: 'string'; value: string }
  | { kind: 'literal'; type: 'number'; value: number }
  | { kind: 'literal'; type: 'boolean'; value: boolean }
  | { kind: 'literal'; type: 'null'; value: null }
  | { kind: 'literal'; type: 'datetime'; value: number }
  | { kind: 'literal'; type: 'guid'; value: string };

export type Operand = Literal | { kind: 'field'; path: string[] } | { kind: 'custom'; view: string; field: string };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'compare'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'call'; name: 'substringof' | 'startswith' | 'endswith'; args: Operand[] };

export class FilterError extends Error {}

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'typed'; type: string; v: string }
  | { t: 'number'; v: number }
  | { t: 'punct'; v: '(' | ')' | ',' | '=' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readQuoted = (): string => {
    // At an opening quote: '' inside is one quote.
    let value = '';
    i++;
    for (;;) {
      if (i >= text.length) throw new FilterError('an unterminated quoted literal');
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        i++;
        return value;
      }
      value += text[i++];
    }
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === '=') {
      tokens.push({ t: 'punct', v: ch });
      i++;
    } else if (ch === "'") {
      tokens.push({ t: 'string', v: readQuoted() });
    } else if (/[-\d]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?([mMdDfFlL])?/.exec(text.slice(i));
      if (!match) throw new FilterError(`an unexpected "${ch}" at ${i + 1}`);
      tokens.push({ t: 'number', v: Number(match[0].replace(/[mMdDfFlL]$/, '')) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(text.slice(i))!;
      i += match[0].length;
      if (text[i] === "'" && /^(datetimeoffset|datetime|date|guid|time)$/i.test(match[0])) {
        tokens.push({ t: 'typed', type: match[0].toLowerCase(), v: readQuoted() });
      } else {
        tokens.push({ t: 'ident', v: match[0] });
      }
    } else {
      throw new FilterError(`an unexpected "${ch}" at ${i + 1}`);
    }
  }
  return tokens;
}

const COMPARE_OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['substringof', 'startswith', 'endswith']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(word: string): boolean {
    const token = this.peek();
    return token?.t === 'ident' && token.v.toLowerCase() === word;
  }

  private expect(punct: '(' | ')' | ',' | '='): void {
    const token = this.tokens[this.i++];
    if (token?.t !== 'punct' || token.v !== punct) throw new FilterError(`"${punct}" expected`);
  }

  parse(): FilterExpr {
    const expr = this.or();
    if (this.i < this.tokens.length) throw new FilterError('unexpected text after the expression');
    return expr;
  }

  private or(): FilterExpr {
    let left = this.and();
    while (this.isWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpr {
    let left = this.unary();
    while (this.isWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    if (this.isWord('not')) {
      this.i++;
      return { kind: 'not', operand: this.unary() };
    }
    const token = this.peek();
    if (token?.t === 'punct' && token.v === '(') {
      this.i++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token?.t === 'ident' && FUNCTIONS.has(token.v.toLowerCase())) {
      const call = this.call();
      // `startswith(X,'a') eq true` is the OData v3 spelling; both are taken.
      if (this.peek()?.t === 'ident' && COMPARE_OPS.has((this.peek() as { v: string }).v.toLowerCase())) {
        const op = (this.tokens[this.i++] as { v: string }).v.toLowerCase() as CompareOp;
        const right = this.operand();
        if (right.kind !== 'literal' || right.type !== 'boolean' || (op !== 'eq' && op !== 'ne')) throw new FilterError('a function result compares only with eq/ne true/false');
        return right.value === (op === 'eq') ? call : { kind: 'not', operand: call };
      }
      return call;
    }
    const left = this.operand();
    const op = this.tokens[this.i++];
    if (op?.t !== 'ident' || !COMPARE_OPS.has(op.v.toLowerCase())) throw new FilterError('a comparison operator (eq, ne, gt, ge, lt, le) expected');
    return { kind: 'compare', op: op.v.toLowerCase() as CompareOp, left, right: this.operand() };
  }

  private call(): FilterExpr {
    const name = (this.tokens[this.i++] as { v: string }).v.toLowerCase() as 'substringof' | 'startswith' | 'endswith';
    this.expect('(');
    const args = [this.operand()];
    while (this.peek()?.t === 'punct' && (this.peek() as { v: string }).v === ',') {
      this.i++;
      args.push(this.operand());
    }
    this.expect(')');
    if (args.length !== 2) throw new FilterError(`${name} takes two arguments`);
    return { kind: 'call', name, args };
  }

  private operand(): Operand {
    const token = this.tokens[this.i++];
    if (!token) throw new FilterError('an operand expected');
    switch (token.t) {
      case 'string':
        return { kind: 'literal', type: 'string', value: token.v };
      case 'number':
        return { kind: 'literal', type: 'number', value: token.v };
      case 'typed': {
        if (token.type === 'guid') return { kind: 'literal', type: 'guid', value: token.v.toLowerCase() };
        if (token.type === 'time') throw new FilterError('time literals are not supported');
        const ms = parseAcumaticaDateTime(token.v);
        if (ms === undefined || (token.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(token.v))) throw new FilterError(`"${token.v}" is not a valid ${token.type}`);
        return { kind: 'literal', type: 'datetime', value: ms };
      }
      case 'ident': {
        const word = token.v.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'literal', type: 'boolean', value: word === 'true' };
        if (word === 'null') return { kind: 'literal', type: 'null', value: null };
        if (/^cf\.[a-z]+$/i.test(token.v)) {
          // §5: cf.<Type>(f='<View>.<Field>')
          this.expect('(');
          const f = this.tokens[this.i++];
          if (f?.t !== 'ident' || f.v !== 'f') throw new FilterError("cf.<Type>(f='<View>.<Field>') expected");
          this.expect('=');
          const name = this.tokens[this.i++];
          this.expect(')');
          if (name?.t !== 'string' || !/^[^.]+\.[^.]+$/.test(name.v)) throw new FilterError("cf.<Type>(f='<View>.<Field>') expected");
          const [view, field] = name.v.split('.') as [string, string];
          return { kind: 'custom', view, field };
        }
        return { kind: 'field', path: token.v.split('/') };
      }
      default:
        throw new FilterError('an operand expected');
    }
  }
}

/** Parses and checks every field path against the entity (§5: filtering on detail entities is not supported). */
export function parseFilter(text: string, spec: EntitySpec): FilterExpr {
  const expr = new Parser(tokenize(text)).parse();
  const check = (operand: Operand) => {
    if (operand.kind !== 'field') return;
    const [top, sub, subsub, ...rest] = operand.path;
    if (spec.details.includes(top!)) throw new FilterError(`filtering on the detail entity ${top} is not supported`);
    if (sub === undefined) {
      if (!spec.fields.includes(top!)) throw new FilterError(`${spec.name} has no field ${top}`);
      return;
    }
    const nested = spec.linked[top!];
    if (nested === undefined) throw new FilterError(`${spec.name} has no linked entity ${top}`);
    if (subsub === undefined) {
      if (!spec.subFields[top!]?.includes(sub)) throw new FilterError(`${top} has no field ${sub}`);
      return;
    }
    if (!nested.includes(sub) || rest.length > 0 || !spec.subFields[sub]?.includes(subsub)) throw new FilterError(`${operand.path.join('/')} is not a field`);
  };
  const walk = (node: FilterExpr): void => {
    if (node.kind === 'and' || node.kind === 'or') {
      walk(node.left);
      walk(node.right);
    } else if (node.kind === 'not') walk(node.operand);
    else if (node.kind === 'compare') {
      check(node.left);
      check(node.right);
    } else if (node.kind === 'call') node.args.forEach(check);
  };
  walk(expr);
  return expr;
}

type Value = string | number | boolean | null | undefined;

function resolve(operand: Operand, record: Record<string, unknown>): { value: Value; dateTime: boolean } {
  if (operand.kind === 'literal') return { value: operand.value, dateTime: operand.type === 'datetime' };
  if (operand.kind === 'custom') {
    const custom = record.custom as Record<string, Record<string, Value>> | undefined;
    return { value: custom?.[operand.view]?.[operand.field] ?? null, dateTime: false };
  }
  let current: unknown = record;
  for (const part of operand.path) current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined;
  const last = operand.path[operand.path.length - 1]!;
  return { value: (current ?? null) as Value, dateTime: DATE_TIME_FIELDS.has(last) };
}

function compareValues(op: CompareOp, a: { value: Value; dateTime: boolean }, b: { value: Value; dateTime: boolean }): boolean {
  let left = a.value;
  let right = b.value;
  if (a.dateTime || b.dateTime) {
    left = typeof left === 'string' ? (parseAcumaticaDateTime(left) ?? null) : left;
    right = typeof right === 'string' ? (parseAcumaticaDateTime(right) ?? null) : right;
  }
  if (left === null || left === undefined || right === null || right === undefined) {
    const bothNull = (left ?? null) === null && (right ?? null) === null;
    return op === 'eq' ? bothNull : op === 'ne' ? !bothNull : false;
  }
  let order: number;
  if (typeof left === 'string' && typeof right === 'string') {
    const l = left.toLowerCase();
    const r = right.toLowerCase();
    order = l < r ? -1 : l > r ? 1 : 0;
  } else if (typeof left === 'number' && typeof right === 'number') {
    order = left - right;
  } else if (typeof left === 'boolean' && typeof right === 'boolean') {
    order = Number(left) - Number(right);
  } else {
    // Mixed types: equal only as text (an int field filtered with a quoted number).
    order = String(left).toLowerCase() === String(right).toLowerCase() ? 0 : String(left) < String(right) ? -1 : 1;
  }
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

/** Whether the record (plain form, with its date-time fields) passes the filter. */
export function matches(expr: FilterExpr, record: Record<string, unknown>): boolean {
  switch (expr.kind) {
    case 'and':
      return matches(expr.left, record) && matches(expr.right, record);
    case 'or':
      return matches(expr.left, record) || matches(expr.right, record);
    case 'not':
      return !matches(expr.operand, record);
    case 'compare':
      return compareValues(expr.op, resolve(expr.left, record), resolve(expr.right, record));
    case 'call': {
      // substringof(needle, haystack); startswith/endswith(haystack, prefix).
      const [first, second] = expr.args.map((arg) => resolve(arg, record).value) as [Value, Value];
      const [haystack, needle] = expr.name === 'substringof' ? [second, first] : [first, second];
      if (typeof haystack !== 'string' || typeof needle !== 'string') return false;
      const h = haystack.toLowerCase();
      const n = needle.toLowerCase();
      return expr.name === 'substringof' ? h.includes(n) : expr.name === 'startswith' ? h.startsWith(n) : h.endsWith(n);
    }
  }
}

/**
 * The LastModifiedDateTime range the filter's top-level `and` terms imply,
 * so a scan can skip what cannot match; the full filter still decides.
 */
export function modifiedRange(expr: FilterExpr | undefined): TimeRange {
  const range: TimeRange = {};
  const visit = (node: FilterExpr): void => {
    if (node.kind === 'and') {
      visit(node.left);
      visit(node.right);
      return;
    }
    if (node.kind !== 'compare') return;
    let { op, left, right } = node;
    if (right.kind === 'field' && left.kind === 'literal') {
      [left, right] = [right, left];
      op = ({ gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq', ne: 'ne' } as const)[op];
    }
    if (left.kind !== 'field' || left.path.length !== 1 || left.path[0] !== 'LastModifiedDateTime') return;
    if (right.kind !== 'literal' || right.type !== 'datetime') return;
    const t = right.value;
    const raise = (from: number) => (range.from = range.from === undefined ? from : Math.max(range.from, from));
    const lower = (to: number) => (range.to = range.to === undefined ? to : Math.min(range.to, to));
    if (op === 'ge') raise(t);
    else if (op === 'gt') raise(t + 1);
    else if (op === 'lt') lower(t);
    else if (op === 'le') lower(t + 1);
    else if (op === 'eq') {
      raise(t);
      lower(t + 1);
    }
  };
  if (expr) visit(expr);
  return range;
}
