/**
 * Acumatica's one classification function: each answer the reference
 * documents (§4, §7, §8) maps to one kind of failure, and a 404 for the
 * pinned endpoint itself is a config error, never a missing record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequest, Outcome } from '../../http/system-definition.ts';
import { classifyAcumatica, DEFAULT_RATE_LIMIT_PAUSE_MS, ENDPOINT_MISMATCH_CODE } from './definition.ts';

const NOW = Date.UTC(2026, 0, 1);

function answer(status: number, body?: unknown, headers: Record<string, string> = {}): Outcome {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    type: 'response',
    status,
    headers: new Headers({ ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }),
    text,
    json: body,
    jsonError: undefined,
  };
}

const list: HttpRequest = { method: 'GET', path: '/entity/Default/24.200.001/Customer' };
const byKey: HttpRequest = { method: 'GET', path: '/entity/Default/24.200.001/Customer/C0000001' };
const put: HttpRequest = { method: 'PUT', path: '/entity/Default/24.200.001/Customer' };

describe('classifyAcumatica', () => {
  it('lets 2xx through', () => {
    assert.equal(classifyAcumatica(answer(200, []), list, NOW), undefined);
    assert.equal(classifyAcumatica(answer(204), { method: 'DELETE', path: byKey.path }, NOW), undefined);
  });

  it('401 and 403 are auth; only the 401 carries the status the HTTP core refreshes on', () => {
    const unauthorized = classifyAcumatica(answer(401, { message: 'You are not signed in.' }), list, NOW)!;
    assert.equal(unauthorized.kind, 'auth');
    assert.equal(unauthorized.details.status, 401);
    const forbidden = classifyAcumatica(answer(403, { message: 'An error has occurred.', exceptionMessage: 'insufficient rights' }), list, NOW)!;
    assert.equal(forbidden.kind, 'auth');
    assert.equal(forbidden.code, 'acumatica.forbidden');
    assert.match(forbidden.message, /Customer/);
  });

  it('a 404 naming a record is not_found; a 404 for the endpoint or on a list is the config error', () => {
    const missing = classifyAcumatica(answer(404, { message: 'An error has occurred.', exceptionMessage: 'No Customer record matches C0000001.' }), byKey, NOW)!;
    assert.equal(missing.kind, 'not_found');
    const endpoint = classifyAcumatica(answer(404), byKey, NOW)!;
    assert.equal(endpoint.kind, 'config');
    assert.equal(endpoint.code, ENDPOINT_MISMATCH_CODE);
    assert.equal(endpoint.details.pinned, 'Default/24.200.001');
    const onList = classifyAcumatica(answer(404, { message: 'whatever' }), list, NOW)!;
    assert.equal(onList.code, ENDPOINT_MISMATCH_CODE);
  });

  it('422 is validation naming every failed field', () => {
    const error = classifyAcumatica(
      answer(422, {
        error: 'The record has 2 errors.',
        CustomerName: {},
        MainContact: { Email: { value: 'nope', error: 'not an email' } },
        CurrencyID: { value: 'XYZ', error: "'Currency ID' cannot be found in the system." },
      }),
      put,
      NOW,
    )!;
    assert.equal(error.kind, 'validation');
    assert.deepEqual(error.details.fields, ['MainContact/Email', 'CurrencyID']);
    assert.match(error.message, /MainContact\/Email: not an email/);
  });

  it('429 is rate_limited, honouring Retry-After or pausing a second', () => {
    const told = classifyAcumatica(answer(429, { message: 'limit' }, { 'retry-after': '7' }), list, NOW)!;
    assert.equal(told.kind, 'rate_limited');
    assert.equal(told.retryAfterMs, 7_000);
    assert.equal(told.details.window, 'minute');
    assert.equal(classifyAcumatica(answer(429, { message: 'limit' }), list, NOW)!.retryAfterMs, DEFAULT_RATE_LIMIT_PAUSE_MS);
  });

  it('5xx is transient, uncertain only after a write', () => {
    const read = classifyAcumatica(answer(500, { message: 'An error has occurred.' }), list, NOW)!;
    assert.equal(read.kind, 'transient');
    assert.equal(read.uncertain, false);
    assert.equal(classifyAcumatica(answer(503), put, NOW)!.uncertain, true);
  });

  it('412 is a conflict; network failures and malformed successes are transient', () => {
    assert.equal(classifyAcumatica(answer(412, { message: 'exists' }), put, NOW)!.kind, 'conflict');
    const network = classifyAcumatica({ type: 'network', error: Object.assign(new Error('reset'), { code: 'ECONNRESET' }), timedOut: false }, put, NOW)!;
    assert.equal(network.kind, 'transient');
    assert.equal(network.uncertain, true);
    const malformed: Outcome = { type: 'response', status: 200, headers: new Headers({ 'content-type': 'application/json' }), text: '[{"id', json: undefined, jsonError: 'not valid JSON' };
    assert.equal(classifyAcumatica(malformed, list, NOW)!.code, 'http.malformed_body');
  });
});
