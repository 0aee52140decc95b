/**
 * The Acumatica sandbox over raw HTTP, as any client would see it: the
 * wire format (value objects, linked and detail entities, `$expand`,
 * `$select`), `$filter`, `$top`/`$skip`, PUT and DELETE semantics, the
 * payment arithmetic, endpoint versions, error bodies, the license's
 * queue, the cookie login, push notifications and the seed.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../core/clock.ts';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../index.ts';
import { AcumaticaAdmin } from './admin-client.ts';

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read Acumatica's bodies as they come
  body: any;
}

interface Fixture {
  sandbox: RunningSandbox;
  clock: VirtualClock;
  admin: AcumaticaAdmin;
  token: string;
  api(method: string, path: string, options?: { query?: Record<string, string | number>; body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
}

const BASE = '/entity/Default/24.200.001';

async function startFixture(options: StartSandboxOptions = {}): Promise<Fixture> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ port: 0, seed: 9, size: 'small', clock, ...options });
  const { baseUrl, clientId, clientSecret, username, password } = sandbox.systems.acumatica;
  const grant = await fetch(`${baseUrl}/identity/connect/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: clientId, client_secret: clientSecret, username, password, scope: 'api' }),
  });
  const token = ((await grant.json()) as { access_token: string }).access_token;
  return {
    sandbox,
    clock,
    admin: new AcumaticaAdmin(`${sandbox.adminUrl}/acumatica`),
    token,
    async api(method, path, options = {}) {
      const url = new URL(`${baseUrl}${path}`);
      for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
  };
}

describe('Acumatica sandbox: the wire format and queries', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('startSandbox prints exactly the connection config `connections add acumatica` takes', () => {
    const config = fx.sandbox.systems.acumatica;
    assert.deepEqual(Object.keys(config).sort(), ['baseUrl', 'clientId', 'clientSecret', 'endpointName', 'endpointVersion', 'password', 'username']);
    assert.match(config.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/acumatica$/);
    assert.deepEqual([config.endpointName, config.endpointVersion], ['Default', '24.200.001']);
    assert.match(config.clientId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}@SandboxCompany$/);
  });

  it('GET /entity lists the endpoints the instance serves, without credentials', async () => {
    const response = await fetch(`${fx.sandbox.systems.acumatica.baseUrl}/entity`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { version: { acumaticaBuildVersion: string }; endpoints: Array<{ name: string; version: string; href: string }> };
    assert.deepEqual(body.endpoints, [{ name: 'Default', version: '24.200.001', href: '/acumatica/entity/Default/24.200.001/' }]);
    assert.match(body.version.acumaticaBuildVersion, /^24\.\d{3}\.\d{4}$/);
  });

  it('wraps every general field, keeps system fields plain, and expands only what $expand names', async () => {
    const { status, body, headers } = await fx.api('GET', `${BASE}/Customer/C0000001`);
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /application\/json/);
    assert.equal(new Date(headers.get('date')!).getTime(), Math.floor(fx.clock.now() / 1000) * 1000, 'the Date header is the sandbox clock');
    assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-1[0-9a-f]{11}$/);
    assert.equal(body.rowNumber, 1);
    assert.deepEqual(body.CustomerID, { value: 'C0000001' });
    assert.deepEqual(body.AccountRef, {}, 'a null value is an empty wrapper');
    assert.ok('value' in body.note);
    assert.equal(body.MainContact, undefined, 'linked entities only with $expand');
    assert.deepEqual(body.custom, {});
    assert.equal(body._links.self, `/acumatica${BASE}/Customer/${body.id}`);
    assert.match(body.LastModifiedDateTime.value, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);

    const expanded = await fx.api('GET', `${BASE}/Customer/C0000001`, { query: { $expand: 'MainContact' } });
    assert.ok(expanded.body.MainContact.Email.value.includes('@'));
    assert.equal(expanded.body.MainContact.Address, undefined, 'nested entities are expanded explicitly');
    const nested = await fx.api('GET', `${BASE}/Customer/C0000001`, { query: { $expand: 'MainContact/Address' } });
    assert.ok(nested.body.MainContact.Address.City.value);

    const byId = await fx.api('GET', `${BASE}/Customer/${body.id}`);
    assert.deepEqual(byId.body.CustomerID, { value: 'C0000001' });

    const invoice = await fx.api('GET', `${BASE}/SalesInvoice/Invoice/AR0000001`, { query: { $expand: 'Details' } });
    const line = invoice.body.Details[0];
    assert.ok(line.id && line.rowNumber === 1);
    for (const field of ['InventoryID', 'Description', 'Qty', 'UnitPrice', 'Amount']) assert.ok('value' in line[field], field);
    assert.equal(line.Amount.value, Math.round(line.Qty.value * line.UnitPrice.value * 100) / 100);
  });

  it('$select keeps only the named fields (and the system ones)', async () => {
    const { body } = await fx.api('GET', `${BASE}/Customer`, { query: { $select: 'CustomerName,MainContact/Email', $expand: 'MainContact', $top: 2 } });
    assert.equal(body.length, 2);
    assert.deepEqual(Object.keys(body[0]).sort(), ['CustomerName', 'MainContact', '_links', 'custom', 'id', 'note', 'rowNumber']);
    assert.deepEqual(Object.keys(body[0].MainContact).sort(), ['Email', 'custom', 'rowNumber']);
  });

  it('$filter: eq, ne, gt, ge, lt, le, and, or, not, functions, linked paths and datetimeoffset', async () => {
    const list = async (filter: string) => (await fx.api('GET', `${BASE}/SalesInvoice`, { query: { $filter: filter } })).body as Array<Record<string, { value: unknown }>>;
    const all = await list("Type eq 'Invoice'");
    assert.equal(all.length, 50);
    const times = all.map((i) => Date.parse(String(i.LastModifiedDateTime!.value))).sort((a, b) => a - b);
    const mid = new Date(times[25]!).toISOString().replace('Z', '+00:00');
    assert.equal((await list(`LastModifiedDateTime gt datetimeoffset'${mid}'`)).length, 24);
    assert.equal((await list(`LastModifiedDateTime ge datetimeoffset'${mid}'`)).length, 25);
    assert.equal((await list(`LastModifiedDateTime lt datetimeoffset'${mid}'`)).length, 25);
    assert.equal((await list(`LastModifiedDateTime le datetimeoffset'${mid}' and LastModifiedDateTime ge datetimeoffset'${mid}'`)).length, 1);
    // The offset is honoured: the same instant written at +03:00.
    const shifted = new Date(times[25]! + 3 * 3_600_000).toISOString().replace('Z', '+03:00');
    assert.equal((await list(`LastModifiedDateTime ge datetimeoffset'${shifted}'`)).length, 25);
    assert.equal((await list("CustomerID eq 'c0000001'")).length, (await list("CustomerID eq 'C0000001'")).length, 'text compares without case');
    const open = await list("Status eq 'Open' or Status eq 'Closed'");
    assert.ok(open.every((i) => ['Open', 'Closed'].includes(String(i.Status!.value))));
    assert.equal((await list("not (Status eq 'Open' or Status eq 'Closed')")).length, 50 - open.length);
    assert.ok((await list('Amount gt 1000 and Balance le Amount')).every((i) => Number(i.Amount!.value) > 1000));
    assert.equal((await list("startswith(ReferenceNbr,'AR000000')")).length, 9);
    assert.ok((await list("substringof('0004', ReferenceNbr)")).length >= 1);

    const customers = (await fx.api('GET', `${BASE}/Customer`, { query: { $filter: "endswith(MainContact/Email,'.com') eq false", $expand: 'MainContact' } })).body as Array<{
      MainContact: { Email: { value: string } };
    }>;
    assert.ok(customers.length > 0 && customers.every((c) => !c.MainContact.Email.value.endsWith('.com')));
  });

  it('a bad $filter, $expand or $top is a 400 naming it', async () => {
    for (const [query, pattern] of [
      [{ $filter: 'NoSuchField eq 1' }, /no field NoSuchField/],
      [{ $filter: "CustomerID eq 'x" }, /unterminated/],
      [{ $filter: 'Details/Qty gt 1' }, /detail entity/],
      [{ $expand: 'Nope' }, /\$expand/],
      [{ $top: -1 }, /\$top/],
    ] as const) {
      const entity = 'Details/Qty gt 1' === (query as Record<string, unknown>).$filter ? 'SalesInvoice' : 'Customer';
      const { status, body } = await fx.api('GET', `${BASE}/${entity}`, { query: query as Record<string, string | number> });
      assert.equal(status, 400, JSON.stringify(query));
      assert.equal(body.message, 'An error has occurred.');
      assert.match(body.exceptionMessage, pattern);
    }
  });

  it('$top and $skip page the list in key order; no $top returns everything', async () => {
    const all = (await fx.api('GET', `${BASE}/Contact`)).body as Array<{ ContactID: { value: number }; rowNumber: number }>;
    assert.equal(all.length, 40);
    const ids = all.map((c) => c.ContactID.value);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const page = (await fx.api('GET', `${BASE}/Contact`, { query: { $top: 15, $skip: 30 } })).body as typeof all;
    assert.deepEqual(page.map((c) => c.ContactID.value), ids.slice(30));
    assert.equal(page[0]!.rowNumber, 31);
  });

  it('answers 404 with an empty body for an endpoint version or entity it does not serve, and HttpError JSON for a missing record', async () => {
    for (const path of ['/entity/Default/23.200.001/Customer', '/entity/Custom/24.200.001/Customer', `${BASE}/StockItem`]) {
      const { status, body } = await fx.api('GET', path);
      assert.equal(status, 404, path);
      assert.equal(body, undefined);
    }
    const missing = await fx.api('GET', `${BASE}/Customer/NOPE`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.exceptionMessage, /No Customer record/);
  });

  it('401 without a valid credential; 403 for a form the user may not use', async () => {
    const none = await fetch(`${fx.sandbox.systems.acumatica.baseUrl}${BASE}/Customer`);
    assert.equal(none.status, 401);
    assert.ok(((await none.json()) as { message: string }).message);
    const bad = await fetch(`${fx.sandbox.systems.acumatica.baseUrl}${BASE}/Customer`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    await fx.admin.patchSettings({ deniedEntities: ['Contact'] });
    const denied = await fx.api('GET', `${BASE}/Contact`);
    await fx.admin.patchSettings({ deniedEntities: [] });
    assert.equal(denied.status, 403);
  });
});

describe('Acumatica sandbox: writes and the payment arithmetic', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture();
  });
  after(() => fx.sandbox.close());

  it('PUT creates, then finds the record by its keys or id; unchanged PUTs leave LastModifiedDateTime', async () => {
    const created = await fx.api('PUT', `${BASE}/Customer`, { body: { CustomerID: { value: 'newco' }, CustomerName: { value: 'NewCo' }, MainContact: { Email: { value: 'a@newco.example' } } } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.CustomerID, { value: 'NEWCO' });
    assert.deepEqual(created.body.MainContact.Email, { value: 'a@newco.example' }, 'sent linked entities come back');
    const modified = created.body.LastModifiedDateTime.value;

    fx.clock.advance(5_000);
    const same = await fx.api('PUT', `${BASE}/Customer`, { body: { CustomerID: { value: 'NEWCO' }, CustomerName: { value: 'NewCo' } } });
    assert.equal(same.body.id, created.body.id);
    assert.equal(same.body.LastModifiedDateTime.value, modified, 'nothing changed, nothing moved');
    const byId = await fx.api('PUT', `${BASE}/Customer`, { body: { id: created.body.id, CustomerName: { value: 'NewCo Ltd' } } });
    assert.equal(byId.body.id, created.body.id);
    assert.deepEqual(byId.body.CustomerName, { value: 'NewCo Ltd' });
    assert.notEqual(byId.body.LastModifiedDateTime.value, modified);

    const createOnly = await fx.api('PUT', `${BASE}/Customer`, { body: { CustomerID: { value: 'NEWCO' }, CustomerName: { value: 'x' } }, headers: { 'if-none-match': '*' } });
    assert.equal(createOnly.status, 412);
    const updateOnly = await fx.api('PUT', `${BASE}/Customer`, { body: { CustomerID: { value: 'GHOST' }, CustomerName: { value: 'x' } }, headers: { 'if-match': '*' } });
    assert.equal(updateOnly.status, 412);
    assert.equal((await fx.api('GET', `${BASE}/Customer/GHOST`)).status, 404);
  });

  it('a 422 echoes the record with an error on each failed field', async () => {
    const { status, body } = await fx.api('PUT', `${BASE}/Customer`, {
      body: { CustomerName: { value: '' }, CurrencyID: { value: 'XYZ' }, MainContact: { Email: { value: 'nope' } } },
    });
    assert.equal(status, 422);
    assert.match(body.error, /errors/);
    assert.match(body.CustomerName.error, /cannot be empty/);
    assert.deepEqual(body.CurrencyID, { value: 'XYZ', error: "'Currency ID' cannot be found in the system." });
    assert.match(body.MainContact.Email.error, /not a valid email/);
  });

  it('contacts, invoices with lines, and payments that move balances: partial keeps Open, full closes', async () => {
    const contact = await fx.api('PUT', `${BASE}/Contact`, { body: { BusinessAccount: { value: 'NEWCO' }, FirstName: { value: 'Ada' }, LastName: { value: 'Lovelace' }, Email: { value: 'ada@newco.example' } } });
    assert.equal(contact.status, 200);
    assert.ok(contact.body.ContactID.value > 1000);
    assert.deepEqual(contact.body.DisplayName, { value: 'Ada Lovelace' });

    const invoice = await fx.api('PUT', `${BASE}/SalesInvoice`, {
      body: {
        CustomerID: { value: 'NEWCO' },
        Description: { value: 'Consulting' },
        Details: [
          { InventoryID: { value: 'CONSULT' }, Qty: { value: 10 }, UnitPrice: { value: 150 } },
          { InventoryID: { value: 'TRAVEL' }, Qty: { value: 1 }, UnitPrice: { value: 99.5 } },
        ],
      },
    });
    assert.equal(invoice.status, 200);
    assert.deepEqual([invoice.body.Status.value, invoice.body.Amount.value, invoice.body.Balance.value], ['Open', 1599.5, 1599.5]);
    assert.equal(invoice.body.Details.length, 2);
    const ref = invoice.body.ReferenceNbr.value as string;

    const partial = await fx.api('PUT', `${BASE}/Payment`, {
      body: { CustomerID: { value: 'NEWCO' }, PaymentAmount: { value: 500 }, DocumentsToApply: [{ DocType: { value: 'Invoice' }, ReferenceNbr: { value: ref } }] },
    });
    assert.equal(partial.status, 200);
    assert.deepEqual([partial.body.Status.value, partial.body.DocumentsToApply[0].AmountPaid.value], ['Closed', 500]);
    let now = (await fx.api('GET', `${BASE}/SalesInvoice/Invoice/${ref}`)).body;
    assert.deepEqual([now.Status.value, now.Balance.value, now.PaymentTotal.value], ['Open', 1099.5, 500]);

    const tooMuch = await fx.api('PUT', `${BASE}/Payment`, {
      body: { CustomerID: { value: 'NEWCO' }, PaymentAmount: { value: 5000 }, DocumentsToApply: [{ ReferenceNbr: { value: ref }, AmountPaid: { value: 2000 } }] },
    });
    assert.equal(tooMuch.status, 422);
    assert.match(tooMuch.body.DocumentsToApply[0].AmountPaid.error, /balance/);

    const rest = await fx.admin.payInvoice(`Invoice/${ref}`);
    assert.equal(rest.invoice.body.Status, 'Closed');
    now = (await fx.api('GET', `${BASE}/SalesInvoice/Invoice/${ref}`)).body;
    assert.deepEqual([now.Status.value, now.Balance.value], ['Closed', 0]);

    const refused = await fx.api('DELETE', `${BASE}/SalesInvoice/Invoice/${ref}`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.exceptionMessage, /payments applied/);

    // Deleting the full payment reopens the invoice with the balance it withdrew.
    assert.equal((await fx.api('DELETE', `${BASE}/Payment/Payment/${rest.payment.body.ReferenceNbr as string}`)).status, 204);
    now = (await fx.api('GET', `${BASE}/SalesInvoice/Invoice/${ref}`)).body;
    assert.deepEqual([now.Status.value, now.Balance.value], ['Open', 1099.5]);

    assert.equal((await fx.api('DELETE', `${BASE}/Contact/${contact.body.ContactID.value as number}`)).status, 204);
    assert.equal((await fx.api('GET', `${BASE}/Contact/${contact.body.ContactID.value as number}`)).status, 404);
  });

  it('the admin sets fields bypassing validation, bulk-inserts, and moves modification times', async () => {
    const odd = await fx.admin.setFields('SalesInvoice', 'Invoice/AR0000002', { Currency: 'XYZ' });
    assert.equal(odd.body.Currency, 'XYZ');
    assert.deepEqual((await fx.api('GET', `${BASE}/SalesInvoice/Invoice/AR0000002`)).body.Currency, { value: 'XYZ' });
    const keys = await fx.admin.bulkInsert('Customer', [{ CustomerName: 'Bulk One' }, { CustomerID: 'BULK2', CustomerName: 'Bulk Two' }]);
    assert.equal(keys.length, 2);
    assert.equal(keys[1], 'BULK2');
    const at = Date.UTC(2025, 5, 1, 12);
    const moved = await fx.admin.setModifiedTime('Customer', [...keys, 'NOPE'], at);
    assert.deepEqual([moved.updated, moved.missing], [2, ['NOPE']]);
    const found = (await fx.api('GET', `${BASE}/Customer`, { query: { $filter: "LastModifiedDateTime eq datetimeoffset'2025-06-01T12:00:00.000+00:00'" } })).body;
    assert.equal(found.length, 2);
  });
});

describe('Acumatica sandbox: instance, license, sessions, push', () => {
  it('upgrading the instance removes the old endpoint version (or keeps it when asked)', async () => {
    const fx = await startFixture();
    try {
      await fx.admin.upgrade('25.200.001');
      assert.equal((await fx.api('GET', `${BASE}/Customer/C0000001`)).status, 404);
      assert.equal((await fx.api('GET', '/entity/Default/25.200.001/Customer/C0000001')).status, 200);
      const both = await fx.admin.upgrade('26.200.001', true);
      assert.deepEqual(both.endpoints.map((e) => e.version), ['25.200.001', '26.200.001']);
      await fx.admin.reset();
      assert.equal((await fetch(`${fx.sandbox.systems.acumatica.baseUrl}/entity`).then((r) => r.json()) as { endpoints: unknown[] }).endpoints.length, 1);
    } finally {
      await fx.sandbox.close();
    }
  });

  it('the cookie login: 204 with session cookies, the API with them, API user slots, logout', async () => {
    const fx = await startFixture({ acumaticaSettings: { maxSessions: 1 } });
    try {
      const { baseUrl, username, password } = fx.sandbox.systems.acumatica;
      const login = (name = username) =>
        fetch(`${baseUrl}/entity/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password, tenant: 'SandboxCompany' }) });
      const ok = await login();
      assert.equal(ok.status, 204);
      const cookies = ok.headers.getSetCookie().map((c) => c.split(';')[0]!);
      assert.ok(cookies.some((c) => c.startsWith('.ASPXAUTH=')) && cookies.some((c) => c.startsWith('ASP.NET_SessionId=')));
      const read = await fetch(`${baseUrl}${BASE}/Customer/C0000001`, { headers: { cookie: cookies.join('; ') } });
      assert.equal(read.status, 200);
      const second = await login();
      assert.equal(second.status, 429);
      assert.match(((await second.json()) as { exceptionMessage: string }).exceptionMessage, /API Login Limit/);
      assert.equal((await fetch(`${baseUrl}/entity/auth/logout`, { method: 'POST', headers: { cookie: cookies.join('; ') } })).status, 204);
      assert.equal((await fetch(`${baseUrl}${BASE}/Customer/C0000001`, { headers: { cookie: cookies.join('; ') } })).status, 401);
      assert.equal((await login('someone.else')).status, 400);
      // An idle session ends after ten minutes.
      const idle = await login();
      const idleCookies = idle.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
      fx.clock.advance(10 * 60_000);
      assert.equal((await fetch(`${baseUrl}${BASE}/Customer/C0000001`, { headers: { cookie: idleCookies } })).status, 401);
    } finally {
      await fx.sandbox.close();
    }
  });

  it('push notifications: inserted, updated (Deleted + Inserted) and deleted rows, with the custom header, retried after an error', async () => {
    const fx = await startFixture();
    const received: Array<{ headers: IncomingMessage['headers']; body: Record<string, unknown> }> = [];
    let failFirst = true;
    const target = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        if (failFirst) {
          failFirst = false;
          response.writeHead(500).end();
          return;
        }
        received.push({ headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      const port = (target.address() as AddressInfo).port;
      await fx.admin.configurePush({ targetUrl: `http://127.0.0.1:${port}/hook`, headerName: 'X-Hook-Key', headerValue: 'k1', entities: ['Customer'], retryDelayMs: 10 });
      await fx.api('PUT', `${BASE}/Customer`, { body: { CustomerID: { value: 'PUSHED' }, CustomerName: { value: 'Pushed' } } });
      await fx.api('PUT', `${BASE}/Customer`, { body: { CustomerID: { value: 'PUSHED' }, CustomerName: { value: 'Pushed Again' } } });
      await fx.api('DELETE', `${BASE}/Customer/PUSHED`);
      await fx.api('PUT', `${BASE}/Contact`, { body: { LastName: { value: 'Ignored' } } });
      const deliveries = await fx.admin.pushDeliveries();
      assert.equal(deliveries.length, 3);
      assert.ok(deliveries.every((d) => d.state === 'delivered'));
      assert.equal(deliveries[0]!.attempts, 2, 'the 500 was retried');
      assert.equal(received.length, 3);
      for (const { headers, body } of received) {
        assert.equal(headers['x-hook-key'], 'k1');
        assert.equal(headers['x-hub-signature'], undefined, 'no signature exists');
        assert.equal(body.Query, 'Customer');
        assert.equal(body.CompanyId, 'SandboxCompany');
        assert.match(String(body.Id), /^[0-9a-f-]{36}$/);
        assert.equal(typeof body.TimeStamp, 'number');
      }
      // A retried delivery may arrive after later ones (as with a real destination): tell them apart by shape.
      const bodies = received.map((r) => r.body as { Inserted: Array<Record<string, unknown>>; Deleted: Array<Record<string, unknown>> });
      const inserted = bodies.find((b) => b.Deleted.length === 0);
      const updated = bodies.find((b) => b.Deleted.length === 1 && b.Inserted.length === 1);
      const deleted = bodies.find((b) => b.Inserted.length === 0);
      assert.deepEqual([inserted!.Inserted.length, inserted!.Deleted.length], [1, 0]);
      assert.equal(inserted!.Inserted[0]!.Customer_CustomerID, 'PUSHED');
      assert.deepEqual([updated!.Deleted[0]!.Customer_CustomerName, updated!.Inserted[0]!.Customer_CustomerName], ['Pushed', 'Pushed Again']);
      assert.deepEqual([deleted!.Inserted.length, deleted!.Deleted.length], [0, 1]);
    } finally {
      target.close();
      await fx.sandbox.close();
    }
  });
});

describe('Acumatica sandbox: seed data', () => {
  it('is the same for the same seed, sized as asked, with partial and full payments', async () => {
    const a = await startFixture({ seed: 5 });
    const b = await startFixture({ seed: 5 });
    try {
      const first = (await a.api('GET', `${BASE}/SalesInvoice`, { query: { $expand: 'Details' } })).body;
      const second = (await b.api('GET', `${BASE}/SalesInvoice`, { query: { $expand: 'Details' } })).body;
      assert.deepEqual(first, second);
      const counts = await Promise.all((['Customer', 'Contact', 'SalesInvoice', 'Payment'] as const).map(async (e) => (await a.admin.count(e)).count));
      assert.deepEqual(counts, [20, 40, 50, 30]);
      const customers = (await a.api('GET', `${BASE}/Customer`, { query: { $expand: 'MainContact' } })).body as Array<{ MainContact: { WebSite: { value?: string } } }>;
      const sites = customers.map((c) => c.MainContact.WebSite.value).filter((s) => s !== undefined);
      assert.ok(sites.length >= 16 && sites.every((s) => /^https:\/\/www\.[a-z0-9-]+\.[a-z]+$/.test(s!)));
      const statuses = first.map((i: { Status: { value: string } }) => i.Status.value);
      assert.ok(statuses.includes('Open') && statuses.includes('Closed'));
      const partial = first.filter((i: { Status: { value: string }; PaymentTotal: { value: number } }) => i.Status.value === 'Open' && i.PaymentTotal.value > 0);
      assert.ok(partial.length > 0, 'some invoices are partially paid');
      for (const invoice of first) {
        const lines = invoice.Details.length;
        assert.ok(lines >= 1 && lines <= 5);
        assert.equal(invoice.Balance.value, invoice.Status.value === 'Voided' ? 0 : Math.round((invoice.Amount.value - invoice.PaymentTotal.value) * 100) / 100);
      }
    } finally {
      await a.sandbox.close();
      await b.sandbox.close();
    }
  });

  it('huge holds a million records without keeping them', async () => {
    const fx = await startFixture({ size: 'huge', seed: 2 });
    try {
      const counts = await Promise.all((['Customer', 'Contact', 'SalesInvoice', 'Payment'] as const).map(async (e) => (await fx.admin.count(e)).count));
      assert.equal(counts.reduce((s, n) => s + n, 0), 1_000_000);
      const last = await fx.api('GET', `${BASE}/SalesInvoice/Invoice/AR0340000`, { query: { $expand: 'Details' } });
      assert.equal(last.status, 200);
      const page = await fx.api('GET', `${BASE}/Payment`, { query: { $top: 50, $skip: 209_950 } });
      assert.equal(page.body.length, 50);
      assert.equal((await fx.admin.count('SalesInvoice')).inMemory, 0);
    } finally {
      await fx.sandbox.close();
    }
  });
});
