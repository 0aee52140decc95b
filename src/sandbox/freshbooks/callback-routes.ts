/**
 * The webhook callbacks API (reference/freshbooks.md §8) under
 * `/events/account/<accountId>/events/callbacks`: register (POST), list
 * (paged, `search[event]` matching the event and its parent), read, verify /
 * resend / change (PUT) and delete (DELETE). Bodies are `{"callback": {...}}`
 * and answers `{"response": {"result": {"callback": ...}}}`.
 */
import type { Context, Hono } from 'hono';
import { ERRNO } from '../../systems/freshbooks/error-codes.ts';
import { CallbackCreate, CallbackUpdate } from '../../systems/freshbooks/schemas.ts';
import { scopeForEvent } from '../../systems/freshbooks/scopes.ts';
import { readWrapped } from './accounting-routes.ts';
import type { FreshBooksEnv } from './context.ts';
import { FreshBooksApiError, sendJson } from './errors.ts';
import { readListQuery } from './listing.ts';
import type { FreshBooksWebhooks } from './webhooks.ts';

export function registerCallbackRoutes(app: Hono<FreshBooksEnv>, prefix: string, webhooks: FreshBooksWebhooks): void {
  const base = `${prefix}/events/account/:accountId/events/callbacks`;
  const ok = (c: Context, result: unknown) => sendJson(c, 200, { response: { result } });
  const accountOf = (c: Context<FreshBooksEnv>) => c.get('business').accountId;

  app.post(base, async (c) => {
    const callback = await readWrapped(c, 'callback', CallbackCreate.shape.callback);
    // §8: "each event needs the matching read scope".
    const scope = scopeForEvent(callback.event);
    if (scope && !c.get('grant').scopes.includes(scope)) {
      throw new FreshBooksApiError(403, ERRNO.forbidden, `The access token lacks the scope ${scope} that ${callback.event} events need.`, { field: 'event' });
    }
    return ok(c, { callback: webhooks.render(webhooks.register(accountOf(c), callback.event, callback.uri)) });
  });

  app.get(base, (c) => {
    const query = readListQuery(c);
    const all = webhooks.list(accountOf(c), query.search.get('event')?.[0]);
    const start = (query.page - 1) * query.perPage;
    return ok(c, {
      callbacks: all.slice(start, start + query.perPage).map((cb) => webhooks.render(cb)),
      page: query.page,
      pages: Math.ceil(all.length / query.perPage),
      per_page: query.perPage,
      total: all.length,
    });
  });

  app.get(`${base}/:callbackId`, (c) => ok(c, { callback: webhooks.render(webhooks.get(accountOf(c), c.req.param('callbackId'))) }));

  app.put(`${base}/:callbackId`, async (c) => {
    const callback = webhooks.get(accountOf(c), c.req.param('callbackId'));
    const change = await readWrapped(c, 'callback', CallbackUpdate.shape.callback);
    if (change.verifier !== undefined) return ok(c, { callback: webhooks.render(webhooks.verify(callback, change.verifier)) });
    if (change.resend) return ok(c, { callback: webhooks.render(webhooks.resend(callback)) });
    return ok(c, { callback: webhooks.render(webhooks.update(callback, { event: change.event, uri: change.uri })) });
  });

  app.delete(`${base}/:callbackId`, (c) => {
    webhooks.delete(webhooks.get(accountOf(c), c.req.param('callbackId')));
    return c.body(null, 204);
  });
}
