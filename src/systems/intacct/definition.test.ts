/**
 * The classification function, level by level (reference/intacct.md §3, §8),
 * on gateway bodies built by the sandbox's own envelope writer and parsed as
 * the client parses them; and the per-function failure mapping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authFailureXml, controlFailureXml, EMPTY_ECHO, resultsXml } from '../../sandbox/intacct/envelope.ts';
import { ControlFailure, duplicateKey, errorEntry, invalidRecord, xmlParseFailure } from '../../sandbox/intacct/errors.ts';
import type { HttpRequest, Outcome } from '../../http/system-definition.ts';
import { classifyIntacct, gatewayAnswer } from './definition.ts';
import { functionFailure, readGatewayAnswer } from './response.ts';
import { ERROR_NUMBERS } from './schemas.ts';

const POST: HttpRequest = { method: 'POST', path: '/ia/xml/xmlgw.phtml' };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const INFO = { userid: 'api', companyid: 'ACME', locationid: '', sessiontimestamp: '2026-01-01T12:00:00+00:00', sessiontimeout: '2026-01-01T14:00:00+00:00' };

function response(status: number, text: string, headers: Record<string, string> = {}): Outcome {
  return { type: 'response', status, headers: new Headers({ 'content-type': 'application/xml', ...headers }), text, json: undefined, jsonError: undefined };
}

const classify = (outcome: Outcome) => classifyIntacct(outcome, POST, NOW);

const control = (failure: ControlFailure) => controlFailureXml(EMPTY_ECHO, failure);
const controlError = (errorno: string, description = 'refused') => control(new ControlFailure([errorEntry(errorno, description)]));

describe('Sage Intacct classification', () => {
  it('a success with results is success, whatever its functions said (they are data)', () => {
    const body = resultsXml(EMPTY_ECHO, INFO, [
      { status: 'success', function: 'readByQuery', controlid: 'a', data: { '@_listtype': 'vendor', '@_count': '1', '@_numremaining': '0', vendor: { RECORDNO: '1', VENDORID: 'V1' } } },
      { status: 'failure', function: 'create', controlid: 'b', errors: invalidRecord('NAME is required').errors },
    ]);
    const outcome = response(200, body);
    assert.equal(classify(outcome), undefined);
    const answer = gatewayAnswer(outcome as Extract<Outcome, { type: 'response' }>);
    assert.equal(answer.type, 'ok');
    assert.equal(answer.type === 'ok' ? answer.results.length : 0, 2);
    assert.equal(answer.type === 'ok' ? answer.authentication.sessiontimeout : undefined, INFO.sessiontimeout);
  });

  it('XL03000003 is validation (invalid XML), never retried', () => {
    const error = classify(response(200, control(xmlParseFailure('the document is not well-formed'))));
    assert.equal(error?.kind, 'validation');
    assert.equal(error?.code, 'intacct.invalid_xml');
    assert.equal(error?.details.errorno, ERROR_NUMBERS.xmlParse);
    assert.equal(error?.details.uncertain, false, 'a control failure ran nothing');
  });

  it('GW-0010 and any 429 are rate_limited, with Retry-After when given and a pause otherwise', () => {
    const throttled = classify(response(200, controlError(ERROR_NUMBERS.tooManyRequests, 'Too many requests')));
    assert.equal(throttled?.kind, 'rate_limited');
    assert.equal(throttled?.code, 'intacct.rate_limited');
    assert.ok((throttled?.retryAfterMs ?? 0) > 0);
    assert.equal(throttled?.details.window, 'gateway');
    const told = classify(response(429, controlError(ERROR_NUMBERS.tooManyRequests), { 'retry-after': '7' }));
    assert.equal(told?.retryAfterMs, 7_000);
    const bare = classify(response(429, 'Too Many Requests', { 'content-type': 'text/plain' }));
    assert.equal(bare?.kind, 'rate_limited');
  });

  it('other GW- errors and 5xx are transient', () => {
    const gateway = classify(response(200, controlError(ERROR_NUMBERS.invalidRequest, 'Invalid Request')));
    assert.equal(gateway?.kind, 'transient');
    assert.equal(gateway?.code, 'intacct.gateway_error');
    const server = classify(response(502, '<html><body>Bad gateway</body></html>', { 'content-type': 'text/html' }));
    assert.equal(server?.kind, 'transient');
    assert.equal(server?.code, 'intacct.server_error');
    assert.equal(server?.details.uncertain, true, 'a write may have happened behind a 5xx');
    const xml503 = classify(response(503, controlError('GW-0001', 'Service unavailable')));
    assert.equal(xml503?.kind, 'transient');
  });

  it('sender refusals at control level are auth, also behind a 401 with an XML body (§3)', () => {
    for (const errorno of [ERROR_NUMBERS.invalidAuthorization, ERROR_NUMBERS.signInIncorrect]) {
      const error = classify(response(errorno === ERROR_NUMBERS.signInIncorrect ? 401 : 200, controlError(errorno, 'Invalid Web Services Authorization')));
      assert.equal(error?.kind, 'auth');
      assert.equal(error?.code, 'intacct.sender_rejected');
      assert.match(error?.message ?? '', /senderId and senderPassword/);
    }
  });

  it('an authentication failure inside the operation is auth, for the client to tell login from session', () => {
    const body = authFailureXml(EMPTY_ECHO, INFO, [errorEntry(ERROR_NUMBERS.invalidAuthorization, 'Invalid session', 'The session is invalid or expired.')]);
    const error = classify(response(200, body));
    assert.equal(error?.kind, 'auth');
    assert.equal(error?.code, 'intacct.authentication_failed');
    assert.equal(error?.details.description2, 'The session is invalid or expired.');
  });

  it('a body that is not the gateway XML is transient, and says so without quoting it', () => {
    for (const text of ['<response><control><status>secret-ish', 'not xml at all', '', '<?xml version="1.0"?><other/>']) {
      const error = classify(response(200, text));
      assert.equal(error?.kind, 'transient', text);
      assert.equal(error?.code, 'intacct.malformed_response');
      assert.equal(error?.details.status, 200);
      if (text !== '') assert.ok(!error?.message.includes(text), 'the body is not quoted');
    }
    const doctype = classify(response(200, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><response/>'));
    assert.equal(doctype?.code, 'intacct.malformed_response', 'a DOCTYPE is refused, not expanded');
  });

  it('a 404 without XML means the URL is not a gateway', () => {
    const error = classify(response(404, 'Not Found', { 'content-type': 'text/plain' }));
    assert.equal(error?.kind, 'config');
    assert.match(error?.message ?? '', /endpointUrl/);
  });

  it('network failures are transient', () => {
    const reset = classify({ type: 'network', error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), timedOut: false });
    assert.equal(reset?.kind, 'transient');
    assert.equal(reset?.code, 'http.connection_reset');
  });
});

describe('Sage Intacct function failures', () => {
  function failureOf(body: string) {
    const answer = readGatewayAnswer(body);
    assert.equal(answer.type, 'ok');
    return answer.type === 'ok' ? answer.results[0]! : assert.fail('no result');
  }

  it('a duplicate id is a conflict; an already executed controlid is intacct.duplicate_request', () => {
    const duplicate = functionFailure(failureOf(resultsXml(EMPTY_ECHO, INFO, [{ status: 'failure', function: 'create', controlid: 'c', errors: duplicateKey('Vendor', 'VENDORID', 'V1').errors }])), 'create');
    assert.equal(duplicate.kind, 'conflict');
    assert.equal(duplicate.code, 'intacct.duplicate_key');
    assert.equal(duplicate.details.errorno, ERROR_NUMBERS.duplicateKey);

    const executed = functionFailure(
      failureOf(resultsXml(EMPTY_ECHO, INFO, [{ status: 'failure', function: 'create', controlid: 'c', errors: [errorEntry(ERROR_NUMBERS.duplicateFunction, 'Duplicate request', 'The function with controlid c was already executed.')] }])),
      'create',
    );
    assert.equal(executed.code, 'intacct.duplicate_request');
    assert.equal(executed.details.controlId, 'c');
  });

  it('other failures are validation with errorno, description, description2 and correction', () => {
    const error = functionFailure(
      failureOf(resultsXml(EMPTY_ECHO, INFO, [{ status: 'failure', function: 'create', controlid: 'c', errors: invalidRecord('PRINTAS is required', 'Give DISPLAYCONTACT.PRINTAS').errors }])),
      'create',
    );
    assert.equal(error.kind, 'validation');
    assert.equal(error.code, 'intacct.function_failed');
    assert.equal(error.details.description2, 'PRINTAS is required');
    assert.equal(error.details.correction, 'Give DISPLAYCONTACT.PRINTAS');
    assert.ok(typeof error.details.errorno === 'string' && typeof error.details.description === 'string');
    assert.match(error.message, /PRINTAS is required/);
  });

  it('a function rolled back with its transaction is aborted, not its own fault', () => {
    const error = functionFailure(failureOf(resultsXml(EMPTY_ECHO, INFO, [{ status: 'aborted', function: 'update', controlid: 'u' }])), 'update');
    assert.equal(error.code, 'intacct.transaction_aborted');
  });
});
