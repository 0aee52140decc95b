/**
 * The functions of the Intacct sandbox (reference §4, §5): getAPISession,
 * readByQuery / readMore, query, read / readByName, the generic create /
 * update / delete, and getDimensions. Each takes the function element's
 * parsed content and answers the result's `<data>`, or throws a
 * FunctionFailure; nothing here knows about envelopes or HTTP.
 */
import {
  OBJECT_NAMES,
  QUERY_DEFAULT_PAGESIZE,
  QUERY_MAX_PAGESIZE,
  READ_BY_QUERY_DEFAULT_PAGESIZE,
  READ_BY_QUERY_MAX_PAGESIZE,
  READ_MAX_KEYS,
  type ObjectName,
} from '../../systems/intacct/schemas.ts';
import { asArray } from '../../systems/intacct/xml.ts';
import { checkCondition, evaluate, isQueryableField, type Condition, type ConditionContext } from './conditions.ts';
import type { IntacctData } from './data.ts';
import { parseIntacctDate } from './dates.ts';
import { isNode, textOf, type FunctionCall, type Node } from './envelope.ts';
import { invalidRequest, queryFailed } from './errors.ts';
import { fieldType, isKnownGroup, isObjectName, listElement, OBJECT_SPECS, valueAt, type Fields, type StoredRecord } from './objects.ts';
import { parseFilter, parseOrderBy, type SortKey } from './query-filter.ts';
import type { ResultSetRegistry } from './result-sets.ts';
import type { Session, SessionRegistry } from './sessions.ts';
import { parseWhereClause } from './where-clause.ts';
import { MAX_OBJECTS_PER_WRITE, type RecordWriter } from './writes.ts';

/** Who is calling, as the authentication established it. */
export interface CallContext {
  /** The (sender, company) result sets and uniqueid records belong to. */
  owner: string;
  companyId: string;
  userId: string;
  locationId: string;
  /** The session the request authenticated with, if any. */
  session: Session | undefined;
  /** Whether the function is the only one in its request (§4: getAPISession must be). */
  alone: boolean;
}

export interface FunctionParts {
  data: IntacctData;
  writer: RecordWriter;
  sessions: SessionRegistry;
  resultSets: ResultSetRegistry;
  /** The gateway path sessions are tied to, and its public URL. */
  sessionEndpoint: { path: string; url: () => string };
}

/** §5.6: the standard dimensions the company has enabled (only CLASS, VENDOR and CUSTOMER are served as objects). */
const DIMENSIONS = [
  { objectName: 'DEPARTMENT', objectLabel: 'Department', termLabel: 'Department' },
  { objectName: 'LOCATION', objectLabel: 'Location', termLabel: 'Location' },
  { objectName: 'CLASS', objectLabel: 'Class', termLabel: 'Class' },
  { objectName: 'CUSTOMER', objectLabel: 'Customer', termLabel: 'Customer' },
  { objectName: 'VENDOR', objectLabel: 'Vendor', termLabel: 'Vendor' },
];

/** What a function is counted as: writes with their object (`create:VENDOR`), others by name. */
export function countedName(call: FunctionCall): string {
  if (call.name === 'create' || call.name === 'update') {
    const objects = isNode(call.body) ? Object.keys(call.body).filter((key) => !key.startsWith('@_') && key !== '#text') : [];
    return objects.length > 0 ? `${call.name}:${objects.join('+')}` : call.name;
  }
  if (call.name === 'delete') {
    const object = isNode(call.body) ? textOf(call.body['object']) : undefined;
    return object ? `delete:${object.toUpperCase()}` : 'delete';
  }
  return call.name;
}

function content(body: unknown, name: string): Node {
  if (isNode(body)) return body;
  if (body === '') return {};
  throw invalidRequest(`<${name}> must hold its arguments as elements`);
}

function objectArg(node: Node, name: string): ObjectName {
  const raw = textOf(node['object']);
  if (raw === undefined || raw === '') throw invalidRequest(`<${name}> needs an <object>`);
  const object = raw.toUpperCase();
  if (!isObjectName(object)) throw invalidRequest(`Object "${raw}" is not served by the sandbox (${OBJECT_NAMES.join(', ')})`);
  return object;
}

