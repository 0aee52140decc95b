/**
 * Building gateway requests (reference §2, §5, §7) as plain objects that
 * xml.ts turns into XML: no XML is ever put together from strings.
 *
 * Before anything is built, every text value has the characters XML 1.0
 * forbids removed (§7: they make the document ill-formed and the whole
 * request fails with XL03000003), and each removal is reported by its path
 * (`VENDOR.NAME`) so that a write can put it in the audit. `&`, `<` and `>`
 * are escaped by the builder. Element names come from callers' field names,
 * so they are checked: a name the builder would not escape is refused.
 */
import { randomUUID } from 'node:crypto';
import { ConnectorError } from '../../core/errors.ts';
import { CONTROL_ID_MAX_LENGTH, DTD_VERSION, QUERY_OPERATORS, type QueryOperator } from './schemas.ts';
import { formatIntacctDateTime } from './timestamps.ts';
import { buildXml, stripForbidden } from './xml.ts';

/** One function of a request: `<function controlid="…"><name>content</name></function>`. */
export interface IntacctFunction {
  /** The function's controlid (§2): stable per write so a resend is recognised (§6); any unique text for reads. */
  controlId: string;
  /** The function element: `create`, `readByQuery`, … */
  name: string;
  /** What goes inside it: elements by name (`{ VENDOR: { NAME: 'Acme' } }`); arrays repeat an element. */
  content: Record<string, unknown>;
}

/** Characters removed from one text value before sending. */
export interface Sanitized {
  path: string;
  removed: number;
}

export type Authentication = { type: 'login'; userId: string; companyId: string; password: string; entityId?: string | undefined } | { type: 'session'; sessionId: string };

export interface RequestOptions {
  senderId: string;
  senderPassword: string;
  authentication: Authentication;
  /** §6: true for writes, so a resent function is not executed twice. */
  uniqueId: boolean;
  /** §3: all-or-nothing; the other functions are rolled back when one fails. */
  transaction?: boolean;
  /** The request's own controlid (§2: echoed back, never checked); default a fresh UUID. */
  controlId?: string;
}

/** An element name the builder writes as given: letters, digits, `_` and `-`, not starting with a digit or `-`. */
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function badField(path: string, why: string): ConnectorError {
  return new ConnectorError({
    kind: 'validation',
    code: 'intacct.invalid_field',
    message: `Sage Intacct request: ${path} ${why}`,
    details: { field: path },
  });
}

/**
 * A copy of `value` ready for the builder: text stripped of forbidden
 * characters (each removal appended to `report`), numbers and booleans as
 * text, `null` as an empty element, `undefined` left out, objects as nested
 * elements and arrays as repeated elements.
 */
export function sanitizeTree(value: unknown, path: string, report: Sanitized[]): unknown {
  if (value === null) return '';
  if (typeof value === 'string') {
    const cleaned = stripForbidden(value);
    if (cleaned.removed > 0) report.push({ path, removed: cleaned.removed });
    return cleaned.value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badField(path, 'is not a finite number');
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      if (Array.isArray(item)) throw badField(`${path}[${index}]`, 'is an array inside an array (no XML shape for it)');
      return sanitizeTree(item, `${path}[${index}]`, report);
    });
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (!ELEMENT_NAME.test(key)) throw badField(at, 'is not a field name Sage Intacct accepts (letters, digits, _ and -)');
      if (item === undefined) continue;
      out[key] = sanitizeTree(item, at, report);
    }
    return out;
  }
  throw badField(path || '(value)', `has a ${value instanceof Date ? 'Date' : typeof value} value; give text (dates as mm/dd/yyyy)`);
}

/** The function with its content sanitized, and what was removed (paths relative to the content). */
export function sanitizeFunction(fn: IntacctFunction): { fn: IntacctFunction; sanitized: Sanitized[] } {
  if (!ELEMENT_NAME.test(fn.name)) throw badField(fn.name, 'is not a function name');
  checkControlId(fn.controlId);
  const sanitized: Sanitized[] = [];
  const content = sanitizeTree(fn.content, '', sanitized) as Record<string, unknown>;
  return { fn: { ...fn, content }, sanitized };
}

