/**
 * The gateway's request and response envelopes (reference/intacct.md §2,
 * §3): reading a request document into its control block, authentication
 * and functions, and building the three kinds of answer (control failure,
 * authentication failure, results). XML is parsed and built by
 * systems/intacct/xml.ts only: a DOCTYPE, an entity declaration, a forbidden
 * character or a document that is not well-formed is refused before parsing.
 */
import { asArray, buildXml, parseXml, XmlError } from '../../systems/intacct/xml.ts';
import { CONTROL_ID_MAX_LENGTH, DTD_VERSION } from '../../systems/intacct/schemas.ts';
import { type ControlFailure, type ErrorEntry, xmlParseFailure } from './errors.ts';

export interface ControlBlock {
  senderid: string;
  password: string;
  controlid: string;
  /** §6: omitted means true (the documented default). */
  uniqueid: boolean;
  dtdversion: string;
}

export type Authentication =
  | { kind: 'login'; userid: string; companyid: string; password: string; locationid: string }
  | { kind: 'session'; sessionid: string };

export interface FunctionCall {
  controlid: string;
  /** The function element's name: readByQuery, create, getAPISession, … */
  name: string;
  /** The function element's parsed content ('' when empty). */
  body: unknown;
}

export interface ParsedRequest {
  control: ControlBlock;
  transaction: boolean;
  authentication: Authentication;
  functions: FunctionCall[];
}

/** What a response's control block echoes (whatever of it could be read). */
export interface ControlEcho {
  senderid: string;
  controlid: string;
  uniqueid: string;
  dtdversion: string;
}

export const EMPTY_ECHO: ControlEcho = { senderid: '', controlid: '', uniqueid: '', dtdversion: '' };

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An element's text; elements with attributes keep their text under `#text`. */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  if (isNode(value)) return '';
  return undefined;
}

function single(node: Node, name: string, where: string): unknown {
  const value = node[name];
  if (Array.isArray(value)) throw xmlParseFailure(`${where} has more than one <${name}> element`);
  return value;
}

function requiredText(node: Node, name: string, where: string): string {
  const text = textOf(single(node, name, where));
  if (text === undefined) throw xmlParseFailure(`${where} has no <${name}> element`);
  return text;
}

/** Reads the control block as far as it goes, for the echo of a failure. */
export function echoOf(control: unknown): ControlEcho {
  if (!isNode(control)) return EMPTY_ECHO;
  const text = (name: string) => textOf(control[name]) ?? '';
  return { senderid: text('senderid'), controlid: text('controlid'), uniqueid: text('uniqueid'), dtdversion: text('dtdversion') };
}

/** The XML text of the body: raw XML, or the `xmlrequest` field of a form post. */
export function requestText(body: string, contentType: string | undefined): string {
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const field = new URLSearchParams(body).get('xmlrequest');
    if (field !== null) return field;
  }
  return body;
}

/** The parsed `<request>` (or a ControlFailure naming what is wrong). */
export function parseDocument(text: string): Node {
  let document: Record<string, unknown>;
  try {
    document = parseXml(text);
  } catch (error) {
    if (error instanceof XmlError) {
      const { problem } = error;
      const detail =
        problem.code === 'doctype'
          ? 'DTDs and entity declarations are not accepted (DOCTYPE / ENTITY)'
          : problem.code === 'forbidden_character'
            ? `${problem.message}`
            : `the document is not well-formed: ${problem.message}${problem.line === undefined ? '' : ` (line ${problem.line})`}`;
      throw xmlParseFailure(detail);
    }
    throw error;
  }
  const request = document['request'];
  if (!isNode(request)) throw xmlParseFailure('the root element must be <request>');
  return request;
}

