/**
 * The Sage Intacct client: the XML gateway (reference §1–§3) over the HTTP
 * core, with one API session per connection shared in the process (§4,
 * session.ts), reads that page to the end (§5.1 readByQuery/readMore, §5.2
 * query with keyset paging, §5.3 read/readByName), writes that are safe to
 * resend (§6 uniqueid with the caller's stable controlid), and every failure
 * in the taxonomy (definition.ts for whole requests, response.ts per
 * function).
 *
 * All XML is built and parsed by xml.ts; every text value has the characters
 * XML 1.0 forbids removed before it is sent (§7), and writes report what was
 * removed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { ConnectorError, isConnectorError, type SerializedError } from '../../core/errors.ts';
import type { RandomSource } from '../../http/backoff.ts';
import { HttpClient, type AttemptEvent } from '../../http/http-client.ts';
import { GovernorRegistry, RateGovernor, type Lane } from '../../http/rate-governor.ts';
import type { SystemDefinition } from '../../http/system-definition.ts';
import { IntacctConnectionSchema, type IntacctConnection, type IntacctConnectionInput } from './connection.ts';
import { DEFAULT_MAX_CONCURRENCY, defineIntacctSystem, gatewayAnswer, type IntacctAccount } from './definition.ts';
import {
  buildRequest,
  intacctFunctions,
  queryLiteral,
  sanitizeFunction,
  sanitizeTree,
  type Authentication,
  type IntacctFunction,
  type QueryFilter,
  type Sanitized,
} from './request.ts';
import { functionFailure, resultData, SESSION_REFUSED_CODE, SYSTEM, type GatewayAnswer, type ResultData } from './response.ts';
import {
  ApBill,
  ApiSession,
  ERROR_NUMBERS,
  ID_FIELDS,
  QUERY_DEFAULT_PAGESIZE,
  QUERY_MAX_PAGESIZE,
  READ_BY_QUERY_MAX_PAGESIZE,
  READ_MAX_KEYS,
  type ObjectName,
  type ResultBlock,
} from './schemas.ts';
import { intacctSessions, IntacctSessionCache, type IntacctSession, type IntacctSessionRegistry } from './session.ts';
import { floorToSecond, formatIntacctDateTime, parseIntacctDateTime } from './timestamps.ts';

export type { IntacctFunction, QueryFilter, Sanitized } from './request.ts';
export type { ResultData } from './response.ts';

/** 64 MiB: far above any page we ask for, low enough that a runaway answer cannot exhaust memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface IntacctClientOptions {
  /** What `connections add intacct --config` took (validated again here). */
  connection: IntacctConnectionInput;
  clock?: Clock;
  onAttempt?: (event: AttemptEvent) => void;
  /** The largest response read, in bytes (default 64 MiB); a larger one fails with `http.response_too_large`. */
  maxResponseBytes?: number;
  random?: RandomSource;
  /** Default lane for this client's calls: tools and connection tests are interactive. */
  lane?: Lane;
  /** Share one governor per company across clients; defaults to the process-wide registry. */
  governor?: RateGovernor;
  /** Where sessions are shared per connection; defaults to the process-wide registry. */
  sessions?: IntacctSessionRegistry;
}

/** One function's outcome: decisions as data, in the order the functions were given. */
export type IntacctResult =
  | { status: 'success'; function: string; controlId: string; data: ResultData; sanitized: Sanitized[] }
  | { status: 'failure' | 'aborted'; function: string; controlId: string; error: ConnectorError; sanitized: Sanitized[] };

export interface IntacctWriteResult {
  recordNo: string;
  /** The record's id field (VENDORID, CUSTOMERID, CONTACTNAME, CLASSID, RECORDID) when the answer carried it. */
  id: string | undefined;
  /** True when the gateway said this write had already been executed (an earlier attempt's answer was lost) and the record was read back. */
  replayed: boolean;
  /** Text values that had characters XML 1.0 forbids removed before sending (§7), by path (`VENDOR.NAME`). */
  sanitized: Sanitized[];
  /** The API session the write went with, for the audit. */
  sessionId: string | undefined;
}

