/**
 * The XML gateway itself (reference §1–§4, §6, §7, §8): one POST endpoint
 * that reads the request envelope, checks the control block (sender,
 * dtdversion, controlid), admits the request under the company's
 * concurrency limit, authenticates the operation (login or session, and the
 * session's endpoint), runs the functions — each on its own, or all or
 * nothing with `transaction="true"` — refusing a function controlid already
 * completed under `uniqueid`, and answers with the three-level envelope.
 *
 * The functions of one request run synchronously after the request's
 * latency, so two requests never interleave their writes and one request's
 * writes can be rolled back as a whole.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Clock } from '../../core/clock.ts';
import { ERROR_NUMBERS } from '../../systems/intacct/schemas.ts';
import type { IntacctCredentials, IntacctSettings } from './context.ts';
import type { IntacctData } from './data.ts';
import { formatIsoWithOffset } from './dates.ts';
import {
  authFailureXml,
  controlFailureXml,
  EMPTY_ECHO,
  echoOf,
  parseDocument,
  readRequest,
  requestText,
  resultsXml,
  type AuthenticationInfo,
  type ControlEcho,
  type FunctionResult,
  type ParsedRequest,
} from './envelope.ts';
import { AuthFailure, ControlFailure, errorEntry, FunctionFailure, SANDBOX_ERROR_NUMBERS } from './errors.ts';
import type { IntacctRequestCounter } from './function-counter.ts';
import { countedName, type CallContext, type FunctionRunner } from './functions.ts';
import type { GatewayLimiter } from './gateway-limits.ts';
import type { SessionRegistry } from './sessions.ts';

export const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';

/**
 * §6: function controlids completed under uniqueid=true, per (sender,
 * company). Neither the scope nor a time window is documented (UNCERTAIN):
 * they are kept until the sandbox is reset.
 */
export class ExecutedFunctions {
  private readonly byOwner = new Map<string, Set<string>>();

  of(owner: string): Set<string> {
    let set = this.byOwner.get(owner);
    if (!set) {
      set = new Set();
      this.byOwner.set(owner, set);
    }
    return set;
  }

  get size(): number {
    let n = 0;
    for (const set of this.byOwner.values()) n += set.size;
    return n;
  }

  reset(): void {
    this.byOwner.clear();
  }
}

export interface GatewayParts {
  clock: Clock;
  settings: IntacctSettings;
  credentials: IntacctCredentials;
  data: IntacctData;
  sessions: SessionRegistry;
  runner: FunctionRunner;
  limiter: GatewayLimiter;
  counters: IntacctRequestCounter;
  executed: ExecutedFunctions;
}

export function sendXml(c: Context, status: number, xml: string): Response {
  return c.body(xml, status as ContentfulStatusCode, { 'Content-Type': XML_CONTENT_TYPE });
}

/** §8: the throttling answer, HTTP 429 with a GW-0010 control failure. */
export function tooManyRequestsXml(echo: ControlEcho = EMPTY_ECHO): string {
  return controlFailureXml(
    echo,
    new ControlFailure([errorEntry(ERROR_NUMBERS.tooManyRequests, 'Too many requests', 'The company has too many requests in progress; wait and send the request again.', 'Send fewer requests at once.')], 429),
  );
}

const sleepReal = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const sessionRefused = (description2: string) =>
  new AuthFailure([errorEntry(ERROR_NUMBERS.invalidAuthorization, 'Invalid Web Services Authorization', description2, 'Sign in again (getAPISession) and send the request with the new session.')]);

export class Gateway {
  constructor(private readonly parts: GatewayParts) {}

