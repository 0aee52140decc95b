/**
 * Acumatica's error answers, built one way for the whole sandbox
 * (reference/acumatica.md §8): every 4xx/5xx but 422 is ASP.NET Web API's
 * HttpError JSON (`message`, `exceptionMessage`, `exceptionType`,
 * `stackTrace`); a 422 echoes the record with `error` on its fields (§4).
 * Exception type names are ours (UNCERTAIN in §8).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function sendJson(c: Context, status: number, body: unknown): Response {
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'Content-Type': JSON_CONTENT_TYPE });
}

export interface HttpErrorInit {
  message: string;
  exceptionMessage?: string;
  exceptionType?: string;
}

export function httpErrorBody(init: HttpErrorInit): Record<string, unknown> {
  return {
    message: init.message,
    ...(init.exceptionMessage === undefined ? {} : { exceptionMessage: init.exceptionMessage }),
    ...(init.exceptionType === undefined ? {} : { exceptionType: init.exceptionType }),
    ...(init.exceptionMessage === undefined ? {} : { stackTrace: '' }),
  };
}

/** An error any handler can throw; the app's error handler answers with its body. */
export class AcumaticaApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown> | undefined,
  ) {
    super(typeof body?.exceptionMessage === 'string' ? body.exceptionMessage : typeof body?.message === 'string' ? body.message : `HTTP ${status}`);
    this.name = 'AcumaticaApiError';
  }
}

const ERROR_MESSAGE = 'An error has occurred.';

export const badRequest = (why: string) =>
  new AcumaticaApiError(400, httpErrorBody({ message: ERROR_MESSAGE, exceptionMessage: why, exceptionType: 'PX.Api.ContractBased.InvalidRequestException' }));

/** A record the keys or id name does not exist (404, as for PATCH in §4). */
export const noSuchRecord = (entity: string, keys: string) =>
  new AcumaticaApiError(
    404,
    httpErrorBody({ message: ERROR_MESSAGE, exceptionMessage: `No ${entity} record matches ${keys}.`, exceptionType: 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException' }),
  );

/** A write the business logic refuses outside validation (deleting a document with applications, …). */
export const refused = (why: string) =>
  new AcumaticaApiError(400, httpErrorBody({ message: ERROR_MESSAGE, exceptionMessage: why, exceptionType: 'PX.Data.PXException' }));

/** §1 (UNCERTAIN): an endpoint name/version or entity the instance doesn't serve: 404 with an empty body. */
export const unknownEndpoint = () => new AcumaticaApiError(404, undefined);

export const notSignedIn = () =>
  new AcumaticaApiError(401, httpErrorBody({ message: 'You are not signed in, or your access token is not valid or has expired.' }));

export const forbidden = (entity: string) =>
  new AcumaticaApiError(
    403,
    httpErrorBody({ message: ERROR_MESSAGE, exceptionMessage: `You have insufficient rights to access the form behind ${entity}.`, exceptionType: 'PX.Data.PXException' }),
  );

/** §7: the license's limit (body ours; the reference documents only the status). */
export function licenseLimitBody(why: string): Record<string, unknown> {
  return httpErrorBody({
    message: 'The number of API requests has exceeded the limit imposed by the license.',
    exceptionMessage: why,
    exceptionType: 'PX.Api.LicenseLimitException',
  });
}

export const preconditionFailed = (why: string) =>
  new AcumaticaApiError(412, httpErrorBody({ message: ERROR_MESSAGE, exceptionMessage: why, exceptionType: 'PX.Api.ContractBased.PreconditionFailedException' }));

export function sendApiError(c: Context, error: AcumaticaApiError): Response {
  if (error.body === undefined) return c.body(null, error.status as ContentfulStatusCode);
  return sendJson(c, error.status, error.body);
}