export interface ChangedRecord<T> {
  /** The object's id field (VENDORID, CUSTOMERID, CONTACTNAME, CLASSID); RECORDNO for bills and other objects. */
  id: string;
  /** WHENMODIFIED as epoch ms (read as UTC, see timestamps.ts). */
  modifiedAt: number;
  record: T;
}

/** One thing `ping()` checked. */
export interface PingCheck {
  name: string;
  ok: boolean;
  detail: string;
  error?: SerializedError;
}

/** One governor per Intacct company in this process (§8: the concurrency limit is the company's). */
export const intacctGovernors = new GovernorRegistry();

const WRITE_FUNCTIONS = /^(create|update|delete)(_|$)/;

/** Any record: for reads whose records are only looked at for their keys. */
const AnyRecord = z.looseObject({});

function hashKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

function checkPageSize(pageSize: number, max: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > max) {
    throw new ConnectorError({ kind: 'config', code: 'intacct.invalid_page_size', message: `pageSize must be a whole number from 1 to ${max}` });
  }
  return pageSize;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The WHENMODIFIED / RECORDNO position of a keyset read. */
interface KeysetPosition {
  modifiedAt: number;
  recordNo: bigint;
}

function compareKeys(a: KeysetPosition, b: KeysetPosition): number {
  return a.modifiedAt !== b.modifiedAt ? a.modifiedAt - b.modifiedAt : a.recordNo < b.recordNo ? -1 : a.recordNo > b.recordNo ? 1 : 0;
}

export class IntacctClient {
  readonly clock: Clock;
  readonly governor: RateGovernor;
  readonly system: SystemDefinition<IntacctAccount>;
  private readonly connection: IntacctConnection;
  private readonly sessions: IntacctSessionCache;
  private readonly lane: Lane;
  private readonly random: RandomSource | undefined;
  private readonly onAttempt: ((event: AttemptEvent) => void) | undefined;
  private readonly maxResponseBytes: number;
  private readonly http = new Map<string, HttpClient<IntacctAccount>>();
  private readonly openSession = () => this.requestSession();

