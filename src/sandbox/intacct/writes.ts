/**
 * The generic create / update / delete of the Intacct sandbox (reference
 * §5.4, §5.5): what each object requires, its unique id, the references it
 * must find (a bill's vendor and classes), and what a write sets by itself
 * (RECORDNO, WHENMODIFIED, a bill's totals and state, a vendor's total due).
 *
 * A vendor's or customer's DISPLAYCONTACT is the CONTACT record it names
 * (default name `<NAME>(V<VENDORID>)` / `<NAME>(C<CUSTOMERID>)`, as the SDK
 * notes): writing it creates that contact, or updates it when it exists.
 * An update of a bill that names APBILLITEMS replaces its whole line set
 * (§5.5: "send all lines you keep").
 *
 * Each method either succeeds or throws a FunctionFailure; the caller
 * rolls back whatever a failed function had written (data.ts journal).
 */
import type { ObjectName } from '../../systems/intacct/schemas.ts';
import { asArray } from '../../systems/intacct/xml.ts';
import { DAY } from '../common/seed-layout.ts';
import type { IntacctData } from './data.ts';
import { formatDate, parseIntacctDate } from './dates.ts';
import { isNode, textOf } from './envelope.ts';
import { duplicateKey, invalidRecord, notFound } from './errors.ts';
import { OBJECT_SPECS, TERMS, type Fields, type StoredLine, type StoredRecord } from './objects.ts';
import { customerIdOf, displayContactName, money, vendorIdOf } from './seed.ts';

/** §5.4: the most objects one create/update takes (ours; the reference gives no number). */
export const MAX_OBJECTS_PER_WRITE = 100;
/** Longest id the sandbox accepts for VENDORID, CUSTOMERID and CLASSID (Intacct's ids are short; 20 is ours). */
export const MAX_ID_LENGTH = 20;

/** Fields a write never sets: the gateway computes them (silently ignored when sent). */
const COMPUTED: Record<ObjectName, readonly string[]> = {
  VENDOR: ['RECORDNO', 'WHENCREATED', 'WHENMODIFIED', 'TOTALDUE'],
  CUSTOMER: ['RECORDNO', 'WHENCREATED', 'WHENMODIFIED', 'TOTALDUE'],
  CONTACT: ['RECORDNO', 'WHENCREATED', 'WHENMODIFIED'],
  CLASS: ['RECORDNO', 'WHENCREATED', 'WHENMODIFIED'],
  APBILL: ['RECORDNO', 'WHENMODIFIED', 'VENDORNAME', 'TOTALENTERED', 'TOTALPAID', 'TOTALDUE', 'STATE', 'WHENPAID', 'BASECURR', 'MODULEKEY', 'ACTION', 'APBILLITEMS'],
};

const AMOUNT = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** A parsed element as fields: text stays text, child elements become groups; repeated elements are refused. */
function fieldsOf(node: unknown, where: string): Fields {
  if (node === '' || node === undefined) return {};
  if (!isNode(node)) throw invalidRecord(`${where} must hold field elements`);
  const fields: Fields = {};
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@_') || name === '#text') continue;
    if (Array.isArray(value)) throw invalidRecord(`${where}.${name} is given more than once`);
    fields[name] = isNode(value) ? fieldsOf(value, `${where}.${name}`) : (textOf(value) ?? '');
  }
  return fields;
}

/** Elements that hold field groups: sent empty (`<DISPLAYCONTACT></DISPLAYCONTACT>`, as the SDK does) they change nothing. */
const GROUP_ELEMENTS = new Set(['DISPLAYCONTACT', 'MAILADDRESS', 'PAYTOCONTACT', 'RETURNTOCONTACT', 'CONTACTINFO', 'BILLTO', 'SHIPTO']);

function withoutEmptyGroups(fields: Fields): Fields {
  const out: Fields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === '' && GROUP_ELEMENTS.has(name)) continue;
    out[name] = typeof value === 'object' && !Array.isArray(value) ? withoutEmptyGroups(value) : value;
  }
  return out;
}

