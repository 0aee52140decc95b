/**
 * What every /api route is built from: one declaration (path, input schemas,
 * the answer's schema, the errors it may give) that @hono/zod-openapi turns
 * into validation and a path of the OpenAPI document, and a handler that gets
 * the parsed input and the caller's workspace and returns the answer's body.
 *
 * Why the declaration goes through `route()` rather than straight to
 * `app.openapi()`: @asteasolutions/zod-to-openapi (under @hono/zod-openapi)
 * declares its zod augmentation against a `ZodType` shape that zod 4.6's
 * types no longer match, so its route types reject every zod schema at
 * compile time (they work at run time). `route()` keeps the types on our side
 * — input and answer typed from the same schemas — and hands the library the
 * same objects untyped.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { Installation } from '../../app/installation.ts';
import type { JobQueue } from '../../queue/types.ts';
import type { AccessEnv } from '../access.ts';
import type { WebhookLog } from '../webhook-common.ts';
import { ErrorBody } from './schemas.ts';

export type ApiApp = OpenAPIHono<AccessEnv>;

export interface ApiDeps {
  installation: Installation;
  /** The job queue "run now" puts runs on; without one, running a flow now is a 503. */
  queue?: JobQueue;
  /** Where an unexpected failure (a bug) is logged; its message is never sent to the caller. */
  log?: WebhookLog;
}

export interface RouteDeps extends ApiDeps {
  /** Access and audit, run before a route parses its input. */
  guard: MiddlewareHandler<AccessEnv>;
}

const ERROR_DESCRIPTIONS = {
  400: 'The input is not valid: the message names the field',
  401: 'No API key (or session), or one that is not valid',
  403: 'A console session’s change without its CSRF token',
  404: 'Not found in the caller’s workspace',
  409: 'In conflict with the current state',
  502: 'The external system refused or failed',
  503: 'Not available now',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Every /api route is behind an API key or a console session. */
const SECURITY = [{ bearerKey: [] as string[] }, { sessionCookie: [] as string[] }];

const json = (schema: z.ZodType, description: string) => ({ content: { 'application/json': { schema } }, description });

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface RouteSpec<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined, R extends Schema> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style: `/api/connections/{id}`. */
  path: string;
  tags: string[];
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  bodyDescription?: string;
  answer: { status: 200 | 201 | 202; schema: R; description: string };
  /** The failures it may answer besides 401 and 403 (every route may). */
  errors?: readonly ErrorStatus[];
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  workspace: string;
  c: Context<AccessEnv>;
}

/** Declares a route on the API: validation, the OpenAPI path, and its handler. */
export function route<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined, R extends Schema>(
  api: ApiApp,
  guard: MiddlewareHandler<AccessEnv>,
  spec: RouteSpec<P, Q, B, R>,
  handler: (input: RouteInput<Out<P>, Out<Q>, Out<B>>) => Promise<z.input<R>> | z.input<R>,
): void {
  const errorAnswers = Object.fromEntries([...new Set<ErrorStatus>([401, 403, ...(spec.errors ?? [])])].map((s) => [s, json(ErrorBody, ERROR_DESCRIPTIONS[s])]));
  const config = createRoute({
    method: spec.method,
    path: spec.path,
    tags: spec.tags,
    summary: spec.summary,
    security: SECURITY,
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: { ...json(spec.body, spec.bodyDescription ?? spec.summary), required: true } } : {}),
    },
    responses: { [spec.answer.status]: json(spec.answer.schema, spec.answer.description), ...errorAnswers },
    middleware: [guard],
  } as never);
  const handle = async (c: Context<AccessEnv>) => {
    const valid = (target: string) => (c.req.valid as (t: string) => unknown)(target);
    const body = await handler({
      params: (spec.params ? valid('param') : undefined) as Out<P>,
      query: (spec.query ? valid('query') : undefined) as Out<Q>,
      body: (spec.body ? valid('json') : undefined) as Out<B>,
      workspace: c.get('principal').workspace,
      c,
    });
    return c.json(body as object, spec.answer.status);
  };
  api.openapi(config, handle as never);
}
