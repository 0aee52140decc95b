/**
 * The classification function, code by code (reference/zohobooks.md §7, §8):
 * a pure function of the response, so it is checked on responses built here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequest, Outcome } from '../../http/system-definition.ts';
import { classifyZohoBooks, MINUTE_BLOCK_MS } from './definition.ts';

const GET: HttpRequest = { method: 'GET', path: '/invoices' };
const PUT: HttpRequest = { method: 'PUT', path: '/invoices/1' };
const NOW = Date.UTC(2026, 0, 1, 18, 0, 0);

function response(status: number, body: unknown, contentType = 'application/json;charset=UTF-8'): Outcome {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  let jsonError: string | undefined;
  // As the HTTP core does: parsed only when the content type says JSON.
  if (text !== '' && /json/.test(contentType)) {
    try {
      json = JSON.parse(text);
    } catch {
      jsonError = 'not valid JSON';
    }
  }
  return { type: 'response', status, headers: new Headers({ 'content-type': contentType }), text, json, jsonError };
}

const classify = (outcome: Outcome, request = GET) => classifyZohoBooks(outcome, request, NOW);

describe('Zoho Books classification', () => {
  it('code 0 is success, and a non-zero code on a 200 is an error', () => {
    assert.equal(classify(response(200, { code: 0, message: 'success', invoices: [] })), undefined);
    assert.equal(classify(response(201, { code: 0, message: 'The invoice has been created.' })), undefined);
    const hidden = classify(response(200, { code: 1002, message: 'Invoice does not exist.' }));
    assert.equal(hidden?.kind, 'not_found');
    assert.equal(hidden?.details.status, 200);
  });

  it('57 is auth, and a 401 carries its status so the HTTP core refreshes once', () => {
    const error = classify(response(401, { code: 57, message: 'You are not authorized to perform this operation' }));
    assert.equal(error?.kind, 'auth');
    assert.equal(error?.code, 'zohobooks.not_authorized');
    assert.equal(error?.details.status, 401);
    assert.match(error?.message ?? '', /code 57/);
  });

  it('44 holds the minute window, 45 hands a wait until the next day back, 1070 pauses briefly', () => {
    const minute = classify(response(429, { code: 44, message: 'blocked' }));
    assert.equal(minute?.kind, 'rate_limited');
    assert.equal(minute?.code, 'zohobooks.rate_limited.minute');
    assert.equal(minute?.retryAfterMs, MINUTE_BLOCK_MS);
    assert.equal(minute?.details.window, 'minute');

    const daily = classify(response(429, { code: 45, message: 'The API call for this organization has exceeded the maximum call rate limit of 5000.' }));
    assert.equal(daily?.code, 'zohobooks.rate_limited.daily');
    assert.equal(daily?.retryAfterMs, 6 * 3_600_000, 'until midnight UTC');
    assert.equal(daily?.details.window, 'daily');

    const concurrency = classify(response(429, { code: 1070, message: 'in process' }));
    assert.equal(concurrency?.code, 'zohobooks.rate_limited.concurrency');
    assert.ok((concurrency?.retryAfterMs ?? 0) > 0 && (concurrency?.retryAfterMs ?? 0) < MINUTE_BLOCK_MS);
  });

  it('1002 is not_found; 6041 and organization_id problems are configuration', () => {
    assert.equal(classify(response(404, { code: 1002, message: 'Invoice does not exist.' }))?.kind, 'not_found');
    const unknown = classify(response(400, { code: 6041, message: 'This user is not associated with the CompanyID/CompanyName:1.' }));
    assert.equal(unknown?.kind, 'config');
    assert.equal(unknown?.code, 'zohobooks.unknown_organization');
    assert.match(unknown?.message ?? '', /organizationId/);
    const missing = classify(response(400, { code: 2, message: 'Invalid value passed for organization_id' }));
    assert.equal(missing?.kind, 'config');
    assert.equal(missing?.code, 'zohobooks.invalid_organization_id');
  });

  it('2, 14 and other 4xx are validation, never retried', () => {
    for (const body of [{ code: 2, message: 'Invalid value passed for filter_by' }, { code: 14, message: 'Invalid value passed for email' }]) {
      const error = classify(response(400, body));
      assert.equal(error?.kind, 'validation');
      assert.equal(error?.code, 'zohobooks.invalid_value');
    }
    assert.equal(classify(response(404, { code: 5, message: 'Invalid URL Passed' }))?.code, 'zohobooks.rejected');
    assert.equal(classify(response(405, { code: 37, message: 'method not allowed' }))?.kind, 'validation');
  });

  it('5xx and code 1000 are transient; after a write they are uncertain', () => {
    const read = classify(response(500, { code: 1000, message: 'Internal Error' }));
    assert.equal(read?.kind, 'transient');
    assert.equal(read?.details.uncertain, false);
    const write = classify(response(503, 'Service Unavailable', 'text/plain'), PUT);
    assert.equal(write?.kind, 'transient');
    assert.equal(write?.details.uncertain, true);
  });

  it('a 401 or 429 without a Zoho body is still auth or rate_limited', () => {
    assert.equal(classify(response(401, ''))?.kind, 'auth');
    assert.equal(classify(response(429, '<html>busy</html>', 'text/html'))?.kind, 'rate_limited');
  });

  it('a truncated success body is transient; network failures are transient', () => {
    const truncated = classify(response(200, '{"code":0,"mess'));
    assert.equal(truncated?.kind, 'transient');
    assert.equal(truncated?.code, 'http.malformed_body');
    const reset = classify({ type: 'network', error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), timedOut: false });
    assert.equal(reset?.kind, 'transient');
    assert.equal(reset?.code, 'http.connection_reset');
  });
});