const text = (fields: Fields, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
};

const group = (fields: Fields, name: string): Fields | undefined => {
  const value = fields[name];
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
};

/** `patch` laid over `base`, groups merged field by field. */
export function mergeFields(base: Fields, patch: Fields): Fields {
  const out: Fields = { ...base };
  for (const [name, value] of Object.entries(patch)) {
    const current = out[name];
    out[name] =
      typeof value === 'object' && !Array.isArray(value) && typeof current === 'object' && !Array.isArray(current) ? mergeFields(current, value) : value;
  }
  return out;
}

function sameFields(a: Fields, b: Fields): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

function checkStatus(fields: Fields, object: ObjectName): void {
  const status = text(fields, 'STATUS');
  if (status !== undefined && status !== '' && status !== 'active' && status !== 'inactive') {
    throw invalidRecord(`${object} STATUS must be active or inactive, not "${status}"`);
  }
}

function checkTerm(fields: Fields, object: ObjectName): void {
  const term = text(fields, 'TERMNAME');
  if (term !== undefined && term !== '' && !(term in TERMS)) {
    throw invalidRecord(`${object} TERMNAME "${term}" is not a term of this company (${Object.keys(TERMS).join(', ')})`);
  }
}

function checkId(object: ObjectName, field: string, id: string): void {
  if (id.length > MAX_ID_LENGTH) throw invalidRecord(`${object} ${field} "${id}" is longer than ${MAX_ID_LENGTH} characters`);
}

function dateField(fields: Fields, name: string, object: ObjectName): string | undefined {
  const value = text(fields, name);
  if (value === undefined || value === '') return undefined;
  const ms = parseIntacctDate(value);
  if (ms === undefined) throw invalidRecord(`${object} ${name} "${value}" is not a date (mm/dd/yyyy)`);
  return formatDate(ms);
}

export class RecordWriter {
  constructor(private readonly data: IntacctData) {}

  private get store() {
    return this.data.store;
  }

  private now(): number {
    return this.data.clock.now();
  }

  /** Notes fields outside the spec so that queries and field lists may name them later. */
  private noteExtras(object: ObjectName, fields: Fields): void {
    const known = new Set(OBJECT_SPECS[object].fields.map((spec) => (typeof spec === 'string' ? spec : spec.group)));
    for (const [name, value] of Object.entries(fields)) if (!known.has(name) && typeof value === 'string') this.data.extraFields[object].add(name);
  }

  private input(object: ObjectName, node: unknown): Fields {
    const given = isNode(node) ? { ...node } : node;
    if (isNode(given)) for (const name of COMPUTED[object]) delete given[name];
    return withoutEmptyGroups(fieldsOf(given, object));
  }

  /** The record an update names by RECORDNO or by its id field. */
  private locate(object: ObjectName, node: unknown): StoredRecord {
    const fields = isNode(node) ? node : {};
    const recordNo = textOf(fields['RECORDNO']);
    const idField = OBJECT_SPECS[object].idField;
    const id = textOf(fields[idField]);
    if (recordNo !== undefined && recordNo !== '') {
      if (!/^\d+$/.test(recordNo)) throw invalidRecord(`${object} RECORDNO "${recordNo}" is not a number`);
      const record = this.store.get(object, Number(recordNo));
      if (!record) throw notFound(`There is no ${object} with RECORDNO ${recordNo}.`);
      return record;
    }
    if (id !== undefined && id !== '') {
      const record = OBJECT_SPECS[object].uniqueId ? this.store.byId(object, id) : this.uniqueBill(id);
      if (!record) throw notFound(`There is no ${object} with ${idField} "${id}".`);
      return record;
    }
    throw invalidRecord(`An update of ${object} must name the record by RECORDNO or ${idField}.`);
  }

