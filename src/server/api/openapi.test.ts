/**
 * The REST API's contract: /api/openapi.json is served without a key and is
 * a well-formed OpenAPI 3.1 document naming every route with its schemas;
 * and every route it names refuses a request with no key, a malformed key or
 * a key that does not exist — read from the document itself, so a new route
 * cannot escape the check.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openInstallation, type Installation } from '../../app/installation.ts';
import { loadConfig } from '../../config.ts';
import { startApiServer, type ApiServer } from './test-support.ts';

interface Operation {
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
}
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, unknown> };
};

/** Every route the console API must have (brief of issue 8). */
const EXPECTED = [
  'get /api/systems',
  'get /api/connections',
  'post /api/connections',
  'get /api/connections/{id}',
  'delete /api/connections/{id}',
  'post /api/connections/{id}/test',
  'put /api/connections/{id}/credentials',
  'get /api/connections/{id}/tools',
  'patch /api/connections/{id}/tools/{name}',
  'get /api/flows/catalog',
  'get /api/flows',
  'post /api/flows',
  'patch /api/flows/{flowKey}',
  'post /api/flows/{flowKey}/run',
  'get /api/runs',
  'get /api/runs/{id}',
  'post /api/runs/{id}/cancel',
  'get /api/records',
  'get /api/records/{key}/lineage',
  'get /api/dead-letters',
  'post /api/replay',
  'get /api/audit',
];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('the REST API’s OpenAPI document and its keys', () => {
  let dataDir: string;
  let installation: Installation;
  let api: ApiServer;
  let doc: Document;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mlc-api-doc-'));
    installation = await openInstallation(loadConfig({ env: {}, options: { dataDir } }));
    api = await startApiServer(installation);
    const answer = await api.call('GET', '/api/openapi.json');
    assert.equal(answer.status, 200, answer.text);
    doc = answer.json as Document;
  });
  after(async () => {
    await api.close();
    await installation.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ method, path, operation })),
    );

  it('is OpenAPI 3.1 and lists every route, each with its parameters, body and answers as schemas', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.info.title && doc.info.version);
    const listed = operations().map((o) => `${o.method} ${o.path}`);
    for (const route of EXPECTED) assert.ok(listed.includes(route), `${route} is in the document`);
    assert.ok(doc.components.securitySchemes.bearerKey, 'the API key is a security scheme');
    const refs = new Set<string>();
    const collect = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) if (k === '$ref' && typeof v === 'string') refs.add(v);
        else collect(v);
      }
    };
    for (const { method, path, operation } of operations()) {
      const name = `${method} ${path}`;
      assert.ok(operation.summary, `${name} says what it does`);
      assert.ok(operation.security && operation.security.length > 0, `${name} names its security`);
      // Every {param} of the path is declared as a required path parameter.
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        const declared = operation.parameters?.find((p) => p.in === 'path' && `{${p.name}}` === param);
        assert.ok(declared?.required && declared.schema, `${name} declares ${param}`);
      }
      const success = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
      assert.equal(success.length, 1, `${name} has one success answer`);
      assert.ok(operation.responses[success[0]!]!.content?.['application/json']?.schema, `${name}'s answer has a schema`);
      assert.ok(operation.responses['401'], `${name} documents its 401`);
      if (['post', 'put', 'patch'].includes(method) && operation.requestBody) {
        assert.ok(operation.requestBody.content['application/json']?.schema, `${name}'s body has a schema`);
      }
      collect(operation);
    }
    for (const body of ['post /api/connections', 'put /api/connections/{id}/credentials', 'post /api/flows', 'patch /api/flows/{flowKey}', 'post /api/replay']) {
      const [method, path] = body.split(' ') as [string, string];
      assert.ok(doc.paths[path]![method]!.requestBody, `${body} declares its body`);
    }
    // Every reference resolves to a component; the named ones are there.
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      assert.ok(doc.components.schemas[name], `${ref} resolves`);
    }
    for (const name of ['Error', 'Connection', 'NewConnection', 'Flow', 'Run', 'RunProgress', 'Lineage', 'DeadLetter', 'ReplayRequest', 'AuditEntry']) {
      assert.ok(doc.components.schemas[name], `component ${name}`);
    }
    // A connection's schema holds no secret: it lists the names of the secrets set, never their values.
    const connection = doc.components.schemas.Connection as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(connection.properties).filter((p) => /secret|token|password|config/i.test(p)), ['secretsSet']);
  });

  it('every route in the document refuses no key, a malformed key and an unknown key with 401', async () => {
    const unknown = `mlc_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const ops = operations();
    assert.ok(ops.length >= EXPECTED.length);
    for (const { method, path } of ops) {
      const concrete = path.replace(/\{(\w+)\}/g, (_m, name: string) => `some-${name}`);
      const body = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
      for (const [label, key] of [
        ['no key', undefined],
        ['malformed key', 'not-a-key'],
        ['unknown key', unknown],
      ] as const) {
        const answer = await api.call(method.toUpperCase(), concrete, { ...(key !== undefined ? { key } : {}), ...(body ? { body } : {}) });
        assert.equal(answer.status, 401, `${method} ${concrete} with ${label}`);
        assert.equal(answer.json.error.kind, 'auth');
      }
    }
    // A revoked key too.
    const revoked = await api.keys.create({ name: 'revoked' });
    await api.keys.revoke(revoked.id);
    assert.equal((await api.call('GET', '/api/connections', { key: revoked.key })).status, 401);
  });

  it('with a key: a body that is not JSON is refused with an error that says so', async () => {
    const key = await api.key();
    const broken = await api.call('POST', '/api/connections', { key, body: '{"name": "x", ' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.kind, 'validation');
    const notJson = await api.call('POST', '/api/connections', { key, body: 'name=x', headers: { 'content-type': 'text/plain' } });
    assert.equal(notJson.status, 415);
    assert.match(notJson.json.error.message, /application\/json/);
  });
});