  /** The Hono handler for one gateway path (the login endpoint or the pod's). */
  handler(path: string) {
    return async (c: Context): Promise<Response> => {
      let echo = EMPTY_ECHO;
      try {
        if (c.req.method !== 'POST') {
          throw new ControlFailure([errorEntry(ERROR_NUMBERS.invalidRequest, 'Invalid Request', `The gateway takes POST requests, not ${c.req.method}.`)], 405);
        }
        const text = await this.body(c);
        const document = parseDocument(requestText(text, c.req.header('content-type')));
        echo = echoOf(document['control']);
        const request = readRequest(document);
        echo = { ...echo, uniqueid: String(request.control.uniqueid) };
        this.checkSender(request);
        if (this.parts.settings.gatewayErrorCount > 0) {
          this.parts.settings.gatewayErrorCount -= 1;
          throw new ControlFailure([errorEntry(ERROR_NUMBERS.invalidRequest, 'Invalid Request', 'The gateway could not process the request (injected gateway error).')]);
        }
        const company = this.companyOf(request);
        if (company !== undefined && !this.parts.limiter.tryAcquire(company)) return sendXml(c, 429, tooManyRequestsXml(echo));
        try {
          if (this.parts.settings.latencyMs > 0) await sleepReal(this.parts.settings.latencyMs);
          return sendXml(c, 200, this.execute(request, echo, path));
        } finally {
          if (company !== undefined) this.parts.limiter.release(company);
        }
      } catch (error) {
        if (error instanceof ControlFailure) return sendXml(c, error.httpStatus, controlFailureXml(echo, error));
        throw error;
      }
    };
  }

  private async body(c: Context): Promise<string> {
    const limit = this.parts.settings.maxRequestBytes;
    const tooLarge = () => new ControlFailure([errorEntry(ERROR_NUMBERS.invalidRequest, 'Invalid Request', `The request is larger than ${limit} bytes.`, 'Send fewer or smaller functions per request.')], 413);
    if (Number(c.req.header('content-length') ?? 0) > limit) throw tooLarge();
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge();
    return new TextDecoder('utf-8').decode(bytes);
  }

  private checkSender(request: ParsedRequest): void {
    const { senderId, senderPassword } = this.parts.credentials;
    // §2: sender id and password are case sensitive.
    if (request.control.senderid !== senderId || request.control.password !== senderPassword) {
      throw new ControlFailure([errorEntry(ERROR_NUMBERS.invalidAuthorization, 'Invalid Web Services Authorization', 'Incorrect Intacct XML Partner ID or password.', 'Check the Web Services sender ID and password.')]);
    }
  }

  /** The company a request counts against (its login's, or its live session's). */
  private companyOf(request: ParsedRequest): string | undefined {
    if (request.authentication.kind === 'login') return request.authentication.companyid.toLowerCase();
    return this.parts.sessions.find(request.authentication.sessionid)?.companyId.toLowerCase();
  }

  private authenticate(request: ParsedRequest, path: string): { ctx: Omit<CallContext, 'alone'>; info: AuthenticationInfo } {
    const { clock, credentials, sessions, settings } = this.parts;
    const now = clock.now();
    const auth = request.authentication;
    let ctx: Omit<CallContext, 'alone'>;
    let expiresMs: number;
    if (auth.kind === 'login') {
      // Company and user ids compare without regard to case; the password is exact.
      if (auth.userid.toLowerCase() !== credentials.userId.toLowerCase() || auth.companyid.toLowerCase() !== credentials.companyId.toLowerCase() || auth.password !== credentials.userPassword) {
        throw new AuthFailure([errorEntry(ERROR_NUMBERS.signInIncorrect, 'Sign-in information is incorrect. Please check your request.', '', 'Check the user ID, company ID and password.')]);
      }
      ctx = { owner: '', companyId: credentials.companyId, userId: credentials.userId, locationId: auth.locationid, session: undefined };
      expiresMs = now + settings.sessionDurationMs;
    } else {
      const session = sessions.find(auth.sessionid);
      if (!session) throw sessionRefused('The session is invalid or has expired.');
      // §4: a session is tied to the endpoint getAPISession named.
      if (session.endpointPath !== path) throw sessionRefused('The session is invalid for this endpoint: send it to the endpoint getAPISession returned.');
      sessions.slide(session);
      ctx = { owner: '', companyId: session.companyId, userId: session.userId, locationId: session.locationId, session };
      expiresMs = session.expiresMs;
    }
    if (!settings.senderAuthorized) {
      throw new AuthFailure([
        errorEntry(
          ERROR_NUMBERS.invalidAuthorization,
          'Invalid Web Services Authorization',
          `The sender ID '${request.control.senderid}' is not authorized to make Web Services requests to company ID '${ctx.companyId}'.`,
          'Add the sender ID to the company’s Web Services authorizations.',
        ),
      ]);
    }
    ctx.owner = `${request.control.senderid}\u0000${ctx.companyId.toLowerCase()}`;
    return {
      ctx,
      info: { userid: ctx.userId, companyid: ctx.companyId, locationid: ctx.locationId, sessiontimestamp: formatIsoWithOffset(now), sessiontimeout: formatIsoWithOffset(expiresMs) },
    };
  }