  private uniqueBill(recordId: string): StoredRecord | undefined {
    const matches = this.store.all('APBILL').filter((bill) => bill.fields['RECORDID'] === recordId);
    if (matches.length > 1) throw invalidRecord(`Several APBILLs have RECORDID "${recordId}"; name the bill by RECORDNO.`);
    return matches[0];
  }

  private nextFreeId(object: ObjectName, make: (index: number) => string): string {
    for (let i = this.store.size(object); ; i++) {
      const id = make(i);
      if (!this.store.byId(object, id)) return id;
    }
  }

  // ------------------------------------------------------------ contacts

  /** Creates the named contact from `given`, or lays `given` over the one that exists. */
  private upsertContact(name: string, given: Fields, owner: string): void {
    const existing = this.store.byId('CONTACT', name);
    const now = this.now();
    if (existing) {
      const merged = mergeFields(existing.fields, given);
      checkStatus(merged, 'CONTACT');
      if (!sameFields(merged, existing.fields)) this.store.put({ ...existing, fields: merged, modifiedMs: now });
      return;
    }
    if (!text(given, 'PRINTAS')) throw invalidRecord(`${owner} DISPLAYCONTACT.PRINTAS is required to create its contact "${name}".`);
    if (name.length > 200) throw invalidRecord(`CONTACTNAME "${name}" is longer than 200 characters`);
    const fields: Fields = { CONTACTNAME: name, STATUS: 'active', ...given };
    checkStatus(fields, 'CONTACT');
    this.store.put({ object: 'CONTACT', recordNo: this.store.nextRecordNo('CONTACT'), createdMs: now, modifiedMs: now, fields });
  }

  // ------------------------------------------------------------ vendors and customers

  private createParty(object: 'VENDOR' | 'CUSTOMER', node: unknown): StoredRecord {
    const prefix = object === 'VENDOR' ? 'V' : 'C';
    const idField = OBJECT_SPECS[object].idField;
    const fields = this.input(object, node);
    let id = text(fields, idField) ?? '';
    if (id === '') id = this.nextFreeId(object, object === 'VENDOR' ? vendorIdOf : customerIdOf);
    checkId(object, idField, id);
    if (this.store.byId(object, id)) throw duplicateKey(object, idField, id);
    const name = text(fields, 'NAME') ?? '';
    if (name === '') throw invalidRecord(`${object} NAME is required.`);
    checkStatus(fields, object);
    checkTerm(fields, object);
    const display = group(fields, 'DISPLAYCONTACT');
    const givenContactName = display ? (text(display, 'CONTACTNAME') ?? '') : '';
    if (!display || (!text(display, 'PRINTAS') && !(givenContactName && this.store.byId('CONTACT', givenContactName)))) {
      throw invalidRecord(`${object} DISPLAYCONTACT.PRINTAS is required.`);
    }
    const contactName = givenContactName || displayContactName(name, prefix, id);
    const { CONTACTNAME: _ignored, ...contactFields } = display;
    this.upsertContact(contactName, contactFields, object);
    const now = this.now();
    const record: StoredRecord = {
      object,
      recordNo: this.store.nextRecordNo(object),
      createdMs: now,
      modifiedMs: now,
      fields: { ...fields, [idField]: id, STATUS: text(fields, 'STATUS') || 'active', ONETIME: text(fields, 'ONETIME') || 'false', TOTALDUE: '0.00', DISPLAYCONTACT: { CONTACTNAME: contactName } },
    };
    this.noteExtras(object, record.fields);
    this.store.put(record);
    return record;
  }