function checkControlId(controlId: string): void {
  const { value, removed } = stripForbidden(controlId);
  if (removed > 0 || value.length < 1 || value.length > CONTROL_ID_MAX_LENGTH) {
    throw new ConnectorError({
      kind: 'validation',
      code: 'intacct.invalid_control_id',
      message: `Sage Intacct control ids are 1 to ${CONTROL_ID_MAX_LENGTH} characters of text (reference §2); got ${controlId.length} characters`,
    });
  }
}

function clean(text: string): string {
  return stripForbidden(text).value;
}

/**
 * The whole request document (§2). Functions must have gone through
 * `sanitizeFunction`; credentials are stripped here too (silently: they are
 * never reported anywhere).
 */
export function buildRequest(functions: readonly IntacctFunction[], options: RequestOptions): string {
  const auth = options.authentication;
  const authentication =
    auth.type === 'session'
      ? { sessionid: clean(auth.sessionId) }
      : {
          login: {
            userid: clean(auth.userId),
            companyid: clean(auth.companyId),
            password: clean(auth.password),
            ...(auth.entityId ? { locationid: clean(auth.entityId) } : {}),
          },
        };
  return buildXml({
    request: {
      control: {
        senderid: clean(options.senderId),
        password: clean(options.senderPassword),
        controlid: options.controlId ?? randomUUID(),
        uniqueid: String(options.uniqueId),
        dtdversion: DTD_VERSION,
        includewhitespace: 'false',
      },
      operation: {
        '@_transaction': String(options.transaction ?? false),
        authentication,
        content: {
          function: functions.map((fn) => ({ '@_controlid': fn.controlId, [fn.name]: fn.content })),
        },
      },
    },
  });
}

// ---------------------------------------------------------------- functions (§4, §5)

/** A controlid for a read (§6: reads go with uniqueid false, so it only pairs request and result). */
export function readControlId(name: string): string {
  return `${name}-${randomUUID()}`;
}

export const intacctFunctions = {
  /** §4: isolated in its own request; `locationid` for an entity session. */
  getAPISession(entityId?: string): IntacctFunction {
    return { controlId: 'getAPISession', name: 'getAPISession', content: entityId ? { locationid: entityId } : {} };
  },

  /** §5.1: `query` is the legacy WHERE-like text (build literals with `queryLiteral`); '' reads all. */
  readByQuery(object: string, options: { query?: string; fields?: readonly string[]; pageSize: number }): IntacctFunction {
    return {
      controlId: readControlId('readByQuery'),
      name: 'readByQuery',
      content: {
        object,
        fields: fieldList(options.fields),
        query: options.query ?? '',
        pagesize: options.pageSize,
        returnFormat: 'xml',
      },
    };
  },

  readMore(resultId: string): IntacctFunction {
    return { controlId: readControlId('readMore'), name: 'readMore', content: { resultId } };
  },

  /** §5.3: keys are RECORDNOs, at most 100. */
  read(object: string, recordNos: readonly string[], fields?: readonly string[]): IntacctFunction {
    return {
      controlId: readControlId('read'),
      name: 'read',
      content: { object, keys: recordNos.join(','), fields: fieldList(fields), returnFormat: 'xml' },
    };
  },

  /** §5.3: keys are the object's id field values (VENDORID, CONTACTNAME, …), comma-separated. */
  readByName(object: string, names: readonly string[], fields?: readonly string[]): IntacctFunction {
    return {
      controlId: readControlId('readByName'),
      name: 'readByName',
      content: { object, keys: names.join(','), fields: fieldList(fields), returnFormat: 'xml' },
    };
  },

  /** §5.2: the `query` function. */
  query(spec: QuerySpec): IntacctFunction {
    return { controlId: readControlId('query'), name: 'query', content: queryContent(spec) };
  },

  /** §5.4: `<create><OBJECT>fields</OBJECT></create>`; nested objects become nested elements. */
  create(object: string, fields: Record<string, unknown>, controlId: string): IntacctFunction {
    return { controlId, name: 'create', content: { [object]: fields } };
  },

  /** §5.4: update by RECORDNO or by the object's id field. */
  update(object: string, fields: Record<string, unknown>, controlId: string): IntacctFunction {
    return { controlId, name: 'update', content: { [object]: fields } };
  },

  delete(object: string, recordNos: readonly string[], controlId: string): IntacctFunction {
    return { controlId, name: 'delete', content: { object, keys: recordNos.join(',') } };
  },
} as const;

