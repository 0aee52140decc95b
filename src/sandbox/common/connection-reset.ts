/**
 * Dropping a client's connection from inside a Hono handler served by
 * @hono/node-server, so that the client sees a reset instead of a response.
 * The request is remembered so that the request counter can count it.
 */
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';

const resetRequests = new WeakSet<Request>();

function incomingOf(c: Context): IncomingMessage | undefined {
  const env = c.env as { incoming?: IncomingMessage } | undefined;
  return env?.incoming;
}

/** Whether `resetConnection` can work here (served over node:http, not `app.request()`). */
export function canResetConnection(c: Context): boolean {
  return incomingOf(c)?.socket !== undefined;
}

/**
 * Destroys the socket and returns a response that @hono/node-server will not
 * try to write. Outside node:http (e.g. `app.request()` in a test) there is no
 * socket, so it throws instead: the caller sees a failure either way.
 */
export function resetConnection(c: Context): Response {
  resetRequests.add(c.req.raw);
  const socket = incomingOf(c)?.socket;
  if (socket === undefined) throw new Error('connection reset (no socket to destroy)');
  socket.destroy();
  // A fresh copy: the shared constant must not collect headers from later middleware.
  return new Response(null, { headers: RESPONSE_ALREADY_SENT.headers });
}

export function wasConnectionReset(c: Context): boolean {
  return resetRequests.has(c.req.raw);
}