  private updateParty(object: 'VENDOR' | 'CUSTOMER', node: unknown): StoredRecord {
    const prefix = object === 'VENDOR' ? 'V' : 'C';
    const idField = OBJECT_SPECS[object].idField;
    const current = this.locate(object, node);
    const fields = this.input(object, node);
    const currentId = text(current.fields, idField)!;
    const givenId = text(fields, idField);
    if (givenId !== undefined && givenId !== currentId) throw invalidRecord(`${object} ${idField} cannot be changed (${currentId} → ${givenId}).`);
    if (text(fields, 'NAME') === '') throw invalidRecord(`${object} NAME cannot be empty.`);
    checkStatus(fields, object);
    checkTerm(fields, object);
    const { DISPLAYCONTACT: display, ...rest } = fields;
    const merged = mergeFields(current.fields, rest);
    if (display !== undefined) {
      if (typeof display !== 'object' || Array.isArray(display)) throw invalidRecord(`${object} DISPLAYCONTACT must hold field elements.`);
      const linked = group(current.fields, 'DISPLAYCONTACT');
      const name = text(display, 'CONTACTNAME') || (linked && text(linked, 'CONTACTNAME')) || displayContactName(text(merged, 'NAME')!, prefix, currentId);
      const { CONTACTNAME: _ignored, ...contactFields } = display;
      this.upsertContact(name, contactFields, object);
      merged['DISPLAYCONTACT'] = { CONTACTNAME: name };
    }
    const record: StoredRecord = { ...current, fields: merged, modifiedMs: this.now() };
    this.noteExtras(object, record.fields);
    this.store.put(record);
    return record;
  }

  // ------------------------------------------------------------ contacts and classes

  private createSimple(object: 'CONTACT' | 'CLASS', node: unknown): StoredRecord {
    const idField = OBJECT_SPECS[object].idField;
    const fields = this.input(object, node);
    const id = text(fields, idField) ?? '';
    if (id === '') throw invalidRecord(`${object} ${idField} is required.`);
    if (object === 'CLASS') checkId(object, idField, id);
    else if (id.length > 200) throw invalidRecord(`CONTACTNAME "${id}" is longer than 200 characters`);
    if (this.store.byId(object, id)) throw duplicateKey(object, idField, id);
    if (object === 'CONTACT' && !text(fields, 'PRINTAS')) throw invalidRecord('CONTACT PRINTAS is required.');
    if (object === 'CLASS' && !text(fields, 'NAME')) throw invalidRecord('CLASS NAME is required.');
    checkStatus(fields, object);
    if (object === 'CLASS') this.checkParentClass(fields, id);
    const now = this.now();
    const record: StoredRecord = { object, recordNo: this.store.nextRecordNo(object), createdMs: now, modifiedMs: now, fields: { ...fields, STATUS: text(fields, 'STATUS') || 'active' } };
    this.noteExtras(object, record.fields);
    this.store.put(record);
    return record;
  }

  private updateSimple(object: 'CONTACT' | 'CLASS', node: unknown): StoredRecord {
    const idField = OBJECT_SPECS[object].idField;
    const current = this.locate(object, node);
    const fields = this.input(object, node);
    const currentId = text(current.fields, idField)!;
    const givenId = text(fields, idField);
    if (givenId !== undefined && givenId !== currentId) throw invalidRecord(`${object} ${idField} cannot be changed (${currentId} → ${givenId}).`);
    if (object === 'CONTACT' && text(fields, 'PRINTAS') === '') throw invalidRecord('CONTACT PRINTAS cannot be empty.');
    if (object === 'CLASS' && text(fields, 'NAME') === '') throw invalidRecord('CLASS NAME cannot be empty.');
    checkStatus(fields, object);
    if (object === 'CLASS') this.checkParentClass(fields, currentId);
    const record: StoredRecord = { ...current, fields: mergeFields(current.fields, fields), modifiedMs: this.now() };
    this.noteExtras(object, record.fields);
    this.store.put(record);
    return record;
  }

  private checkParentClass(fields: Fields, id: string): void {
    const parent = text(fields, 'PARENTID');
    if (parent === undefined || parent === '') return;
    if (parent === id) throw invalidRecord(`CLASS ${id} cannot be its own parent.`);
    if (!this.store.byId('CLASS', parent)) throw invalidRecord(`Invalid parent class "${parent}": there is no CLASS with that CLASSID.`);
  }