function fieldList(fields: readonly string[] | undefined): string {
  return fields && fields.length > 0 ? fields.join(',') : '*';
}

// ---------------------------------------------------------------- the query function (§5.2)

export type QueryFilter =
  | { and: QueryFilter[] }
  | { or: QueryFilter[] }
  | { op: Exclude<QueryOperator, 'isnull' | 'isnotnull' | 'in' | 'notin' | 'between'>; field: string; value: string }
  | { op: 'isnull' | 'isnotnull'; field: string }
  | { op: 'in' | 'notin' | 'between'; field: string; values: string[] };

export interface QuerySpec {
  object: string;
  /** §5.2: required, no `*`. */
  select: readonly string[];
  filter?: QueryFilter;
  orderBy?: ReadonlyArray<{ field: string; descending?: boolean }>;
  pageSize: number;
  offset?: number;
}

function filterContent(filter: QueryFilter): Record<string, unknown> {
  if ('and' in filter) return { and: mergeSiblings(filter.and.map(filterContent)) };
  if ('or' in filter) return { or: mergeSiblings(filter.or.map(filterContent)) };
  if (!QUERY_OPERATORS.includes(filter.op)) throw badField(filter.op, 'is not a query operator');
  if ('values' in filter) return { [filter.op]: { field: filter.field, value: filter.values } };
  if ('value' in filter) return { [filter.op]: { field: filter.field, value: filter.value } };
  return { [filter.op]: { field: filter.field } };
}

/** Children of `<and>`/`<or>` as one object: elements of the same name become an array (repeated elements). */
function mergeSiblings(children: Array<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown[]> = {};
  for (const child of children) for (const [key, value] of Object.entries(child)) (merged[key] ??= []).push(value);
  return Object.fromEntries(Object.entries(merged).map(([key, values]) => [key, values.length === 1 ? values[0] : values]));
}

function queryContent(spec: QuerySpec): Record<string, unknown> {
  if (spec.select.length === 0 || spec.select.includes('*')) throw badField('select', 'must name the fields (the query function takes no *)');
  return {
    object: spec.object,
    select: { field: [...spec.select] },
    ...(spec.filter ? { filter: filterContent(spec.filter) } : {}),
    ...(spec.orderBy && spec.orderBy.length > 0
      ? { orderby: { order: spec.orderBy.map((o) => ({ field: o.field, ...(o.descending ? { descending: '' } : { ascending: '' }) })) } }
      : {}),
    options: { caseinsensitive: 'false', returnformat: 'xml' },
    pagesize: spec.pageSize,
    offset: spec.offset ?? 0,
  };
}

// ---------------------------------------------------------------- readByQuery literals (§5.1)

/**
 * A quoted string literal for a readByQuery `<query>`: single quotes escaped
 * with a backslash (§5.1, `'Jane\'s Deli'`), and backslashes doubled so a
 * value ending in one cannot escape its closing quote. `&` and `<` are left
 * to the XML builder (§5.1 wants them as entities, which it writes).
 */
export function queryLiteral(value: string): string {
  return `'${clean(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A date-time literal for a readByQuery `<query>` (§1: `mm/dd/yyyy HH:MM:SS`, see timestamps.ts). */
export function queryDateTime(ms: number): string {
  return queryLiteral(formatIntacctDateTime(ms));
}
