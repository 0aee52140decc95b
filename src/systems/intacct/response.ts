/**
 * Reading gateway answers (reference §3): three status levels — control,
 * authentication, and one result per function — and the mapping of each
 * level's failures into the taxonomy. Control and authentication failures
 * fail the whole request (definition.ts classifies them for the HTTP core);
 * function failures are data, one per result, which the client hands back
 * or throws for single-function helpers.
 *
 * Messages and details carry the gateway's errorno, description,
 * description2 and correction, never the request body or a credential.
 */
import { ConnectorError } from '../../core/errors.ts';
import { ERROR_NUMBERS, ResponseEnvelope, type AuthenticationBlock, type ErrorDetail, type ResultBlock } from './schemas.ts';
import { asArray, parseXml, XmlError } from './xml.ts';

export const SYSTEM = 'Sage Intacct';

/** What one response said, before anybody acted on it. */
export type GatewayAnswer =
  | { type: 'malformed'; reason: string }
  | { type: 'control_failure'; errors: ErrorDetail[] }
  | { type: 'auth_failure'; errors: ErrorDetail[]; authentication: AuthenticationBlock }
  | { type: 'ok'; authentication: AuthenticationBlock; results: ResultBlock[] };

/** Reads a response body; never throws (an unreadable body is `malformed`, with a reason that quotes none of it). */
export function readGatewayAnswer(text: string): GatewayAnswer {
  if (text.trim() === '') return { type: 'malformed', reason: 'an empty body' };
  let document: Record<string, unknown>;
  try {
    document = parseXml(text);
  } catch (error) {
    // The parser's message names a position and a rule, not the content; keep it short anyway.
    const why = error instanceof XmlError ? error.problem.code.replace(/_/g, ' ') : 'unreadable XML';
    return { type: 'malformed', reason: `a body that is not well-formed XML (${why})` };
  }
  const envelope = ResponseEnvelope.safeParse(document.response);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return {
      type: 'malformed',
      reason: document.response === undefined ? 'XML that is not a gateway <response>' : `a <response> we did not expect (${issue?.path.join('.') || 'response'}: ${issue?.message})`,
    };
  }
  const { control, errormessage, operation } = envelope.data;
  if (control.status === 'failure' || operation === undefined) {
    return { type: 'control_failure', errors: errormessage?.error ?? operation?.errormessage?.error ?? [] };
  }
  if (operation.authentication.status === 'failure') {
    return { type: 'auth_failure', errors: operation.errormessage?.error ?? [], authentication: operation.authentication };
  }
  return { type: 'ok', authentication: operation.authentication, results: operation.result ?? [] };
}

// ---------------------------------------------------------------- error details

/** The parts of an `<error>` kept in details (strings, trimmed, empty ones left out). */
export interface IntacctErrorInfo {
  errorno?: string;
  description?: string;
  description2?: string;
  correction?: string;
}

const MAX_TEXT = 300;

function shorten(text: string): string {
  const plain = text.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
  return plain.length > MAX_TEXT ? `${plain.slice(0, MAX_TEXT)}…` : plain;
}

export function errorInfo(error: ErrorDetail): IntacctErrorInfo {
  const info: IntacctErrorInfo = {};
  for (const key of ['errorno', 'description', 'description2', 'correction'] as const) {
    const value = error[key];
    if (typeof value === 'string' && value.trim() !== '') info[key] = shorten(value);
  }
  return info;
}

/** §3: "all non-empty child texts of <error> joined with spaces", for every error. */
export function describeErrors(errors: readonly ErrorDetail[]): string {
  const parts = errors.map((error) => {
    const info = errorInfo(error);
    const text = [info.description, info.description2, info.correction].filter(Boolean).join(' ');
    return info.errorno ? `${info.errorno}${text ? ` ${text}` : ''}` : text;
  });
  return parts.filter(Boolean).join('; ') || 'no error text';
}

export function errorDetails(errors: readonly ErrorDetail[]): Record<string, unknown> {
  const infos = errors.map(errorInfo);
  return { ...infos[0], ...(infos.length > 1 ? { errors: infos } : {}) };
}

function hasErrorNo(errors: readonly ErrorDetail[], ...numbers: string[]): boolean {
  return errors.some((error) => numbers.includes(error.errorno?.trim() ?? ''));
}

function saysAny(errors: readonly ErrorDetail[], pattern: RegExp): boolean {
  return errors.some((error) => pattern.test(`${error.description ?? ''} ${error.description2 ?? ''}`));
}

// ---------------------------------------------------------------- function results

export type ResultStatus = 'success' | 'failure' | 'aborted';

/** A successful function's data (§3): the records and the paging attributes. */
export interface ResultData {
  listType: string | undefined;
  /** Records as parsed: each object element under `<data>`, whatever its name. */
  records: Array<Record<string, unknown>>;
  count: number | undefined;
  totalCount: number | undefined;
  numRemaining: number | undefined;
  resultId: string | undefined;
  /** §3: legacy create_* functions answer `<key>` instead of data. */
  key: string | undefined;
  /** `<data>` as parsed, for functions whose data is not a record list (getAPISession). */
  raw: Record<string, unknown> | undefined;
}