  // ------------------------------------------------------------ bills

  private lines(node: unknown, keep: readonly StoredLine[]): StoredLine[] {
    if (node === undefined || node === '' || !isNode(node)) throw invalidRecord('An APBILL needs APBILLITEMS with at least one APBILLITEM.');
    const items = asArray(node['APBILLITEM'] as unknown[] | unknown);
    if (items.length === 0) throw invalidRecord('An APBILL needs at least one APBILLITEM.');
    const kept = new Set(keep.map((line) => line.recordNo));
    return items.map((item, index) => {
      const where = `APBILLITEM ${index + 1}`;
      const fields = fieldsOf(item, where);
      const recordNo = text(fields, 'RECORDNO');
      delete fields['RECORDNO'];
      if (!text(fields, 'ACCOUNTNO') && !text(fields, 'ACCOUNTLABEL')) throw invalidRecord(`${where} needs ACCOUNTNO or ACCOUNTLABEL.`);
      const amount = text(fields, 'TRX_AMOUNT') ?? '';
      if (!AMOUNT.test(amount)) throw invalidRecord(`${where} TRX_AMOUNT "${amount}" is not an amount.`);
      const classId = text(fields, 'CLASSID');
      if (classId && !this.store.byId('CLASS', classId)) throw invalidRecord(`${where}: invalid class "${classId}": there is no CLASS with that CLASSID.`);
      const own = recordNo !== undefined && /^\d+$/.test(recordNo) && kept.has(Number(recordNo)) ? Number(recordNo) : undefined;
      return {
        recordNo: own ?? this.store.nextLineRecordNo(),
        fields: { ...fields, LINE_NO: String(index + 1), TRX_AMOUNT: money(Number(amount)) },
      };
    });
  }

  private vendorFor(vendorId: string | undefined): StoredRecord {
    if (!vendorId) throw invalidRecord('APBILL VENDORID is required.');
    const vendor = this.store.byId('VENDOR', vendorId);
    if (!vendor) throw invalidRecord(`Invalid Vendor "${vendorId}" specified: there is no VENDOR with that VENDORID.`);
    return vendor;
  }

  /** Header dates, currency and state as the bill will have them. */
  private billHeader(fields: Fields, action: string | undefined, currentState: string | undefined): Fields {
    const out: Fields = { ...fields };
    const created = dateField(fields, 'WHENCREATED', 'APBILL');
    if (!created) throw invalidRecord('APBILL WHENCREATED (the bill date, mm/dd/yyyy) is required.');
    out['WHENCREATED'] = created;
    checkTerm(fields, 'APBILL');
    const due = dateField(fields, 'WHENDUE', 'APBILL');
    const term = text(fields, 'TERMNAME');
    if (!due && !term) throw invalidRecord('APBILL needs WHENDUE or TERMNAME.');
    out['WHENDUE'] = due ?? formatDate(parseIntacctDate(created)! + (TERMS[term!] ?? 0) * DAY);
    const currency = text(fields, 'CURRENCY') || 'USD';
    if (!CURRENCY.test(currency)) throw invalidRecord(`APBILL CURRENCY "${currency}" is not a currency code.`);
    out['CURRENCY'] = currency;
    let state = currentState ?? 'Posted';
    if (action !== undefined && action !== '') {
      const normalized = action.toLowerCase();
      if (normalized === 'draft') {
        if (currentState !== undefined && currentState !== 'Draft') throw invalidRecord('A posted APBILL cannot go back to Draft.');
        state = 'Draft';
      } else if (normalized === 'submit') state = 'Posted';
      else throw invalidRecord(`APBILL ACTION must be Submit or Draft, not "${action}".`);
    }
    out['STATE'] = state;
    out['WHENPOSTED'] = state === 'Draft' ? '' : (dateField(fields, 'WHENPOSTED', 'APBILL') ?? created);
    return out;
  }