  private execute(request: ParsedRequest, echo: ControlEcho, path: string): string {
    let authenticated;
    try {
      authenticated = this.authenticate(request, path);
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      const auth = request.authentication;
      const info: AuthenticationInfo = auth.kind === 'login' ? { userid: auth.userid, companyid: auth.companyid, locationid: auth.locationid } : { userid: '', companyid: '', locationid: '' };
      return authFailureXml(echo, info, error.errors);
    }
    const { ctx, info } = authenticated;
    const { data, runner, counters, executed } = this.parts;
    const store = data.store;
    const done = executed.of(ctx.owner);
    const completed: string[] = [];
    const results: FunctionResult[] = [];
    store.commit();
    const requestMark = store.mark();
    let failedAt: number | undefined;
    try {
      request.functions.forEach((call, index) => {
        const base = { function: call.name, controlid: call.controlid };
        if (failedAt !== undefined) {
          results.push({ status: 'aborted', ...base });
          return;
        }
        // §6: with uniqueid, a function controlid that already completed is not run again.
        if (request.control.uniqueid && (done.has(call.controlid) || completed.includes(call.controlid))) {
          results.push({
            status: 'failure',
            ...base,
            errors: [
              errorEntry(
                ERROR_NUMBERS.duplicateFunction,
                'Duplicate function control id',
                `A function with control id ${call.controlid} was already executed (uniqueid)`,
                'Use a new function control id for new work; a resent function is not run twice.',
              ),
            ],
          });
          if (request.transaction) failedAt = index;
          return;
        }
        const mark = store.mark();
        try {
          const content = runner.run(call, { ...ctx, alone: request.functions.length === 1 });
          results.push({ status: 'success', ...base, ...content });
          if (request.control.uniqueid) completed.push(call.controlid);
        } catch (error) {
          if (!(error instanceof FunctionFailure)) throw error;
          store.rollback(mark);
          results.push({ status: 'failure', ...base, errors: error.errors });
          if (request.transaction) failedAt = index;
        }
      });
    } catch (error) {
      store.rollback(requestMark);
      store.commit();
      throw error;
    }
    if (failedAt !== undefined) {
      // §3: transaction="true" is all or nothing; every other function is reported aborted (UNCERTAIN wording).
      store.rollback(requestMark);
      completed.length = 0;
      const failed = request.functions[failedAt]!.controlid;
      results.forEach((result, index) => {
        if (index === failedAt) return;
        results[index] = {
          status: 'aborted',
          function: result.function,
          controlid: result.controlid,
          errors: [
            errorEntry(
              SANDBOX_ERROR_NUMBERS.rolledBack,
              '',
              'The entire transaction in this operation has been rolled back due to an error.',
              `See the failure of function ${failed}.`,
            ),
          ],
        };
      });
    }
    store.commit();
    for (const controlid of completed) done.add(controlid);
    request.functions.forEach((call, index) => counters.recordFunction(countedName(call), results[index]!.status));
    return resultsXml(echo, info, results);
  }
}