  constructor(options: IntacctClientOptions) {
    const parsed = IntacctConnectionSchema.safeParse(options.connection);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'} ${issue.message}`).join('; ');
      throw new ConnectorError({ kind: 'config', code: 'intacct.invalid_connection', message: `Sage Intacct connection is invalid: ${issues}` });
    }
    const connection = parsed.data;
    this.connection = connection;
    this.clock = options.clock ?? systemClock;
    this.lane = options.lane ?? 'background';
    this.random = options.random;
    this.onAttempt = options.onAttempt;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.system = defineIntacctSystem(this.clock);
    this.governor =
      options.governor ??
      intacctGovernors.get(
        'intacct',
        // §8: the concurrency limit holds for the company, whichever user or sender calls.
        hashKey(connection.endpointUrl, connection.companyId),
        () =>
          new RateGovernor({
            windows: this.system.rateWindows({ maxConcurrency: DEFAULT_MAX_CONCURRENCY }),
            maxConcurrency: DEFAULT_MAX_CONCURRENCY,
            clock: this.clock,
          }),
      );
    this.sessions = (options.sessions ?? intacctSessions).get(
      {
        endpointUrl: connection.endpointUrl,
        senderId: connection.senderId,
        companyId: connection.companyId,
        userId: connection.userId,
        entityId: connection.entityId,
        senderPassword: connection.senderPassword,
        userPassword: connection.userPassword,
      },
      () => new IntacctSessionCache({ clock: this.clock }),
    );
  }

  /** The API session in use; undefined before the first call. */
  currentSessionId(): string | undefined {
    return this.sessions.sessionId;
  }

  /**
   * What the audit keeps of the session in use: a session id is a credential
   * for its lifetime, so only a fingerprint that tells sessions apart and
   * opens nothing (`intacct-session:<16 hex of its SHA-256>`).
   */
  sessionFingerprint(): string | undefined {
    const id = this.sessions.sessionId;
    return id ? `intacct-session:${createHash('sha256').update(id).digest('hex').slice(0, 16)}` : undefined;
  }

  // ------------------------------------------------------------ transport (§1)

  private httpFor(origin: string): HttpClient<IntacctAccount> {
    let http = this.http.get(origin);
    if (!http) {
      http = new HttpClient({
        system: this.system,
        baseUrl: origin,
        // The credentials travel inside the XML body, so no header authorizes a request.
        credentials: { authorize: async () => ({}) },
        governor: this.governor,
        clock: this.clock,
        maxResponseBytes: this.maxResponseBytes,
        ...(this.random ? { random: this.random } : {}),
        ...(this.onAttempt ? { onAttempt: this.onAttempt } : {}),
      });
      this.http.set(origin, http);
    }
    return http;
  }

  /**
   * POSTs one request document (§1). Control and authentication failures
   * come back as thrown ConnectorErrors (definition.ts); a request of reads
   * only is never `uncertain`, whatever failed.
   */
  private async post(endpointUrl: string, xml: string, readOnly: boolean): Promise<Extract<GatewayAnswer, { type: 'ok' }>> {
    const url = new URL(endpointUrl);
    try {
      const response = await this.httpFor(url.origin).request({
        method: 'POST',
        path: `${url.pathname}${url.search}`,
        rawBody: xml,
        contentType: 'application/xml; charset=utf-8',
        headers: { accept: 'application/xml' },
        lane: this.lane,
      });
      const answer = gatewayAnswer(response);
      if (answer.type !== 'ok') {
        // The classification turns every other answer into an error; this is a guard, not a path.
        throw new ConnectorError({ kind: 'system', code: 'intacct.unexpected_response', message: `${SYSTEM} answered a request in a way we did not expect` });
      }
      return answer;
    } catch (error) {
      if (readOnly && isConnectorError(error) && error.details.uncertain === true) error.details.uncertain = false;
      throw error;
    }
  }

  // ------------------------------------------------------------ sessions (§4)

  private loginAuthentication(): Authentication {
    const { userId, companyId, userPassword, entityId } = this.connection;
    return { type: 'login', userId, companyId, password: userPassword, entityId };
  }

  /**
   * getAPISession with the login credentials, isolated in its own request
   * (§4). Transient failures (5xx, resets, timeouts, GW- errors) and 429s are
   * retried by the HTTP core with backoff and full jitter; refusals are not.
   */
  private async requestSession(): Promise<IntacctSession> {
    const { fn } = sanitizeFunction(intacctFunctions.getAPISession(this.connection.entityId));
    const xml = buildRequest([fn], {
      senderId: this.connection.senderId,
      senderPassword: this.connection.senderPassword,
      authentication: this.loginAuthentication(),
      uniqueId: false,
    });
    let answer: Extract<GatewayAnswer, { type: 'ok' }>;
    try {
      answer = await this.post(this.connection.endpointUrl, xml, true);
    } catch (error) {
      if (isConnectorError(error) && error.code === SESSION_REFUSED_CODE) throw this.loginRefusal(error);
      if (isConnectorError(error) && error.code === 'intacct.sender_rejected') error.details.credential = 'sender';
      throw error;
    }
    const result = answer.results[0];
    if (!result) throw this.missingResult('getAPISession');
    if (result.status !== 'success') throw functionFailure(result, 'getAPISession');
    const api = ApiSession.safeParse(resultData(result).raw);
    if (!api.success) {
      throw new ConnectorError({ kind: 'system', code: 'intacct.unexpected_response', message: `${SYSTEM} answered getAPISession without a session id and endpoint` });
    }
    let endpointUrl: string;
    try {
      endpointUrl = new URL(api.data.api.endpoint).toString();
    } catch {
      throw new ConnectorError({ kind: 'system', code: 'intacct.unexpected_response', message: `${SYSTEM} answered getAPISession with an endpoint that is not a URL` });
    }
    return { sessionId: api.data.api.sessionid, endpointUrl, expiresAt: this.timeoutOf(answer) };
  }

  /**
   * An authentication failure of the login, named by what was refused: §2 — a
   * sender the company has not authorized fails with XL03000006; a wrong
   * user, company or password with "sign-in information is incorrect".
   */
  private loginRefusal(error: ConnectorError): ConnectorError {
    const said = `${String(error.details.description ?? '')} ${String(error.details.description2 ?? '')}`;
    const senderNotAuthorized = error.details.errorno === ERROR_NUMBERS.invalidAuthorization && /sender|not authorized/i.test(said) && !/sign-?in|password/i.test(said);
    if (senderNotAuthorized) {
      return new ConnectorError({
        kind: 'auth',
        code: 'intacct.sender_not_authorized',
        message: `${error.message} — the company does not authorize the Web Services sender ${this.connection.senderId}: add it under Company > Setup > Security > Web Services authorizations`,
        details: { ...error.details, credential: 'sender' },
      });
    }
    return new ConnectorError({
      kind: 'auth',
      code: 'intacct.login_rejected',
      message: `${error.message} — the sign-in of user ${this.connection.userId} at company ${this.connection.companyId} was refused: check userId, userPassword and companyId${this.connection.entityId ? ' (and entityId)' : ''}`,
      details: { ...error.details, credential: 'user' },
    });
  }

  private timeoutOf(answer: Extract<GatewayAnswer, { type: 'ok' }>): number | undefined {
    const timeout = answer.authentication.sessiontimeout;
    const ms = timeout ? Date.parse(timeout) : Number.NaN;
    return Number.isNaN(ms) ? undefined : ms;
  }

  private missingResult(name: string): ConnectorError {
    return new ConnectorError({ kind: 'system', code: 'intacct.missing_result', message: `${SYSTEM} answered without a result for ${name}` });
  }

  /**
   * Sends functions with the session (opened or renewed as needed). When the
   * gateway refuses the session (§4: expired or ended), a new one is opened —
   * once for every caller that saw the refusal — and the same request is sent
   * again once: nothing of a refused request ran, so that is safe for writes.
   */
  private async run(
    functions: readonly IntacctFunction[],
    options: { uniqueId: boolean; transaction: boolean; readOnly: boolean },
  ): Promise<{ results: ResultBlock[]; sessionId: string }> {
    const controlId = randomUUID();
    let session = await this.sessions.session(this.openSession);
    for (let renewed = false; ; renewed = true) {
      const xml = buildRequest(functions, {
        senderId: this.connection.senderId,
        senderPassword: this.connection.senderPassword,
        authentication: { type: 'session', sessionId: session.sessionId },
        uniqueId: options.uniqueId,
        transaction: options.transaction,
        controlId,
      });
      try {
        const answer = await this.post(session.endpointUrl, xml, options.readOnly);
        // §4: every answer slides the session's end forward.
        this.sessions.touch(session.sessionId, this.timeoutOf(answer));
        return { results: answer.results, sessionId: session.sessionId };
      } catch (error) {
        if (!isConnectorError(error) || error.code !== SESSION_REFUSED_CODE) throw error;
        if (renewed) {
          throw new ConnectorError({
            kind: 'auth',
            code: 'intacct.session_rejected',
            message: `${error.message} — even with a session opened just now`,
            details: { ...error.details },
          });
        }
        session = await this.sessions.renew(session.sessionId, this.openSession);
      }
    }
  }

  // ------------------------------------------------------------ functions as data

  /**
   * Several functions in one request; results in the order given, failures as
   * data. `uniqueId` defaults to true when any function writes (§6: a resent
   * write is refused rather than executed twice), false for reads only.
   */
  async execute(functions: IntacctFunction[], options: { uniqueId?: boolean; transaction?: boolean } = {}): Promise<IntacctResult[]> {
    if (functions.length === 0) return [];
    const prepared = functions.map(sanitizeFunction);
    const ids = new Set(prepared.map((p) => p.fn.controlId));
    if (ids.size !== prepared.length) {
      throw new ConnectorError({ kind: 'validation', code: 'intacct.duplicate_control_id', message: `${SYSTEM}: two functions of one request share a controlid` });
    }
    const writes = prepared.some((p) => WRITE_FUNCTIONS.test(p.fn.name));
    const { results } = await this.run(
      prepared.map((p) => p.fn),
      { uniqueId: options.uniqueId ?? writes, transaction: options.transaction ?? false, readOnly: !writes },
    );
    return prepared.map(({ fn, sanitized }, index) => {
      const result = results.find((r) => r.controlid === fn.controlId) ?? (results.length === prepared.length ? results[index] : undefined);
      if (!result) return { status: 'failure', function: fn.name, controlId: fn.controlId, error: this.missingResult(fn.name), sanitized };
      if (result.status === 'success') return { status: 'success', function: fn.name, controlId: fn.controlId, data: resultData(result), sanitized };
      return { status: result.status, function: fn.name, controlId: fn.controlId, error: functionFailure(result, fn.name), sanitized };
    });
  }

  /** One function in its own request: its result (failures as data) and the session it went with. */
  private async single(fn: IntacctFunction, uniqueId: boolean): Promise<{ result: IntacctResult; sessionId: string }> {
    const { fn: prepared, sanitized } = sanitizeFunction(fn);
    const { results, sessionId } = await this.run([prepared], { uniqueId, transaction: false, readOnly: !WRITE_FUNCTIONS.test(fn.name) });
    const result = results.find((r) => r.controlid === prepared.controlId) ?? results[0];
    const base = { function: fn.name, controlId: prepared.controlId, sanitized };
    if (!result) return { result: { ...base, status: 'failure', error: this.missingResult(fn.name) }, sessionId };
    if (result.status === 'success') return { result: { ...base, status: 'success', data: resultData(result) }, sessionId };
    return { result: { ...base, status: result.status, error: functionFailure(result, fn.name) }, sessionId };
  }

  /** One function; its failure thrown (for the helpers whose callers want data or an error). */
  private async one(fn: IntacctFunction, uniqueId: boolean): Promise<{ data: ResultData; sanitized: Sanitized[]; sessionId: string }> {
    const { result, sessionId } = await this.single(fn, uniqueId);
    if (result.status !== 'success') throw result.error;
    return { data: result.data, sanitized: result.sanitized, sessionId };
  }

  private parseRecord<T>(schema: z.ZodType<T>, raw: Record<string, unknown>, object: string, fn: string): T {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new ConnectorError({
      kind: 'system',
      code: 'intacct.unexpected_record',
      message: `${SYSTEM} ${fn} returned a ${object} record we did not expect (${issue?.path.join('.') || 'record'}: ${issue?.message})`,
      details: { object, function: fn, recordNo: text(raw.RECORDNO) },
    });
  }

  // ------------------------------------------------------------ reads (§5.1, §5.3)

  /** Every record matching `query` (§5.1; build literals with `queryLiteral`): readByQuery, then readMore until nothing remains. */
  async *readByQuery<T>(object: string, schema: z.ZodType<T>, options: { query?: string; fields?: string[]; pageSize?: number } = {}): AsyncGenerator<T> {
    // §8: each call counts as one transaction, so pages are as large as the gateway allows.
    const pageSize = checkPageSize(options.pageSize ?? READ_BY_QUERY_MAX_PAGESIZE, READ_BY_QUERY_MAX_PAGESIZE);
    let page = (await this.one(intacctFunctions.readByQuery(object, { pageSize, ...options }), false)).data;
    for (;;) {
      for (const raw of page.records) yield this.parseRecord(schema, raw, object, 'readByQuery');
      const remaining = page.numRemaining ?? 0;
      if (remaining === 0) return;
      if (!page.resultId || page.records.length === 0) {
        throw new ConnectorError({
          kind: 'system',
          code: 'intacct.broken_paging',
          message: `${SYSTEM} said ${remaining} ${object} records remain but gave ${page.resultId ? 'an empty page' : 'no resultId'} to read them with`,
        });
      }
      page = (await this.one(intacctFunctions.readMore(page.resultId), false)).data;
    }
  }

  /** Records by RECORDNO (§5.3), 100 keys per call; keys that name no record are left out. */
  async read<T>(object: string, schema: z.ZodType<T>, recordNos: readonly string[], fields?: string[]): Promise<T[]> {
    for (const key of recordNos) {
      if (!/^\d+$/.test(key)) throw new ConnectorError({ kind: 'validation', code: 'intacct.invalid_key', message: `${SYSTEM} read: "${key.slice(0, 40)}" is not a RECORDNO` });
    }
    const records: T[] = [];
    for (let start = 0; start < recordNos.length; start += READ_MAX_KEYS) {
      const chunk = recordNos.slice(start, start + READ_MAX_KEYS);
      const { data } = await this.one(intacctFunctions.read(object, chunk, fields), false);
      for (const raw of data.records) records.push(this.parseRecord(schema, raw, object, 'read'));
    }
    return records;
  }

  /**
   * Records by their id field (§5.3: VENDORID, CUSTOMERID, CONTACTNAME, …),
   * 100 per call. readByName's keys are comma-separated, so a name holding a
   * comma is read with a readByQuery on the object's id field instead.
   */
  async readByName<T>(object: string, schema: z.ZodType<T>, names: readonly string[]): Promise<T[]> {
    const plain = names.filter((name) => !name.includes(','));
    const withComma = names.filter((name) => name.includes(','));
    const records: T[] = [];
    for (let start = 0; start < plain.length; start += READ_MAX_KEYS) {
      const { data } = await this.one(intacctFunctions.readByName(object, plain.slice(start, start + READ_MAX_KEYS)), false);
      for (const raw of data.records) records.push(this.parseRecord(schema, raw, object, 'readByName'));
    }
    if (withComma.length > 0) {
      const idField = ID_FIELDS[object as ObjectName] as string | undefined;
      if (!idField) {
        throw new ConnectorError({
          kind: 'validation',
          code: 'intacct.invalid_key',
          message: `${SYSTEM} readByName ${object}: a name holding a comma can't be a key, and ${object} has no id field known to read it by`,
        });
      }
      for (const name of withComma) {
        for await (const record of this.readByQuery(object, schema, { query: `${idField} = ${queryLiteral(name)}`, pageSize: 2 })) records.push(record);
      }
    }
    return records;
  }

  // ------------------------------------------------------------ incremental reads (§5.2)

  /**
   * Pages of raw records modified at or after `since`, ordered by
   * WHENMODIFIED then RECORDNO, each page starting after the last key of the
   * one before (keyset): §5.2's offset paging re-runs the query per page, so
   * rows changed during a read would shift between pages and be skipped.
   * WHENMODIFIED has whole seconds, so `since` is taken down to its second.
   */
  private async *keysetPages(object: string, select: readonly string[], since: number | undefined, pageSize: number): AsyncGenerator<Array<{ position: KeysetPosition; raw: Record<string, unknown> }>> {
    let position: KeysetPosition | undefined;
    for (;;) {
      let filter: QueryFilter | undefined;
      if (position) {
        const at = formatIntacctDateTime(position.modifiedAt);
        filter = {
          or: [
            { op: 'greaterthan', field: 'WHENMODIFIED', value: at },
            {
              and: [
                { op: 'equalto', field: 'WHENMODIFIED', value: at },
                { op: 'greaterthan', field: 'RECORDNO', value: position.recordNo.toString() },
              ],
            },
          ],
        };
      } else if (since !== undefined) {
        filter = { op: 'greaterthanorequalto', field: 'WHENMODIFIED', value: formatIntacctDateTime(floorToSecond(since)) };
      }
      const { data } = await this.one(
        intacctFunctions.query({
          object,
          select,
          ...(filter ? { filter } : {}),
          orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }],
          pageSize,
        }),
        false,
      );
      const page = data.records.map((raw) => ({ position: this.keyOf(object, raw), raw }));
      for (const entry of page) {
        if (position && compareKeys(entry.position, position) <= 0) {
          throw new ConnectorError({
            kind: 'system',
            code: 'intacct.unordered_query',
            message: `${SYSTEM} query on ${object} did not answer in WHENMODIFIED, RECORDNO order after the last key read (RECORDNO ${entry.position.recordNo})`,
          });
        }
        position = entry.position;
      }
      if (page.length > 0) yield page;
      if (page.length < pageSize || data.numRemaining === 0) return;
    }
  }

  private keyOf(object: string, raw: Record<string, unknown>): KeysetPosition {
    const recordNo = text(raw.RECORDNO);
    const modifiedAt = parseIntacctDateTime(text(raw.WHENMODIFIED));
    if (recordNo === undefined || !/^\d+$/.test(recordNo) || modifiedAt === undefined) {
      throw new ConnectorError({
        kind: 'system',
        code: 'intacct.bad_timestamp',
        message: `${SYSTEM} returned a ${object} record without a readable RECORDNO and WHENMODIFIED (mm/dd/yyyy HH:MM:SS)`,
        details: { object, recordNo },
      });
    }
    return { modifiedAt, recordNo: BigInt(recordNo) };
  }

  private idOf(object: string, raw: Record<string, unknown>): string {
    const field = object === 'APBILL' ? undefined : (ID_FIELDS[object as ObjectName] as string | undefined);
    return (field ? text(raw[field]) : undefined) ?? text(raw.RECORDNO)!;
  }

  /**
   * Records modified at or after `since` (epoch ms), oldest first, via `query`
   * ordered by WHENMODIFIED then RECORDNO with keyset paging (never offset
   * paging: rows shift between pages). `fields` default to the schema's
   * top-level fields (§5.2: `query` takes no `*`); RECORDNO and WHENMODIFIED
   * are always read. `id` is the object's id field (VENDORID, CUSTOMERID,
   * CONTACTNAME, CLASSID), else RECORDNO.
   */
  async *changedSince<T>(
    object: string,
    schema: z.ZodType<T>,
    since: number | undefined,
    options: { fields?: string[]; pageSize?: number } = {},
  ): AsyncGenerator<ChangedRecord<T>> {
    const pageSize = checkPageSize(options.pageSize ?? QUERY_DEFAULT_PAGESIZE, QUERY_MAX_PAGESIZE);
    const fields = options.fields ?? selectableFields(schema);
    const select = [...new Set(['RECORDNO', 'WHENMODIFIED', ...fields])];
    for await (const page of this.keysetPages(object, select, since, pageSize)) {
      for (const { position, raw } of page) {
        yield { id: this.idOf(object, raw), modifiedAt: position.modifiedAt, record: this.parseRecord(schema, raw, object, 'query') };
      }
    }
  }

  /**
   * AP bills modified since, oldest first, each with its APBILLITEM lines:
   * the headers' keys by `query` (as changedSince), then the bills by `read`
   * in chunks of 100 (§5.5: the lines come only from `read`). A bill deleted
   * between the two is left out; `modifiedAt` is the header's (the position
   * in the read), even if the bill changed again since.
   */
  async *billsChangedSince(since: number | undefined, options: { pageSize?: number } = {}): AsyncGenerator<ChangedRecord<ApBill>> {
    const pageSize = checkPageSize(options.pageSize ?? QUERY_DEFAULT_PAGESIZE, QUERY_MAX_PAGESIZE);
    for await (const page of this.keysetPages('APBILL', ['RECORDNO', 'WHENMODIFIED'], since, pageSize)) {
      const bills = new Map<string, ApBill>();
      for (const bill of await this.read('APBILL', ApBill, page.map((entry) => text(entry.raw.RECORDNO)!))) bills.set(bill.RECORDNO, bill);
      for (const { position, raw } of page) {
        const bill = bills.get(text(raw.RECORDNO)!);
        if (bill) yield { id: bill.RECORDNO, modifiedAt: position.modifiedAt, record: bill };
      }
    }
  }

  // ------------------------------------------------------------ writes (§5.4, §6)

  /**
   * Creates a record (§5.4) with uniqueid true and the caller's stable
   * `controlId` (§6), so the HTTP core may resend it after a lost answer. If
   * the gateway says that controlid already executed, the record is read
   * back by its id field and returned with `replayed: true`.
   */
  async create(object: string, fields: Record<string, unknown>, options: { controlId: string }): Promise<IntacctWriteResult> {
    return this.write('create', object, fields, options.controlId);
  }

  /** Updates a record by RECORDNO or its id field (§5.4), like `create` for resends and replays. */
  async update(object: string, fields: Record<string, unknown>, options: { controlId: string }): Promise<IntacctWriteResult> {
    return this.write('update', object, fields, options.controlId);
  }

  private async write(kind: 'create' | 'update', object: string, fields: Record<string, unknown>, controlId: string): Promise<IntacctWriteResult> {
    const idField = ID_FIELDS[object as ObjectName] as string | undefined;
    const { result, sessionId } = await this.single(intacctFunctions[kind](object, fields, controlId), true);
    const { sanitized } = result;
    if (result.status === 'success') {
      const record = result.data.records[0] ?? {};
      const recordNo = text(record.RECORDNO) ?? text(fields.RECORDNO) ?? result.data.key;
      if (recordNo === undefined) {
        throw new ConnectorError({ kind: 'system', code: 'intacct.unexpected_response', message: `${SYSTEM} ${kind} ${object} succeeded without naming the RECORDNO` });
      }
      return { recordNo, id: idField ? (text(record[idField]) ?? text(fields[idField])) : undefined, replayed: false, sanitized, sessionId };
    }
    const { error } = result;
    if (error.code !== 'intacct.duplicate_request') throw error;
    // §6: an earlier attempt of this very function executed and its answer was lost: read what it wrote.
    const found = await this.readBack(object, fields, idField);
    if (!found) {
      throw new ConnectorError({
        kind: 'conflict',
        code: 'intacct.duplicate_request',
        message: `${error.message}; the record could not be read back (${fields.RECORDNO === undefined && (!idField || fields[idField] === undefined) ? `the fields name no RECORDNO${idField ? ` or ${idField}` : ''}` : 'no such record'})`,
        details: { ...error.details, object },
      });
    }
    return { recordNo: text(found.RECORDNO)!, id: idField ? text(found[idField]) : undefined, replayed: true, sanitized, sessionId };
  }

  /** The record a write named: by RECORDNO when it has one, else by the object's id field (as sent, sanitized). */
  private async readBack(object: string, fields: Record<string, unknown>, idField: string | undefined): Promise<Record<string, unknown> | undefined> {
    const clean = sanitizeTree(fields, object, []) as Record<string, unknown>;
    const recordNo = text(clean.RECORDNO);
    if (recordNo !== undefined && /^\d+$/.test(recordNo)) return (await this.read(object, AnyRecord, [recordNo]))[0];
    const id = idField ? text(clean[idField]) : undefined;
    if (id === undefined) return undefined;
    return (await this.readByName(object, AnyRecord, [id]))[0];
  }

  // ------------------------------------------------------------ connection test

  /**
   * What "connections test" shows: that the sender and the user may sign in
   * (getAPISession with the login credentials), then that VENDOR and CLASS
   * can be read with the session. Expected failures come back as checks.
   */
  async ping(): Promise<{ ok: boolean; checks: PingCheck[] }> {
    const checks: PingCheck[] = [];
    try {
      const session = await this.sessions.session(this.openSession);
      checks.push({ name: 'session', ok: true, detail: `the gateway opened an API session for user ${this.connection.userId} at ${new URL(session.endpointUrl).host}` });
    } catch (error) {
      if (!isConnectorError(error)) throw error;
      checks.push({ name: 'session', ok: false, detail: error.message, error: error.toJSON() });
      return { ok: false, checks };
    }
    for (const object of ['VENDOR', 'CLASS'] as const) {
      try {
        const { data } = await this.one(intacctFunctions.readByQuery(object, { fields: ['RECORDNO'], pageSize: 1 }), false);
        const total = data.totalCount ?? data.count;
        checks.push({ name: `read ${object}`, ok: true, detail: `readByQuery ${object} answered${total === undefined ? '' : ` (${total} in the company)`}` });
      } catch (error) {
        if (!isConnectorError(error)) throw error;
        checks.push({ name: `read ${object}`, ok: false, detail: error.message, error: error.toJSON() });
      }
    }
    return { ok: checks.every((c) => c.ok), checks };
  }
}

/**
 * The top-level fields a record schema names (for `query`'s select), or an
 * error asking for `fields`. A bill's APBILLITEMS are left out: §5.5, the
 * lines come only from `read` (billsChangedSince reads them).
 */
function selectableFields(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape).filter((field) => field !== 'APBILLITEMS');
  throw new ConnectorError({ kind: 'config', code: 'intacct.fields_required', message: `${SYSTEM} changedSince: give the fields to select (the schema is not an object schema)` });
}