function integerArg(node: Node, element: string, fallback: number, min: number, max: number): number {
  const raw = textOf(node[element]);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw invalidRequest(`<${element}> must be a whole number, not "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw invalidRequest(`<${element}> must be between ${min} and ${max}, not ${value}`);
  return value;
}

function xmlOnly(node: Node, element: string): void {
  const format = textOf(node[element]);
  if (format !== undefined && format !== '' && format.toLowerCase() !== 'xml') {
    throw invalidRequest(`${element} "${format}" is not served by the sandbox: only xml`);
  }
}

type FieldSelection = '*' | readonly string[];

export class FunctionRunner {
  constructor(private readonly parts: FunctionParts) {}

  private get data(): IntacctData {
    return this.parts.data;
  }

  private conditionContext(object: ObjectName, caseInsensitive: boolean): ConditionContext {
    return { object, caseInsensitive, extraFields: this.data.extraFields[object] };
  }

  /** `*` or a checked list of fields; groups (DISPLAYCONTACT) may be named whole; lines only where `lines` allows. */
  private selection(object: ObjectName, raw: string | undefined, where: string, lines: boolean): FieldSelection {
    const text = (raw ?? '').trim();
    if (text === '' || text === '*') return '*';
    // Field names are upper case in Intacct; a request may spell them in any case.
    const fields = text.split(',').map((field) => field.trim().toUpperCase());
    for (const field of fields) {
      if (field === '*') throw invalidRequest(`${where}: * cannot be mixed with field names`);
      if (field === 'APBILLITEMS' && object === 'APBILL') {
        if (lines) continue;
        throw invalidRequest(`${where}: APBILLITEMS come only from read (reference §5.5)`);
      }
      if (!isQueryableField(this.conditionContext(object, false), field) && !isKnownGroup(object, field)) {
        throw invalidRequest(`${where}: ${field} is not a field of ${object}`);
      }
    }
    return fields;
  }

  private render(record: StoredRecord, fields: FieldSelection, lines: boolean): Fields {
    const withLines = lines && (fields === '*' || fields.includes('APBILLITEMS'));
    const view = this.data.view(record, withLines);
    if (fields === '*') return view;
    const out: Fields = {};
    for (const field of fields) {
      if (!field.includes('.')) out[field] = view[field] ?? '';
      else out[field] = valueAt(view, field) ?? '';
    }
    return out;
  }

  private matching(object: ObjectName, condition: Condition | undefined, caseInsensitive: boolean): StoredRecord[] {
    const records = this.data.store.all(object);
    if (!condition) return records;
    const ctx = this.conditionContext(object, caseInsensitive);
    checkCondition(condition, ctx);
    return records.filter((record) => evaluate(condition, this.data.view(record, false), ctx));
  }

  // ------------------------------------------------------------ §4

  private getAPISession(body: unknown, ctx: CallContext): Node {
    if (!ctx.alone) throw invalidRequest('getAPISession must be the only function in its request (reference §4)');
    const node = content(body, 'getAPISession');
    const locationId = textOf(node['locationid']);
    const endpoint = this.parts.sessionEndpoint;
    const session =
      ctx.session && (locationId === undefined || locationId === ctx.session.locationId)
        ? ctx.session
        : this.parts.sessions.open({ companyId: ctx.companyId, userId: ctx.userId, locationId: locationId ?? ctx.locationId, endpointPath: endpoint.path });
    return { data: { api: { sessionid: session.id, endpoint: endpoint.url(), locationid: session.locationId } } };
  }

  // ------------------------------------------------------------ §5.1

  private readByQuery(body: unknown, ctx: CallContext): Node {
    const node = content(body, 'readByQuery');
    const object = objectArg(node, 'readByQuery');
    const fields = this.selection(object, textOf(node['fields']), 'readByQuery fields', false);
    const pageSize = integerArg(node, 'pagesize', READ_BY_QUERY_DEFAULT_PAGESIZE, 1, READ_BY_QUERY_MAX_PAGESIZE);
    xmlOnly(node, 'returnFormat');
    const matches = this.matching(object, parseWhereClause(textOf(node['query']) ?? ''), false);
    const page = matches.slice(0, pageSize);
    const remaining = matches.length - page.length;
    const set =
      remaining > 0
        ? this.parts.resultSets.open({ owner: ctx.owner, object, fields, recordNos: matches.map((r) => r.recordNo), pageSize, returned: page.length })
        : undefined;
    const element = listElement(object);
    return {
      data: {
        '@_listtype': element,
        '@_count': String(page.length),
        '@_totalcount': String(matches.length),
        '@_numremaining': String(remaining),
        '@_resultId': set?.id ?? '',
        [element]: page.map((record) => this.render(record, fields, false)),
      },
    };
  }

  private readMore(body: unknown, ctx: CallContext): Node {
    const node = content(body, 'readMore');
    const resultId = textOf(node['resultId']);
    const objectText = textOf(node['object']);
    let set;
    if (resultId !== undefined && resultId !== '') {
      set = this.parts.resultSets.find(resultId, ctx.owner);
      if (!set) throw invalidRequest(`resultId ${resultId} is not valid or has expired; run the readByQuery again`);
    } else if (objectText !== undefined && objectText !== '') {
      const object = objectArg(node, 'readMore');
      set = this.parts.resultSets.findLatest(ctx.owner, object);
      if (!set) throw invalidRequest(`There is no readByQuery of ${object} to continue`);
    } else {
      throw invalidRequest('<readMore> needs a <resultId> (or an <object>)');
    }
    const slice = set.recordNos.slice(set.returned, set.returned + set.pageSize);
    set.returned += slice.length;
    set.lastUsedMs = this.data.clock.now();
    const remaining = set.recordNos.length - set.returned;
    if (remaining === 0) this.parts.resultSets.close(set);
    const records = slice.map((recordNo) => this.data.store.get(set.object, recordNo)).filter((record): record is StoredRecord => record !== undefined);
    const element = listElement(set.object);
    return {
      data: {
        '@_listtype': element,
        '@_count': String(records.length),
        '@_totalcount': String(set.recordNos.length),
        '@_numremaining': String(remaining),
        '@_resultId': remaining > 0 ? set.id : '',
        [element]: records.map((record) => this.render(record, set.fields, false)),
      },
    };
  }

  // ------------------------------------------------------------ §5.2

  private sorter(object: ObjectName, keys: SortKey[], caseInsensitive: boolean): (a: Fields, b: Fields) => number {
    const value = (view: Fields, field: string): number | string | undefined => {
      const raw = valueAt(view, field);
      if (raw === undefined || raw === '') return undefined;
      const type = fieldType(object, field);
      if (type === 'number') return Number(raw);
      if (type === 'date' || type === 'datetime') return parseIntacctDate(raw) ?? raw;
      return caseInsensitive ? raw.toLowerCase() : raw;
    };
    return (a, b) => {
      for (const key of keys) {
        const left = value(a, key.field);
        const right = value(b, key.field);
        if (left === right) continue;
        // NULLs sort last ascending, first descending (as Oracle sorts them).
        const order = left === undefined ? 1 : right === undefined ? -1 : left < right ? -1 : 1;
        return key.descending ? -order : order;
      }
      return Number(a['RECORDNO']) - Number(b['RECORDNO']);
    };
  }

  private query(body: unknown): Node {
    const node = content(body, 'query');
    const object = objectArg(node, 'query');
    const select = isNode(node['select']) ? asArray(node['select']['field'] as unknown[] | unknown).map((field) => (textOf(field) ?? '').trim()) : [];
    if (select.length === 0) throw invalidRequest('<query> needs <select> with at least one <field> (no *)');
    const fields = this.selection(object, select.join(','), 'query select', false);
    if (fields === '*') throw invalidRequest('<query> select takes field names, not *');
    const options = isNode(node['options']) ? node['options'] : {};
    const caseText = textOf(options['caseinsensitive']);
    if (caseText !== undefined && caseText !== '' && caseText !== 'true' && caseText !== 'false') throw invalidRequest('caseinsensitive must be true or false');
    const caseInsensitive = caseText === 'true';
    xmlOnly(options, 'returnformat');
    const pageSize = integerArg(node, 'pagesize', QUERY_DEFAULT_PAGESIZE, 1, QUERY_MAX_PAGESIZE);
    const offset = integerArg(node, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const orderBy = parseOrderBy(node['orderby']);
    const ctx = this.conditionContext(object, caseInsensitive);
    for (const key of orderBy) if (!isQueryableField(ctx, key.field)) throw queryFailed(`cannot order by ${key.field}: not a field of ${object}`);
    const views = this.matching(object, parseFilter(node['filter']), caseInsensitive).map((record) => this.data.view(record, false));
    if (orderBy.length > 0) views.sort(this.sorter(object, orderBy, caseInsensitive));
    const page = views.slice(offset, offset + pageSize);
    const out = page.map((view) => {
      const row: Fields = {};
      for (const field of fields) row[field] = field.includes('.') ? (valueAt(view, field) ?? '') : (view[field] ?? '');
      return row;
    });
    return {
      data: {
        '@_listtype': object,
        '@_totalcount': String(views.length),
        '@_offset': String(offset),
        '@_count': String(page.length),
        '@_numremaining': String(Math.max(0, views.length - offset - page.length)),
        [object]: out,
      },
    };
  }

  // ------------------------------------------------------------ §5.3

  private read(body: unknown, byName: boolean): Node {
    const name = byName ? 'readByName' : 'read';
    const node = content(body, name);
    const object = objectArg(node, name);
    const fields = this.selection(object, textOf(node['fields']), `${name} fields`, true);
    xmlOnly(node, 'returnFormat');
    const keys = [...new Set((textOf(node['keys']) ?? '').split(',').map((key) => key.trim()).filter((key) => key !== ''))];
    if (keys.length === 0) throw invalidRequest(`<${name}> needs <keys> (${byName ? OBJECT_SPECS[object].idField : 'RECORDNO'} values, comma-separated)`);
    if (keys.length > READ_MAX_KEYS) throw invalidRequest(`<${name}> takes at most ${READ_MAX_KEYS} keys`);
    const records: StoredRecord[] = [];
    for (const key of keys) {
      if (byName) {
        if (OBJECT_SPECS[object].uniqueId) {
          const record = this.data.store.byId(object, key);
          if (record) records.push(record);
        } else {
          records.push(...this.data.store.all(object).filter((record) => record.fields[OBJECT_SPECS[object].idField] === key));
        }
      } else {
        if (!/^\d+$/.test(key)) throw invalidRequest(`read keys are RECORDNOs; "${key}" is not one (readByName takes ${OBJECT_SPECS[object].idField})`);
        const record = this.data.store.get(object, Number(key));
        if (record) records.push(record);
      }
    }
    const element = listElement(object);
    return { data: { '@_listtype': element, '@_count': String(records.length), [element]: records.map((record) => this.render(record, fields, true)) } };
  }

  // ------------------------------------------------------------ §5.4

  private write(kind: 'create' | 'update', body: unknown): Node {
    const node = content(body, kind);
    const elements: Array<{ object: ObjectName; element: unknown }> = [];
    for (const [name, value] of Object.entries(node)) {
      if (name.startsWith('@_') || name === '#text') continue;
      if (!isObjectName(name)) throw invalidRequest(`<${kind}> of "${name}" is not served by the sandbox (objects: ${OBJECT_NAMES.join(', ')}; element names are upper case)`);
      for (const element of asArray(value as unknown[] | unknown)) elements.push({ object: name, element });
    }
    if (elements.length === 0) throw invalidRequest(`<${kind}> needs at least one object element`);
    if (elements.length > MAX_OBJECTS_PER_WRITE) throw invalidRequest(`<${kind}> takes at most ${MAX_OBJECTS_PER_WRITE} objects`);
    const written: Record<string, Fields[]> = {};
    for (const { object, element } of elements) {
      const record = kind === 'create' ? this.parts.writer.create(object, element) : this.parts.writer.update(object, element);
      const idField = OBJECT_SPECS[object].idField;
      const answer: Fields = { RECORDNO: String(record.recordNo) };
      const id = record.fields[idField];
      if (typeof id === 'string' && id !== '') answer[idField] = id;
      (written[listElement(object)] ??= []).push(answer);
    }
    return { data: { '@_listtype': 'objects', '@_count': String(elements.length), ...written } };
  }

  private delete(body: unknown): Node {
    const node = content(body, 'delete');
    const object = objectArg(node, 'delete');
    const keys = (textOf(node['keys']) ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '');
    if (keys.length === 0) throw invalidRequest('<delete> needs <keys> (RECORDNO values, comma-separated)');
    if (keys.length > MAX_OBJECTS_PER_WRITE) throw invalidRequest(`<delete> takes at most ${MAX_OBJECTS_PER_WRITE} keys`);
    const deleted = keys.map((key) => {
      if (!/^\d+$/.test(key)) throw invalidRequest(`delete keys are RECORDNOs; "${key}" is not one`);
      return { RECORDNO: String(this.parts.writer.delete(object, Number(key)).recordNo) };
    });
    return { data: { '@_listtype': 'objects', '@_count': String(deleted.length), [listElement(object)]: deleted } };
  }

  // ------------------------------------------------------------ §5.6

  private getDimensions(): Node {
    return {
      data: {
        dimensions: {
          dimension: DIMENSIONS.map((dimension) => ({ ...dimension, userDefinedDimension: 'false', enabledInGL: 'true' })),
        },
      },
    };
  }

  /** The result's content for `call` (`{data}`), or a thrown FunctionFailure. */
  run(call: FunctionCall, ctx: CallContext): Node {
    switch (call.name) {
      case 'getAPISession':
        return this.getAPISession(call.body, ctx);
      case 'readByQuery':
        return this.readByQuery(call.body, ctx);
      case 'readMore':
        return this.readMore(call.body, ctx);
      case 'query':
        return this.query(call.body);
      case 'read':
        return this.read(call.body, false);
      case 'readByName':
        return this.read(call.body, true);
      case 'create':
      case 'update':
        return this.write(call.name, call.body);
      case 'delete':
        return this.delete(call.body);
      case 'getDimensions':
        return this.getDimensions();
      default:
        throw invalidRequest(`The function <${call.name}> is not served by the sandbox (generic 3.0 functions only: getAPISession, readByQuery, readMore, query, read, readByName, create, update, delete, getDimensions)`);
    }
  }
}