  private createBill(node: unknown): StoredRecord {
    const action = isNode(node) ? textOf(node['ACTION']) : undefined;
    const fields = this.input('APBILL', node);
    const vendor = this.vendorFor(text(fields, 'VENDORID'));
    const header = this.billHeader(fields, action, undefined);
    const lines = this.lines(isNode(node) ? node['APBILLITEMS'] : undefined, []);
    const total = lines.reduce((sum, line) => sum + Number(line.fields['TRX_AMOUNT']), 0);
    const now = this.now();
    const record: StoredRecord = {
      object: 'APBILL',
      recordNo: this.store.nextRecordNo('APBILL'),
      createdMs: now,
      modifiedMs: now,
      fields: {
        ...header,
        VENDORNAME: text(vendor.fields, 'NAME') ?? '',
        TOTALENTERED: money(total),
        TOTALPAID: '0.00',
        TOTALDUE: money(total),
        WHENPAID: '',
        BASECURR: 'USD',
        MODULEKEY: '3.AP',
      },
      lines,
    };
    this.noteExtras('APBILL', record.fields);
    this.store.put(record);
    this.refreshVendorDue(vendor.fields['VENDORID'] as string);
    return record;
  }

  private updateBill(node: unknown): StoredRecord {
    const current = this.locate('APBILL', node);
    if (Number(current.fields['TOTALPAID'] ?? 0) > 0) throw invalidRecord(`APBILL ${current.recordNo} has payments applied and cannot be changed.`);
    const action = isNode(node) ? textOf(node['ACTION']) : undefined;
    const fields = this.input('APBILL', node);
    const merged = mergeFields(current.fields, fields);
    const vendor = this.vendorFor(text(merged, 'VENDORID'));
    const header = this.billHeader(merged, action, text(current.fields, 'STATE'));
    const linesNode = isNode(node) ? node['APBILLITEMS'] : undefined;
    const lines = linesNode === undefined ? (current.lines ?? []) : this.lines(linesNode, current.lines ?? []);
    const total = lines.reduce((sum, line) => sum + Number(line.fields['TRX_AMOUNT']), 0);
    const record: StoredRecord = {
      ...current,
      modifiedMs: this.now(),
      fields: { ...header, VENDORNAME: text(vendor.fields, 'NAME') ?? '', TOTALENTERED: money(total), TOTALDUE: money(total - Number(current.fields['TOTALPAID'] ?? 0)) },
      lines,
    };
    this.noteExtras('APBILL', record.fields);
    this.store.put(record);
    this.refreshVendorDue(text(current.fields, 'VENDORID') ?? '');
    this.refreshVendorDue(text(record.fields, 'VENDORID') ?? '');
    return record;
  }

  /** A vendor's TOTALDUE: what its bills (not drafts) leave due. Its WHENMODIFIED stays (UNCERTAIN). */
  refreshVendorDue(vendorId: string): void {
    const vendor = this.store.byId('VENDOR', vendorId);
    if (!vendor) return;
    let due = 0;
    for (const bill of this.store.all('APBILL')) {
      if (bill.fields['VENDORID'] === vendorId && bill.fields['STATE'] !== 'Draft') due += Number(bill.fields['TOTALDUE'] ?? 0);
    }
    if (vendor.fields['TOTALDUE'] !== money(due)) this.store.put({ ...vendor, fields: { ...vendor.fields, TOTALDUE: money(due) } });
  }

  // ------------------------------------------------------------ the generic functions

  create(object: ObjectName, node: unknown): StoredRecord {
    switch (object) {
      case 'VENDOR':
      case 'CUSTOMER':
        return this.createParty(object, node);
      case 'CONTACT':
      case 'CLASS':
        return this.createSimple(object, node);
      case 'APBILL':
        return this.createBill(node);
    }
  }

  update(object: ObjectName, node: unknown): StoredRecord {
    switch (object) {
      case 'VENDOR':
      case 'CUSTOMER':
        return this.updateParty(object, node);
      case 'CONTACT':
      case 'CLASS':
        return this.updateSimple(object, node);
      case 'APBILL':
        return this.updateBill(node);
    }
  }

