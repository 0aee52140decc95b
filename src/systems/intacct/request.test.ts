/**
 * Building requests without strings (reference §2, §5, §7): sanitizing and
 * its report, the builder's escaping, field names that could break the
 * document, readByQuery literals, and Intacct's date-times.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorError } from '../../core/errors.ts';
import { buildRequest, intacctFunctions, queryLiteral, sanitizeFunction } from './request.ts';
import { floorToSecond, formatIntacctDateTime, parseIntacctDateTime } from './timestamps.ts';
import { asArray, parseXml, xmlProblem } from './xml.ts';

const OPTIONS = { senderId: 'sender', senderPassword: 'pw', authentication: { type: 'session', sessionId: 'S1' }, uniqueId: true } as const;

describe('Sage Intacct requests', () => {
  it('strips forbidden characters from every text value and reports each by path; the builder escapes & < >', () => {
    const { fn, sanitized } = sanitizeFunction(
      intacctFunctions.create(
        'VENDOR',
        { VENDORID: 'V1', NAME: 'Acme\u0000 & <Sons>\u0007', DISPLAYCONTACT: { PRINTAS: 'Acme', MAILADDRESS: { CITY: 'Bonn\u000B' } }, TOTALDUE: 12.5, ONETIME: false, SKIP: undefined },
        'ctl-1',
      ),
    );
    assert.deepEqual(sanitized, [
      { path: 'VENDOR.NAME', removed: 2 },
      { path: 'VENDOR.DISPLAYCONTACT.MAILADDRESS.CITY', removed: 1 },
    ]);
    const xml = buildRequest([fn], OPTIONS);
    assert.equal(xmlProblem(xml), undefined, 'well-formed, nothing forbidden');
    assert.ok(xml.includes('<NAME>Acme &amp; &lt;Sons&gt;</NAME>'));
    const parsed = parseXml(xml) as { request: { control: Record<string, string>; operation: Record<string, unknown> } };
    assert.equal(parsed.request.control.uniqueid, 'true');
    assert.equal(parsed.request.control.dtdversion, '3.0');
    const functions = asArray((parsed.request.operation.content as { function: unknown }).function) as Array<Record<string, unknown>>;
    assert.equal(functions[0]!['@_controlid'], 'ctl-1');
    const vendor = (functions[0]!.create as { VENDOR: Record<string, unknown> }).VENDOR;
    assert.equal(vendor.NAME, 'Acme & <Sons>');
    assert.deepEqual(vendor.DISPLAYCONTACT, { PRINTAS: 'Acme', MAILADDRESS: { CITY: 'Bonn' } });
    assert.equal(vendor.TOTALDUE, '12.5');
    assert.equal(vendor.ONETIME, 'false');
    assert.ok(!('SKIP' in vendor));
  });

  it('refuses field names the builder would write as markup or attributes', () => {
    for (const name of ['A><B', '@_controlid', '#text', '1ST', 'has space']) {
      assert.throws(
        () => sanitizeFunction(intacctFunctions.create('VENDOR', { [name]: 'x' }, 'c')),
        (error: ConnectorError) => error.kind === 'validation' && error.code === 'intacct.invalid_field',
        name,
      );
    }
    assert.throws(() => sanitizeFunction(intacctFunctions.create('VENDOR', { WHEN: new Date() }, 'c')), /Date/);
    assert.throws(() => sanitizeFunction(intacctFunctions.create('VENDOR', { NAME: 'x' }, '')), (error: ConnectorError) => error.code === 'intacct.invalid_control_id');
  });

  it('login authentication carries the entity; credentials never need escaping by hand', () => {
    const xml = buildRequest([sanitizeFunction(intacctFunctions.getAPISession('East')).fn], {
      ...OPTIONS,
      senderPassword: 'p<&>"\'',
      authentication: { type: 'login', userId: 'api', companyId: 'ACME', password: 'a&b', entityId: 'East' },
      uniqueId: false,
    });
    const parsed = parseXml(xml) as { request: { control: Record<string, string>; operation: { authentication: { login: Record<string, string> } } } };
    assert.equal(parsed.request.control.password, 'p<&>"\'');
    assert.deepEqual(parsed.request.operation.authentication.login, { userid: 'api', companyid: 'ACME', password: 'a&b', locationid: 'East' });
  });

  it('query literals escape quotes and backslashes (§5.1), and survive the XML round trip', () => {
    assert.equal(queryLiteral("Jane's Deli"), "'Jane\\'s Deli'");
    assert.equal(queryLiteral('C:\\'), "'C:\\\\'");
    assert.equal(queryLiteral('a\u0001b'), "'ab'");
    const { fn } = sanitizeFunction(intacctFunctions.readByQuery('VENDOR', { query: `NAME = ${queryLiteral("O'Brien & <Co>")}`, pageSize: 10 }));
    const xml = buildRequest([fn], OPTIONS);
    assert.ok(xml.includes('&amp;') && xml.includes('&lt;'), '& and < are written as entities');
    const parsed = parseXml(xml) as { request: { operation: { content: { function: { readByQuery: { query: string } } } } } };
    assert.equal(parsed.request.operation.content.function.readByQuery.query, "NAME = 'O\\'Brien & <Co>'");
  });

  it('the query function: select, nested and/or filters, order and page', () => {
    const { fn } = sanitizeFunction(
      intacctFunctions.query({
        object: 'APBILL',
        select: ['RECORDNO', 'WHENMODIFIED'],
        filter: { or: [{ op: 'greaterthan', field: 'WHENMODIFIED', value: 't' }, { and: [{ op: 'equalto', field: 'WHENMODIFIED', value: 't' }, { op: 'greaterthan', field: 'RECORDNO', value: '7' }] }] },
        orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }],
        pageSize: 50,
      }),
    );
    assert.deepEqual(fn.content.select, { field: ['RECORDNO', 'WHENMODIFIED'] });
    assert.deepEqual(fn.content.filter, {
      or: {
        greaterthan: { field: 'WHENMODIFIED', value: 't' },
        and: { equalto: { field: 'WHENMODIFIED', value: 't' }, greaterthan: { field: 'RECORDNO', value: '7' } },
      },
    });
    assert.deepEqual(fn.content.orderby, { order: [{ field: 'WHENMODIFIED', ascending: '' }, { field: 'RECORDNO', ascending: '' }] });
    assert.equal(fn.content.pagesize, '50');
    assert.throws(() => intacctFunctions.query({ object: 'VENDOR', select: ['*'], pageSize: 1 }), /takes no \*/);
  });
});

describe('Sage Intacct date-times', () => {
  it('mm/dd/yyyy HH:MM:SS both ways, as UTC, whole seconds', () => {
    const ms = Date.UTC(2026, 1, 3, 4, 5, 6);
    assert.equal(formatIntacctDateTime(ms + 999), '02/03/2026 04:05:06');
    assert.equal(parseIntacctDateTime('02/03/2026 04:05:06'), ms);
    assert.equal(parseIntacctDateTime('02/03/2026'), Date.UTC(2026, 1, 3));
    assert.equal(floorToSecond(ms + 999), ms);
    for (const bad of ['02/30/2026 00:00:00', '2026-02-03T04:05:06Z', '', undefined, '13/01/2026 00:00:00']) assert.equal(parseIntacctDateTime(bad), undefined, String(bad));
  });
});
