/**
 * readByQuery's `<query>` (reference §5.1): a SQL-WHERE subset.
 *
 *   condition := or
 *   or        := and (OR and)*
 *   and       := not (AND not)*
 *   not       := NOT not | '(' or ')' | test
 *   test      := FIELD (= | != | <> | < | > | <= | >=) literal
 *              | FIELD [NOT] LIKE 'pattern'
 *              | FIELD [NOT] IN (literal, ...)
 *              | FIELD IS [NOT] NULL
 *   literal   := 'text' (backslash escapes: \' and \\) | number
 *
 * Keywords and field names are case-insensitive (fields are read upper
 * case), dotted for nested fields (`DISPLAYCONTACT.EMAIL1`). Joins and functions
 * are not part of the language (§5.1) and fail to parse.
 */
import type { Comparison, Condition } from './conditions.ts';
import { queryFailed } from './errors.ts';

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'op'; text: Comparison; at: number }
  | { kind: 'punct'; text: '(' | ')' | ','; at: number };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'LIKE', 'IN', 'IS', 'NULL']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', text: ch, at: i });
      i++;
    } else if (ch === "'") {
      const at = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw queryFailed(`unterminated string starting at position ${at}`);
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: value, at });
    } else if (/[<>=!]/.test(ch)) {
      const two = text.slice(i, i + 2);
      const op = two === '<=' || two === '>=' || two === '!=' || two === '<>' ? two : ch;
      if (op === '!') throw queryFailed(`unexpected "!" at position ${i}`);
      tokens.push({ kind: 'op', text: (op === '<>' ? '!=' : op) as Comparison, at: i });
      i += op.length;
    } else if (/[-0-9]/.test(ch)) {
      const match = /^-?\d+(?:\.\d+)?/.exec(text.slice(i));
      if (!match) throw queryFailed(`unexpected "${ch}" at position ${i}`);
      tokens.push({ kind: 'number', text: match[0], at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0], at: i });
      i += match[0].length;
    } else {
      throw queryFailed(`unexpected "${ch}" at position ${i}`);
    }
  }
  return tokens;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token | undefined {
    return this.tokens[this.position++];
  }

  private isKeyword(word: string, token = this.peek()): boolean {
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }

  private expectKeyword(word: string): void {
    const token = this.next();
    if (!this.isKeyword(word, token)) throw queryFailed(`expected ${word} ${describe(token)}`);
  }

  private expectPunct(text: '(' | ')' | ','): void {
    const token = this.next();
    if (token?.kind !== 'punct' || token.text !== text) throw queryFailed(`expected "${text}" ${describe(token)}`);
  }

  parse(): Condition {
    const condition = this.or();
    const rest = this.peek();
    if (rest) throw queryFailed(`unexpected ${describe(rest)}`);
    return condition;
  }

  private or(): Condition {
    const items = [this.and()];
    while (this.isKeyword('OR')) {
      this.next();
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private and(): Condition {
    const items = [this.not()];
    while (this.isKeyword('AND')) {
      this.next();
      items.push(this.not());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private not(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', item: this.not() };
    }
    const token = this.peek();
    if (token?.kind === 'punct' && token.text === '(') {
      this.next();
      const inner = this.or();
      this.expectPunct(')');
      return inner;
    }
    return this.test();
  }

  private literal(): string {
    const token = this.next();
    if (token?.kind === 'string' || token?.kind === 'number') return token.text;
    throw queryFailed(`expected a quoted value or a number ${describe(token)}`);
  }

  private test(): Condition {
    const token = this.next();
    if (token?.kind !== 'word' || KEYWORDS.has(token.text.toUpperCase())) throw queryFailed(`expected a field name ${describe(token)}`);
    // Field names are upper case in Intacct; a query may spell them in any case.
    const field = token.text.toUpperCase();
    if (this.isKeyword('IS')) {
      this.next();
      const negated = this.isKeyword('NOT');
      if (negated) this.next();
      this.expectKeyword('NULL');
      return { kind: 'null', field, negated };
    }
    const negated = this.isKeyword('NOT');
    if (negated) this.next();
    if (this.isKeyword('LIKE')) {
      this.next();
      const pattern = this.next();
      if (pattern?.kind !== 'string') throw queryFailed(`LIKE needs a quoted pattern ${describe(pattern)}`);
      return { kind: 'like', field, pattern: pattern.text, negated };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectPunct('(');
      const values = [this.literal()];
      while (this.peek()?.kind === 'punct' && this.peek()!.text === ',') {
        this.next();
        values.push(this.literal());
      }
      this.expectPunct(')');
      return { kind: 'in', field, values, negated };
    }
    if (negated) throw queryFailed(`NOT after ${field} must be followed by LIKE or IN`);
    const op = this.next();
    if (op?.kind !== 'op') throw queryFailed(`expected a comparison after ${field} ${describe(op)}`);
    return { kind: 'compare', field, op: op.text, value: this.literal() };
  }
}

function describe(token: Token | undefined): string {
  return token === undefined ? 'at the end of the query' : `at position ${token.at} ("${token.text}")`;
}

/** The condition of a readByQuery `<query>`; undefined when it is empty (every record). */
export function parseWhereClause(text: string): Condition | undefined {
  if (text.trim() === '') return undefined;
  return new Parser(tokenize(text)).parse();
}
