/**
 * The FreshBooks sandbox's webhooks over real HTTP (reference §8): callback
 * registration, the verification handshake, form-encoded deliveries signed
 * with the verifier (checked with the receiver's own helper), retries on
 * non-2xx and disabling after persistent failure, re-delivery, and events
 * held and released out of order. The sandbox runs on a VirtualClock, so
 * the waits between attempts take no real time.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { formFields, verifyFreshBooksWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../systems/freshbooks/webhook-signature.ts';
import { accessToken, apiCaller, startReceiver, startTestSandbox, type Answer, type ApiCall, type ReceivedRequest, type Receiver, type TestSandbox } from './test-helpers.ts';

type Api = (method: string, path: string, call?: ApiCall) => Promise<Answer>;

const fieldsOf = (request: ReceivedRequest) => Object.fromEntries(formFields(request.body));

describe('FreshBooks sandbox: webhooks', () => {
  let fx: TestSandbox;
  let api: Api;
  let receiver: Receiver;
  let callbacks: string;
  let base: string;

  before(async () => {
    fx = await startTestSandbox();
    api = apiCaller(fx, await accessToken(fx));
    receiver = await startReceiver();
    callbacks = `/events/account/${fx.connection.accountId}/events/callbacks`;
    base = `/accounting/account/${fx.connection.accountId}`;
  });
  after(async () => {
    await fx.close();
    await receiver.close();
  });
  beforeEach(async () => {
    for (const callback of (await api('GET', callbacks)).body.response.result.callbacks) await api('DELETE', `${callbacks}/${callback.callbackid}`);
    await fx.admin.deliveries();
    await fx.admin.patchSettings({ webhookMaxAttempts: 5, webhookRetryDelayMs: 1_000, webhookDisableAfterFailures: 3, webhookHold: false });
    receiver.received.length = 0;
    receiver.status = 200;
  });

  /** Registers a callback and completes the handshake the way a receiver would; returns its id and verifier. */
  async function registerVerified(event: string): Promise<{ id: number; verifier: string }> {
    const created = await api('POST', callbacks, { body: { callback: { event, uri: receiver.url } } });
    assert.equal(created.status, 200);
    const id = created.body.response.result.callback.callbackid as number;
    await fx.admin.deliveries();
    const verification = receiver.received.find((r) => fieldsOf(r).name === 'callback.verify' && fieldsOf(r).object_id === String(id))!;
    const verifier = fieldsOf(verification).verifier!;
    const verified = await api('PUT', `${callbacks}/${id}`, { body: { callback: { verifier } } });
    assert.equal(verified.body.response.result.callback.verified, true);
    receiver.received.length = 0;
    return { id, verifier };
  }

  it('registration sends a signed verification message; nothing is delivered until the verifier comes back', async () => {
    const created = await api('POST', callbacks, { body: { callback: { event: 'invoice', uri: receiver.url } } });
    const callback = created.body.response.result.callback;
    assert.deepEqual([callback.event, callback.uri, callback.verified], ['invoice', receiver.url, false]);
    assert.match(callback.updated_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    await fx.admin.deliveries();
    assert.equal(receiver.received.length, 1);
    const [verification] = receiver.received as [ReceivedRequest];
    assert.equal(verification.method, 'POST');
    assert.equal(verification.path, '/hooks/freshbooks');
    assert.match(String(verification.headers['content-type']), /^application\/x-www-form-urlencoded/);
    const fields = fieldsOf(verification);
    assert.deepEqual([fields.name, fields.object_id, fields.account_id], ['callback.verify', String(callback.callbackid), fx.connection.accountId]);
    assert.match(fields.verifier!, /^[A-Za-z0-9]{30}$/);
    const signature = verification.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    assert.equal(verifyFreshBooksWebhook({ verifier: fields.verifier!, body: verification.body, signature }).decision, 'accept');

    // Unverified: a new invoice goes nowhere.
    const client = (await api('GET', `${base}/users/clients`, { query: { per_page: 1 } })).body.response.result.clients[0];
    await api('POST', `${base}/invoices/invoices`, { body: { invoice: { customerid: client.id, lines: [{ name: 'x', unit_cost: { amount: '1.00' } }] } } });
    await fx.admin.deliveries();
    assert.equal(receiver.received.length, 1);

    const wrong = await api('PUT', `${callbacks}/${callback.callbackid}`, { body: { callback: { verifier: 'not-it' } } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.details[0].fieldViolations[0].field, 'verifier');
    const resent = await api('PUT', `${callbacks}/${callback.callbackid}`, { body: { callback: { resend: true } } });
    assert.equal(resent.status, 200);
    await fx.admin.deliveries();
    assert.equal(fieldsOf(receiver.received[1]!).verifier, fields.verifier, 'a resend carries the same verifier');
    const ok = await api('PUT', `${callbacks}/${callback.callbackid}`, { body: { callback: { verifier: fields.verifier } } });
    assert.equal(ok.body.response.result.callback.verified, true);

    const listed = await api('GET', callbacks, { query: { 'search[event]': 'invoice.create' } });
    assert.deepEqual(listed.body.response.result.callbacks.map((c: { callbackid: number }) => c.callbackid), [callback.callbackid], 'a search matches the parent event');
    const single = await api('GET', `${callbacks}/${callback.callbackid}`);
    assert.equal(single.body.response.result.callback.verified, true);
  });

  it('a client, then an invoice, then a payment: one signed, form-encoded delivery per event, in order', async () => {
    const { verifier } = await registerVerified('client');
    await registerVerified('invoice');
    const { verifier: paymentVerifier } = await registerVerified('payment.create');

    const client = (await api('POST', `${base}/users/clients`, { body: { client: { organization: 'Hooks Ltd', email: 'ap@hooks.example' } } })).body.response.result.client;
    const invoice = (await api('POST', `${base}/invoices/invoices`, { body: { invoice: { customerid: client.id, status: 2, lines: [{ name: 'Service', unit_cost: { amount: '80.00' } }] } } })).body
      .response.result.invoice;
    const payment = (await api('POST', `${base}/payments/payments`, { body: { payment: { invoiceid: invoice.id, amount: { amount: '80.00' }, date: '2026-03-02' } } })).body.response
      .result.payment;
    const log = await fx.admin.deliveries();

    const names = receiver.received.map((r) => `${fieldsOf(r).name}:${fieldsOf(r).object_id}`).sort();
    assert.deepEqual(names, [`client.create:${client.id}`, `invoice.create:${invoice.id}`, `invoice.update:${invoice.id}`, `payment.create:${payment.id}`].sort());
    const me = (await api('GET', '/auth/api/v1/users/me')).body.response;
    for (const request of receiver.received) {
      assert.match(String(request.headers['content-type']), /^application\/x-www-form-urlencoded/);
      const fields = formFields(request.body);
      assert.deepEqual(fields.map(([k]) => k), ['name', 'object_id', 'account_id', 'business_id', 'identity_id', 'user_id']);
      assert.equal(fieldsOf(request).business_id, String(me.business_memberships[0].business.id));
      assert.equal(fieldsOf(request).identity_id, String(me.id));
    }
    const clientDelivery = receiver.received.find((r) => fieldsOf(r).name === 'client.create')!;
    const paymentDelivery = receiver.received.find((r) => fieldsOf(r).name === 'payment.create')!;
    const signature = (r: ReceivedRequest) => r.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    assert.equal(verifyFreshBooksWebhook({ verifier, body: clientDelivery.body, signature: signature(clientDelivery) }).decision, 'accept');
    assert.equal(verifyFreshBooksWebhook({ verifier: paymentVerifier, body: paymentDelivery.body, signature: signature(paymentDelivery) }).decision, 'accept');
    assert.equal(verifyFreshBooksWebhook({ verifier, body: paymentDelivery.body, signature: signature(paymentDelivery) }).reason, 'bad_signature', 'each callback has its own verifier');
    // Deliveries to one callback keep the order of its events.
    const invoiceNames = receiver.received.filter((r) => (fieldsOf(r).name ?? '').startsWith('invoice.')).map((r) => fieldsOf(r).name);
    assert.deepEqual(invoiceNames, ['invoice.create', 'invoice.update']);
    assert.ok(log.filter((d) => d.kind === 'event').every((d) => d.state === 'delivered' && d.attempts === 1));

    // Deleting a client (vis_state 1) is client.delete.
    receiver.received.length = 0;
    await api('PUT', `${base}/users/clients/${client.id}`, { body: { client: { vis_state: 1 } } });
    await fx.admin.deliveries();
    assert.deepEqual(receiver.received.map((r) => fieldsOf(r).name), ['client.delete']);
  });

  it('a non-2xx reply is retried, spaced on the sandbox clock, until it succeeds', async () => {
    const { id } = await registerVerified('client.create');
    receiver.status = 503;
    await fx.admin.patchSettings({ webhookMaxAttempts: 8, webhookRetryDelayMs: 60_000 });
    const start = fx.clock.now();
    const pending = api('POST', `${base}/users/clients`, { body: { client: { fname: 'Retry' } } });
    await pending;
    while (receiver.received.length < 2) await new Promise((resolve) => setImmediate(resolve));
    receiver.status = 204;
    const [delivery] = (await fx.admin.deliveries()).filter((d) => d.kind === 'event' && d.callbackId === id);
    assert.equal(delivery?.state, 'delivered');
    assert.equal(delivery?.lastStatus, 204);
    assert.ok(delivery!.attempts >= 3);
    assert.ok(delivery!.lastAttemptAt! - delivery!.firstAttemptAt! >= 60_000 * (delivery!.attempts - 1));
    assert.ok(fx.clock.now() - start >= 120_000);
    assert.ok(receiver.received.every((r) => r.body === receiver.received[0]!.body), 'every attempt carries the same body');
  });

  it('persistent failure exhausts the retries and disables the callback; verifying it again enables it', async () => {
    const { id, verifier } = await registerVerified('client');
    receiver.status = 500;
    await fx.admin.patchSettings({ webhookMaxAttempts: 3, webhookRetryDelayMs: 10, webhookDisableAfterFailures: 2 });
    await api('POST', `${base}/users/clients`, { body: { client: { fname: 'Down 1' } } });
    await api('POST', `${base}/users/clients`, { body: { client: { fname: 'Down 2' } } });
    await api('POST', `${base}/users/clients`, { body: { client: { fname: 'Down 3' } } });
    const log = (await fx.admin.deliveries()).filter((d) => d.callbackId === id && d.kind === 'event');
    assert.deepEqual(log.map((d) => [d.state, d.attempts]), [['failed', 3], ['failed', 3], ['skipped', 0]]);
    assert.equal(receiver.received.length, 6);
    const [state] = (await fx.admin.callbacks()).filter((c) => c.id === id);
    assert.deepEqual([state?.disabled, state?.verified], [true, false]);
    assert.equal((await api('GET', `${callbacks}/${id}`)).body.response.result.callback.verified, false, 'the API shows it unverified');

    // Disabled: new events are not sent at all.
    receiver.status = 200;
    receiver.received.length = 0;
    await api('POST', `${base}/users/clients`, { body: { client: { fname: 'Still down' } } });
    await fx.admin.deliveries();
    assert.equal(receiver.received.length, 0);

    await api('PUT', `${callbacks}/${id}`, { body: { callback: { resend: true } } });
    await fx.admin.deliveries();
    assert.equal(fieldsOf(receiver.received[0]!).name, 'callback.verify');
    await api('PUT', `${callbacks}/${id}`, { body: { callback: { verifier } } });
    receiver.received.length = 0;
    await api('POST', `${base}/users/clients`, { body: { client: { fname: 'Back' } } });
    await fx.admin.deliveries();
    assert.deepEqual(receiver.received.map((r) => fieldsOf(r).name), ['client.create']);
  });

  it('an unreachable receiver counts as a failed attempt', async () => {
    const closed = await startReceiver();
    const uri = closed.url;
    await closed.close();
    const created = await api('POST', callbacks, { body: { callback: { event: 'client', uri } } });
    await fx.admin.patchSettings({ webhookMaxAttempts: 2, webhookRetryDelayMs: 1 });
    const [verification] = (await fx.admin.deliveries()).filter((d) => d.callbackId === created.body.response.result.callback.callbackid);
    assert.deepEqual([verification?.state, verification?.lastStatus], ['failed', 'connection_error']);
  });

  it('the admin surface re-delivers an event, and holds events to release them out of order', async () => {
    const { verifier } = await registerVerified('invoice');
    await registerVerified('payment');
    const client = (await api('GET', `${base}/users/clients`, { query: { per_page: 1 } })).body.response.result.clients[0];
    const invoice = (await api('POST', `${base}/invoices/invoices`, { body: { invoice: { customerid: client.id, lines: [{ name: 'x', unit_cost: { amount: '10.00' } }] } } })).body.response
      .result.invoice;
    await fx.admin.deliveries();
    const event = (await fx.admin.events()).find((e) => e.name === 'invoice.create' && e.objectId === invoice.id)!;
    const again = await fx.admin.redeliver(event.id);
    assert.equal(again.length, 1);
    assert.equal(again[0]!.redelivery, true);
    await fx.admin.deliveries();
    const copies = receiver.received.filter((r) => fieldsOf(r).name === 'invoice.create' && fieldsOf(r).object_id === String(invoice.id));
    assert.equal(copies.length, 2);
    assert.equal(copies[0]!.body, copies[1]!.body);
    assert.equal(verifyFreshBooksWebhook({ verifier, body: copies[1]!.body, signature: copies[1]!.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string }).decision, 'accept');

    // Payment before its invoice: hold the events, then release them reversed.
    receiver.received.length = 0;
    await fx.admin.patchSettings({ webhookHold: true });
    const second = (await api('POST', `${base}/invoices/invoices`, { body: { invoice: { customerid: client.id, lines: [{ name: 'y', unit_cost: { amount: '20.00' } }] } } })).body.response
      .result.invoice;
    await api('POST', `${base}/payments/payments`, { body: { payment: { invoiceid: second.id, amount: { amount: '20.00' }, date: '2026-03-02' } } });
    await fx.admin.deliveries();
    assert.equal(receiver.received.length, 0, 'held');
    assert.equal((await fx.admin.deliveries()).filter((d) => d.state === 'held').length, 3);
    await fx.admin.patchSettings({ webhookHold: false });
    assert.equal(await fx.admin.releaseHeld('reverse'), 3);
    await fx.admin.deliveries();
    const order = receiver.received.map((r) => fieldsOf(r).name);
    assert.ok(order.indexOf('payment.create') < order.indexOf('invoice.create'), `payment before invoice: ${order.join(', ')}`);
  });

  it('a callback needs the read scope of its events; an unknown event or a bad URI is refused; DELETE removes it', async () => {
    const narrow = apiCaller(fx, await accessToken(fx, ['user:profile:read', 'user:clients:read']));
    const refused = await narrow('POST', callbacks, { body: { callback: { event: 'invoice.create', uri: receiver.url } } });
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /user:invoices:read/);
    const allowed = await narrow('POST', callbacks, { body: { callback: { event: 'client.update', uri: receiver.url } } });
    assert.equal(allowed.status, 200);
    const unknown = await api('POST', callbacks, { body: { callback: { event: 'spaceship.launch', uri: receiver.url } } });
    assert.equal(unknown.status, 422);
    const badUri = await api('POST', callbacks, { body: { callback: { event: 'client', uri: 'not a url' } } });
    assert.equal(badUri.status, 422);
    assert.equal(badUri.body.details[0].fieldViolations[0].field, 'uri');
    const id = allowed.body.response.result.callback.callbackid;
    assert.equal((await api('DELETE', `${callbacks}/${id}`)).status, 204);
    assert.equal((await api('GET', `${callbacks}/${id}`)).status, 404);
  });

  it('a reset forgets callbacks, events and deliveries, and a new registration works at once', async () => {
    receiver.status = 500;
    const created = await api('POST', callbacks, { body: { callback: { event: 'client', uri: receiver.url } } });
    await fx.admin.reset();
    receiver.status = 200;
    receiver.received.length = 0;
    assert.deepEqual(await fx.admin.callbacks(), []);
    assert.equal((await fx.admin.events()).length, 0);
    const freshApi = apiCaller(fx, await accessToken(fx));
    const again = await freshApi('POST', callbacks, { body: { callback: { event: 'client', uri: receiver.url } } });
    assert.ok(again.body.response.result.callback.callbackid < created.body.response.result.callback.callbackid, 'ids start over from the seed');
    await fx.admin.deliveries();
    assert.equal(receiver.received.filter((r) => fieldsOf(r).name === 'callback.verify').length, 1);
  });
});