function integer(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

export function resultData(result: ResultBlock): ResultData {
  const data = result.data === '' || result.data === undefined ? undefined : result.data;
  const records: Array<Record<string, unknown>> = [];
  if (data) {
    for (const [key, value] of Object.entries(data)) {
      if (key.startsWith('@_') || key === '#text') continue;
      for (const item of asArray(value as unknown)) {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) records.push(item as Record<string, unknown>);
      }
    }
  }
  const attribute = (name: string) => (data ? data[`@_${name}`] : undefined);
  return {
    listType: typeof attribute('listtype') === 'string' ? (attribute('listtype') as string) : undefined,
    records,
    count: integer(attribute('count')),
    totalCount: integer(attribute('totalcount')),
    numRemaining: integer(attribute('numremaining')),
    resultId: typeof attribute('resultId') === 'string' && attribute('resultId') !== '' ? (attribute('resultId') as string) : undefined,
    key: typeof result.key === 'string' && result.key !== '' ? result.key : undefined,
    raw: data,
  };
}

/**
 * §6: the gateway refused a function whose controlid already completed under
 * uniqueid=true. Its real errorno is undocumented; XL03000009 is the
 * sandbox's, and the wording is matched too so that another number with the
 * same meaning is recognised.
 */
export function isAlreadyExecuted(errors: readonly ErrorDetail[]): boolean {
  return hasErrorNo(errors, ERROR_NUMBERS.duplicateFunction) || saysAny(errors, /already (been )?(executed|processed|completed)|control ?id .*(already|duplicate)|duplicate (function|request|control)/i);
}

/** A record whose unique id is taken (§3 example `BL01001973`, "Duplicate …", "… already exists"). */
export function isDuplicateKey(errors: readonly ErrorDetail[]): boolean {
  return hasErrorNo(errors, ERROR_NUMBERS.duplicateKey) || saysAny(errors, /already exists|duplicate/i);
}

/** The ConnectorError for one failed (or rolled-back) function result. */
export function functionFailure(result: ResultBlock, fallbackName: string): ConnectorError {
  const errors = result.errormessage?.error ?? [];
  const name = result.function || fallbackName;
  const details: Record<string, unknown> = { function: name, controlId: result.controlid, status: result.status, ...errorDetails(errors) };
  const said = describeErrors(errors);
  if (result.status === 'aborted') {
    return new ConnectorError({
      kind: 'validation',
      code: 'intacct.transaction_aborted',
      message: `${SYSTEM} rolled back ${name} because another function of the same transaction failed${errors.length > 0 ? ` (${said})` : ''}`,
      details,
    });
  }
  if (isAlreadyExecuted(errors)) {
    return new ConnectorError({
      kind: 'conflict',
      code: 'intacct.duplicate_request',
      message: `${SYSTEM} refused ${name} as already executed (its controlid completed before: an earlier attempt went through): ${said}`,
      details,
    });
  }
  if (isDuplicateKey(errors)) {
    return new ConnectorError({ kind: 'conflict', code: 'intacct.duplicate_key', message: `${SYSTEM} ${name} failed: the record's id is already taken: ${said}`, details });
  }
  return new ConnectorError({ kind: 'validation', code: 'intacct.function_failed', message: `${SYSTEM} ${name} failed: ${said}`, details });
}

// ---------------------------------------------------------------- whole-request failures

/** Codes the client acts on. */
export const SESSION_REFUSED_CODE = 'intacct.authentication_failed';

/** §8: a 429 or GW-0010 without Retry-After: the gateway's short-period limit, so a short pause. */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 2_000;

/**
 * The ConnectorError for a control failure (§3: bad XML, bad sender, gateway
 * errors, throttling). Nothing of the operation ran, so none is uncertain.
 */
export function controlFailure(errors: readonly ErrorDetail[], status: number, retryAfterMs: number | undefined, where: string): ConnectorError {
  const details: Record<string, unknown> = { status, level: 'control', uncertain: false, ...errorDetails(errors) };
  const said = describeErrors(errors);
  const message = `${SYSTEM} refused ${where} (HTTP ${status}): ${said}`;
  if (status === 429 || hasErrorNo(errors, ERROR_NUMBERS.tooManyRequests)) {
    return new ConnectorError({
      kind: 'rate_limited',
      code: 'intacct.rate_limited',
      message: `${message} — too many requests for the company at once`,
      retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS,
      details: { ...details, window: 'gateway' },
    });
  }
  if (hasErrorNo(errors, ERROR_NUMBERS.xmlParse)) {
    return new ConnectorError({ kind: 'validation', code: 'intacct.invalid_xml', message: `${message} — the gateway could not parse or validate the request`, details });
  }
  if (hasErrorNo(errors, ERROR_NUMBERS.invalidAuthorization, ERROR_NUMBERS.signInIncorrect) || status === 401 || status === 403) {
    return new ConnectorError({
      kind: 'auth',
      code: 'intacct.sender_rejected',
      message: `${message} — check senderId and senderPassword, and that the company authorizes this Web Services sender (Company > Setup > Security > Web Services authorizations)`,
      details,
    });
  }
  if (status >= 500 || errors.some((error) => /^GW-/i.test(error.errorno?.trim() ?? ''))) {
    return new ConnectorError({ kind: 'transient', code: 'intacct.gateway_error', message, details });
  }
  return new ConnectorError({ kind: 'system', code: 'intacct.request_refused', message, details });
}

/**
 * An authentication failure (§3: inside the operation). With login
 * credentials the user, company or password is wrong; with a session id the
 * session ended — the client tells them apart and refreshes for the latter.
 */
export function authenticationFailure(errors: readonly ErrorDetail[], status: number, where: string): ConnectorError {
  return new ConnectorError({
    kind: 'auth',
    code: SESSION_REFUSED_CODE,
    message: `${SYSTEM} refused the authentication of ${where} (HTTP ${status}): ${describeErrors(errors)}`,
    details: { status, level: 'authentication', uncertain: false, ...errorDetails(errors) },
  });
}
