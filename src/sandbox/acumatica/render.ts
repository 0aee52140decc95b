/**
 * Stored records as the contract API answers them (reference/acumatica.md
 * §2): system fields plain (`id`, `rowNumber`, `_links`), `note` and every
 * general field wrapped, a null value as `{}` (UNCERTAIN, §2), linked and
 * detail entities only when `$expand` names them (nested ones explicitly,
 * §5), `$select` keeping only the fields it names, `custom` always present.
 */
import { formatAcumaticaDateTime } from '../../systems/acumatica/timestamps.ts';
import type { EntitySpec } from './entities.ts';
import type { StoredRecord } from './entity-store.ts';

type Json = Record<string, unknown>;

export interface RenderOptions {
  /** `$expand` entries: `MainContact`, `MainContact/Address`, `Details`, … */
  expand: ReadonlySet<string>;
  /** `$select` entries (`CustomerName`, `MainContact/Email`); undefined: every field. */
  select: ReadonlySet<string> | undefined;
  rowNumber: number;
  /** `<mount>/entity/<name>/<version>`: where `_links` point. */
  linkBase: string;
}

/** [AIG] `files:put` names the graph and primary view behind each entity. */
const FILE_TARGETS: Record<string, string> = {
  Customer: 'PX.Objects.AR.CustomerMaint/BAccount',
  Contact: 'PX.Objects.CR.ContactMaint/Contact',
  SalesInvoice: 'PX.Objects.SO.SOInvoiceEntry/Document',
  Payment: 'PX.Objects.AR.ARPaymentEntry/Document',
};

/** The record's fields as a filter and the renderer see them: the body plus its date-time fields. */
export function plainView(spec: EntitySpec, record: StoredRecord<Json>): Json {
  const view: Json = { ...record.body, LastModifiedDateTime: formatAcumaticaDateTime(record.modifiedMs) };
  if (spec.name === 'Customer') view.CreatedDateTime = formatAcumaticaDateTime(record.createdMs);
  if (spec.name === 'SalesInvoice') view.CreatedDate = formatAcumaticaDateTime(record.createdMs);
  return view;
}

const wrap = (value: unknown) => (value === null || value === undefined ? {} : { value });

function wrapCustom(custom: unknown): Json {
  const out: Json = {};
  if (custom === null || typeof custom !== 'object') return out;
  for (const [view, fields] of Object.entries(custom as Json)) {
    const wrapped: Json = {};
    for (const [field, value] of Object.entries((fields ?? {}) as Json)) {
      const type = typeof value === 'number' ? (Number.isInteger(value) ? 'CustomIntField' : 'CustomDecimalField') : typeof value === 'boolean' ? 'CustomBooleanField' : 'CustomStringField';
      wrapped[field] = { type, value: value ?? null };
    }
    out[view] = wrapped;
  }
  return out;
}

function renderLinked(fields: readonly string[], value: Json, nested: readonly string[], path: string, options: RenderOptions, subFields: Readonly<Record<string, readonly string[]>>): Json {
  const out: Json = { id: typeof value.id === 'string' ? value.id : undefined, rowNumber: 1 };
  if (out.id === undefined) delete out.id;
  const selected = (field: string) => options.select === undefined || options.select.has(path) || options.select.has(`${path}/${field}`);
  for (const field of fields) if (selected(field)) out[field] = wrap(value[field]);
  for (const child of nested) {
    const childPath = `${path}/${child}`;
    if (!options.expand.has(childPath)) continue;
    const childValue = (value[child] ?? {}) as Json;
    const childOut: Json = { rowNumber: 1 };
    for (const field of subFields[child] ?? []) {
      if (options.select === undefined || options.select.has(childPath) || options.select.has(`${childPath}/${field}`) || options.select.has(path)) {
        childOut[field] = wrap(childValue[field]);
      }
    }
    childOut.custom = {};
    out[child] = childOut;
  }
  out.custom = wrapCustom(value.custom);
  return out;
}

export function renderRecord(spec: EntitySpec, record: StoredRecord<Json>, options: RenderOptions): Json {
  const view = plainView(spec, record);
  const out: Json = { id: record.guid, rowNumber: options.rowNumber, note: wrap(view.note ?? '') };
  const selected = (field: string) => options.select === undefined || options.select.has(field);
  for (const field of spec.fields) if (selected(field)) out[field] = wrap(view[field]);
  for (const [linked, nested] of Object.entries(spec.linked)) {
    if (!options.expand.has(linked)) continue;
    out[linked] = renderLinked(spec.subFields[linked] ?? [], (view[linked] ?? {}) as Json, nested, linked, options, spec.subFields);
  }
  for (const detail of spec.details) {
    if (!options.expand.has(detail)) continue;
    const lines = Array.isArray(view[detail]) ? (view[detail] as Json[]) : [];
    out[detail] = lines.map((line, n) => {
      const rendered: Json = { id: line.id, rowNumber: n + 1 };
      for (const field of spec.subFields[detail] ?? []) {
        if (options.select === undefined || options.select.has(detail) || options.select.has(`${detail}/${field}`)) rendered[field] = wrap(line[field]);
      }
      rendered.custom = {};
      return rendered;
    });
  }
  out.custom = wrapCustom(view.custom);
  out._links = {
    self: `${options.linkBase}/${spec.name}/${record.guid}`,
    'files:put': `${options.linkBase}/files/${FILE_TARGETS[spec.name]}/${record.guid}/{filename}`,
  };
  return out;
}
