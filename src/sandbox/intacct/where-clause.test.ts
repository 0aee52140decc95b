/**
 * readByQuery's query language (reference §5.1) parsed and evaluated on
 * rendered records, without a server: precedence, NOT, IN, LIKE, NULL,
 * quoting with backslashes, typed comparisons, and the errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCondition, evaluate, type ConditionContext } from './conditions.ts';
import { FunctionFailure } from './errors.ts';
import type { Fields } from './objects.ts';
import { parseWhereClause } from './where-clause.ts';

const ctx: ConditionContext = { object: 'VENDOR', caseInsensitive: false, extraFields: new Set() };

const vendor = (fields: Fields): Fields => ({ RECORDNO: '1', VENDORID: 'V1', NAME: 'Acme', STATUS: 'active', TOTALDUE: '10.50', WHENMODIFIED: '01/15/2026 10:00:00', PARENTID: '', ...fields });

function matches(query: string, record: Fields, context = ctx): boolean {
  const condition = parseWhereClause(query)!;
  checkCondition(condition, context);
  return evaluate(condition, record, context);
}

describe('Intacct sandbox: readByQuery query language', () => {
  it('reads an empty query as every record', () => {
    assert.equal(parseWhereClause('  '), undefined);
  });

  it('gives AND precedence over OR, and honours parentheses and NOT', () => {
    const record = vendor({});
    assert.equal(matches("NAME = 'x' AND STATUS = 'inactive' OR VENDORID = 'V1'", record), true);
    assert.equal(matches("NAME = 'x' AND (STATUS = 'inactive' OR VENDORID = 'V1')", record), false);
    assert.equal(matches("NOT NAME = 'x' and not (STATUS = 'inactive')", record), true);
  });

  it('compares numbers and date-times by value, text case-sensitively', () => {
    const record = vendor({});
    assert.equal(matches('TOTALDUE > 9', record), true);
    assert.equal(matches("TOTALDUE >= '10.5'", record), true);
    assert.equal(matches("WHENMODIFIED > '01/15/2026'", record), true);
    assert.equal(matches("WHENMODIFIED < '01/15/2026 10:00:01'", record), true);
    assert.equal(matches("WHENMODIFIED = '01/15/2026 10:00:00'", record), true);
    assert.equal(matches("NAME = 'acme'", record), false);
    assert.equal(matches("NAME = 'acme'", record, { ...ctx, caseInsensitive: true }), true);
  });

  it('handles IN, LIKE, IS NULL and backslash-escaped quotes', () => {
    const record = vendor({ NAME: "Jane's Deli & Co" });
    assert.equal(matches("VENDORID IN ('V0', 'V1')", record), true);
    assert.equal(matches("VENDORID NOT IN ('V0', 'V1')", record), false);
    assert.equal(matches("NAME LIKE 'Jane\\'s%'", record), true);
    assert.equal(matches("NAME LIKE 'J_ne%Co'", record), true);
    assert.equal(matches("NAME NOT LIKE '%Deli%'", record), false);
    assert.equal(matches('PARENTID IS NULL AND NAME IS NOT NULL', record), true);
    assert.equal(matches("PARENTID != 'x'", record), false, 'NULL compares to nothing');
    assert.equal(matches("NAME = 'Jane\\'s Deli & Co'", record), true);
  });

  it('fails with Query Failed on bad syntax, unknown fields and operands of the wrong type', () => {
    for (const query of ["NAME = 'x", 'NAME', "NAME = 'x' AND", "(NAME = 'x'", "NAME == 'x'", "NOPE = 'x'", "TOTALDUE > 'ten'", "WHENMODIFIED > '2026-01-01'", "NAME = 'x' ; DROP"]) {
      assert.throws(
        () => {
          const condition = parseWhereClause(query)!;
          checkCondition(condition, ctx);
        },
        (error: unknown) => error instanceof FunctionFailure && error.errors[0]!.errorno === 'Query Failed',
        query,
      );
    }
  });
});