/** Reads control, operation, authentication and functions, checking what the 3.0 schema requires. */
export function readRequest(request: Node): ParsedRequest {
  const control = single(request, 'control', '<request>');
  if (!isNode(control)) throw xmlParseFailure('<request> has no <control> block');
  const controlid = requiredText(control, 'controlid', '<control>');
  if (controlid.length < 1 || controlid.length > CONTROL_ID_MAX_LENGTH) {
    throw xmlParseFailure(`<controlid> must be 1 to ${CONTROL_ID_MAX_LENGTH} characters`);
  }
  const uniqueText = textOf(single(control, 'uniqueid', '<control>'));
  if (uniqueText !== undefined && uniqueText !== 'true' && uniqueText !== 'false') {
    throw xmlParseFailure('<uniqueid> must be true or false');
  }
  const dtdversion = requiredText(control, 'dtdversion', '<control>');
  if (dtdversion !== DTD_VERSION) {
    throw xmlParseFailure(`<dtdversion> ${dtdversion} is not served: the generic functions need ${DTD_VERSION}`);
  }
  const parsedControl: ControlBlock = {
    senderid: requiredText(control, 'senderid', '<control>'),
    password: requiredText(control, 'password', '<control>'),
    controlid,
    uniqueid: uniqueText !== 'false',
    dtdversion,
  };

  const operation = single(request, 'operation', '<request>');
  if (!isNode(operation)) throw xmlParseFailure('<request> has no <operation> block');
  const transactionText = textOf(operation['@_transaction']);
  if (transactionText !== undefined && transactionText !== 'true' && transactionText !== 'false') {
    throw xmlParseFailure('the transaction attribute of <operation> must be true or false');
  }
  const authentication = single(operation, 'authentication', '<operation>');
  if (!isNode(authentication)) throw xmlParseFailure('<operation> has no <authentication> block');
  const login = single(authentication, 'login', '<authentication>');
  const sessionid = textOf(single(authentication, 'sessionid', '<authentication>'));
  let parsedAuth: Authentication;
  if (isNode(login) && sessionid === undefined) {
    parsedAuth = {
      kind: 'login',
      userid: requiredText(login, 'userid', '<login>'),
      companyid: requiredText(login, 'companyid', '<login>'),
      password: requiredText(login, 'password', '<login>'),
      locationid: textOf(single(login, 'locationid', '<login>')) ?? '',
    };
  } else if (login === undefined && sessionid !== undefined) {
    parsedAuth = { kind: 'session', sessionid };
  } else {
    throw xmlParseFailure('<authentication> must hold exactly one of <login> or <sessionid>');
  }

  const content = single(operation, 'content', '<operation>');
  if (!isNode(content)) throw xmlParseFailure('<operation> has no <content> with functions');
  const functions = asArray(content['function'] as Node | Node[] | undefined).map((element, index) => {
    const where = `function ${index + 1}`;
    if (!isNode(element)) throw xmlParseFailure(`${where} is empty`);
    const id = textOf(element['@_controlid']);
    if (id === undefined || id.length < 1 || id.length > CONTROL_ID_MAX_LENGTH) {
      throw xmlParseFailure(`${where} needs a controlid attribute of 1 to ${CONTROL_ID_MAX_LENGTH} characters`);
    }
    const names = Object.keys(element).filter((key) => !key.startsWith('@_') && key !== '#text');
    if (names.length !== 1 || Array.isArray(element[names[0]!])) {
      throw xmlParseFailure(`${where} (controlid "${id}") must hold exactly one function element`);
    }
    return { controlid: id, name: names[0]!, body: element[names[0]!] };
  });
  if (functions.length === 0) throw xmlParseFailure('<content> holds no <function>');

  return { control: parsedControl, transaction: transactionText === 'true', authentication: parsedAuth, functions };
}

// ---------------------------------------------------------------- answers

function errormessage(errors: ErrorEntry[]): Node {
  return { error: errors.map((e) => ({ errorno: e.errorno, description: e.description, description2: e.description2, correction: e.correction })) };
}

function controlBlock(status: 'success' | 'failure', echo: ControlEcho): Node {
  return { status, senderid: echo.senderid, controlid: echo.controlid, uniqueid: echo.uniqueid, dtdversion: echo.dtdversion };
}

export function controlFailureXml(echo: ControlEcho, failure: ControlFailure): string {
  return buildXml({ response: { control: controlBlock('failure', echo), errormessage: errormessage(failure.errors) } });
}

export interface AuthenticationInfo {
  userid: string;
  companyid: string;
  locationid: string;
  sessiontimestamp?: string;
  sessiontimeout?: string;
}

function authenticationBlock(status: 'success' | 'failure', info: AuthenticationInfo): Node {
  return {
    status,
    userid: info.userid,
    companyid: info.companyid,
    locationid: info.locationid,
    ...(info.sessiontimestamp === undefined ? {} : { sessiontimestamp: info.sessiontimestamp }),
    ...(info.sessiontimeout === undefined ? {} : { sessiontimeout: info.sessiontimeout }),
  };
}

export function authFailureXml(echo: ControlEcho, info: AuthenticationInfo, errors: ErrorEntry[]): string {
  return buildXml({
    response: {
      control: controlBlock('success', echo),
      operation: { authentication: authenticationBlock('failure', info), errormessage: errormessage(errors) },
    },
  });
}

export interface FunctionResult {
  status: 'success' | 'failure' | 'aborted';
  function: string;
  controlid: string;
  /** The `<data>` element: attributes as `@_name`, records by element name. */
  data?: Node;
  errors?: ErrorEntry[];
}

export function resultsXml(echo: ControlEcho, info: AuthenticationInfo, results: FunctionResult[]): string {
  return buildXml({
    response: {
      control: controlBlock('success', echo),
      operation: {
        authentication: authenticationBlock('success', info),
        result: results.map((result) => ({
          status: result.status,
          function: result.function,
          controlid: result.controlid,
          ...(result.data === undefined ? {} : { data: result.data }),
          ...(result.errors === undefined || result.errors.length === 0 ? {} : { errormessage: errormessage(result.errors) }),
        })),
      },
    },
  });
}

/** Whether the parsed content of a function is an element (object) rather than text. */
export { isNode };
export type { Node };
