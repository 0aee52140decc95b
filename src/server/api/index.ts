/**
 * The REST API under /api (SPEC §5): every route declared once with its zod
 * schemas (@hono/zod-openapi), which validate the input, type the handler and
 * make the OpenAPI 3.1 document served, without a key, at /api/openapi.json.
 * Every other route is behind an API key or a console session
 * (`requireAccess`, on each route before its input is even parsed) and sees
 * only the caller's workspace; every change is audited (`auditMutations`). Failures answer `{ error: { code, kind,
 * message, details } }` (./errors.ts).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono, MiddlewareHandler } from 'hono';
import { auditMutations, requireAccess, type AccessEnv } from '../access.ts';
import { registerConnectionRoutes } from './connections-routes.ts';
import { answerError, validationHook } from './errors.ts';
import { registerFlowRoutes } from './flows-routes.ts';
import { registerRecordRoutes } from './records-routes.ts';
import type { ApiDeps } from './route-kit.ts';

export const OPENAPI_PATH = '/api/openapi.json';

const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'ml-connector REST API',
    version: '1',
    description:
      'The operator’s console as an API: connections, flows, runs, records, replay, tools and the audit of changes. Send `Authorization: Bearer <key>` (create a key with `ml-connector keys create`); a key sees only its workspace.',
  },
};

/** The /api app, to mount on the server's app at `/`. */
export function createConsoleApi(deps: ApiDeps): OpenAPIHono<AccessEnv> {
  const api = new OpenAPIHono<AccessEnv>({ defaultHook: validationHook });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerKey', { type: 'http', scheme: 'bearer', description: 'An API key, mlc_<id>_<secret>' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'mlc_session',
    description: 'The console’s session; a change also needs its CSRF token in x-csrf-token',
  });

  api.doc31(OPENAPI_PATH, DOCUMENT);

  // On each route rather than on `/api/*`: other parts of the server (the OAuth connect) have /api routes with their own guard.
  const access = requireAccess(deps.installation);
  const audit = auditMutations(deps.installation);
  const guard: MiddlewareHandler<AccessEnv> = (c, next) =>
    access(c, async () => {
      await audit(c, next);
    });
  const withGuard = { ...deps, guard };
  registerConnectionRoutes(api, withGuard);
  registerFlowRoutes(api, withGuard);
  registerRecordRoutes(api, withGuard);

  api.onError((error, c) => answerError(c, error, deps.log));
  return api;
}

/** Mounts the REST API on the server's app. */
export function registerConsoleApi(app: Hono, deps: ApiDeps): void {
  app.route('/', createConsoleApi(deps));
}