  delete(object: ObjectName, recordNo: number): StoredRecord {
    const record = this.store.get(object, recordNo);
    if (!record) throw notFound(`There is no ${object} with RECORDNO ${recordNo}.`);
    const id = text(record.fields, OBJECT_SPECS[object].idField) ?? '';
    const refuse = (why: string) => invalidRecord(`${object} ${id || recordNo} cannot be deleted: ${why}.`);
    if (object === 'VENDOR' && this.store.all('APBILL').some((bill) => bill.fields['VENDORID'] === id)) throw refuse('it has bills');
    if (object === 'CONTACT') {
      const owner = [...this.store.all('VENDOR'), ...this.store.all('CUSTOMER')].find((party) => {
        const display = group(party.fields, 'DISPLAYCONTACT');
        return display !== undefined && display['CONTACTNAME'] === id;
      });
      if (owner) throw refuse(`it is the display contact of ${owner.object} ${String(owner.fields[OBJECT_SPECS[owner.object].idField])}`);
    }
    if (object === 'CLASS') {
      if (this.store.all('CLASS').some((cls) => cls.fields['PARENTID'] === id)) throw refuse('other classes have it as their parent');
      if (this.store.all('APBILL').some((bill) => (bill.lines ?? []).some((line) => line.fields['CLASSID'] === id))) throw refuse('bill lines use it');
    }
    if (object === 'APBILL' && Number(record.fields['TOTALPAID'] ?? 0) > 0) throw refuse('it has payments applied');
    this.store.remove(object, recordNo);
    if (object === 'APBILL') this.refreshVendorDue(text(record.fields, 'VENDORID') ?? '');
    return record;
  }

  // ------------------------------------------------------------ behind the API (admin)

  /**
   * Sets fields as given, bypassing every rule: `fields` by dotted path
   * (`NAME`, `DISPLAYCONTACT.EMAIL1`); a vendor's or customer's display
   * contact fields go to its CONTACT record. `WHENMODIFIED` as
   * `mm/dd/yyyy HH:MM:SS` moves the modification time; otherwise `touch`
   * moves it to now.
   */
  patch(object: ObjectName, recordNo: number, fields: Record<string, string>, touch: boolean): StoredRecord | undefined {
    let record = this.store.get(object, recordNo);
    if (!record) return undefined;
    const now = this.now();
    let own: Fields = record.fields;
    let modifiedMs = touch ? now : record.modifiedMs;
    for (const [path, value] of Object.entries(fields)) {
      if (path === 'WHENMODIFIED') {
        const ms = parseIntacctDate(value);
        if (ms !== undefined) modifiedMs = ms;
        continue;
      }
      if (path === 'RECORDNO') continue;
      const parts = path.split('.');
      const display = group(own, 'DISPLAYCONTACT');
      if ((object === 'VENDOR' || object === 'CUSTOMER') && parts[0] === 'DISPLAYCONTACT' && parts.length > 1 && parts[1] !== 'CONTACTNAME' && display) {
        const contact = this.store.byId('CONTACT', String(display['CONTACTNAME']));
        if (contact) this.store.put({ ...contact, fields: setPath(contact.fields, parts.slice(1), value), modifiedMs: touch ? now : contact.modifiedMs });
        continue;
      }
      own = setPath(own, parts, value);
    }
    record = { ...record, fields: own, modifiedMs };
    this.store.put(record);
    return record;
  }
}

function setPath(fields: Fields, parts: string[], value: string): Fields {
  const [head, ...rest] = parts;
  if (head === undefined) return fields;
  if (rest.length === 0) return { ...fields, [head]: value };
  const inner = fields[head];
  return { ...fields, [head]: setPath(typeof inner === 'object' && !Array.isArray(inner) ? inner : {}, rest, value) };
}
