/**
 * Contacts and contact persons (reference/zohobooks.md §6.1, §6.2): lists
 * with their filters, the full contact with its persons embedded, and
 * create / update (PUT) / delete. A change to a person also moves its
 * contact's `last_modified_time`, so that an incremental read of contacts
 * sees it (our choice: Zoho does not say).
 */
import type { Hono } from 'hono';
import {
  ContactCreate,
  ContactPersonCreate,
  ContactPersonUpdate,
  ContactUpdate,
  type ContactPersonInline,
  type ContactSummary,
} from '../../systems/zohobooks/schemas.ts';
import { termsLabel, type ContactBody, type ContactPersonBody } from './seed.ts';
import type { ZohoBooksData } from './data.ts';
import { doesNotExist, invalidField, invalidParam, refused, sendJson } from './errors.ts';
import { listRecords, readListParams, textFilters, type ResourceListSpec } from './listing.ts';
import { readBody } from './request-body.ts';
import type { StoredRecord } from './virtual-collection.ts';

/** Deliberately simple: one @, something on both sides, a dot in the domain. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const CONTACT_FILTERS: Record<string, (c: StoredRecord<ContactBody>) => boolean> = {
  'Status.All': () => true,
  'Status.Active': (c) => c.body.status === 'active',
  'Status.Inactive': (c) => c.body.status === 'inactive',
  'Status.Duplicate': () => false,
  'Status.Crm': (c) => c.body.is_linked_with_zohocrm === true,
};

export function registerContactRoutes(app: Hono, base: string, data: ZohoBooksData): void {
  const contactList: ResourceListSpec<ContactBody, ContactSummary> = {
    sortColumns: {
      contact_name: { value: (c) => c.contact_name },
      first_name: { value: (c) => c.first_name ?? '' },
      last_name: { value: (c) => c.last_name ?? '' },
      email: { value: (c) => c.email ?? '' },
      outstanding_receivable_amount: { value: (c) => c.outstanding_receivable_amount ?? 0 },
      created_time: {},
      last_modified_time: {},
    },
    defaultSort: { column: 'contact_name', order: 'A' },
    render: (record) => data.renderContactSummary(record),
  };

  const getContact = (id: string) => {
    const record = data.contacts.get(id);
    if (!record) throw doesNotExist('Contact');
    return record;
  };
  const getPerson = (id: string) => {
    const record = data.persons.get(id);
    if (!record) throw doesNotExist('Contact person');
    return record;
  };
  const touchContact = (contactId: string) => {
    const contact = data.contacts.get(contactId);
    if (contact) data.touch(data.contacts, contact, contact.body);
  };

  app.get(`${base}/contacts`, (c) => {
    const query = c.req.query();
    const params = readListParams(query, contactList);
    // Large sets can't be sorted by name in memory: without an explicit sort they come by creation time.
    if (!params.explicitSort && data.contacts.size > 50_000) Object.assign(params, { sortColumn: 'created_time', sortOrder: 'D' });
    const filterBy = query.filter_by ?? 'Status.All';
    const statusFilter = CONTACT_FILTERS[filterBy];
    if (!statusFilter) throw invalidParam('filter_by');
    const type = query.contact_type;
    if (type !== undefined && type !== '' && type !== 'customer' && type !== 'vendor') throw invalidParam('contact_type');
    const primary = (record: StoredRecord<ContactBody>) => data.personsOf(record.id).find((p) => p.body.is_primary_contact)?.body;
    const text = textFilters<StoredRecord<ContactBody>>(query, {
      contact_name: (r) => r.body.contact_name,
      company_name: (r) => r.body.company_name,
      first_name: (r) => primary(r)?.first_name ?? '',
      last_name: (r) => primary(r)?.last_name ?? '',
      email: (r) => primary(r)?.email ?? '',
      phone: (r) => primary(r)?.phone ?? '',
    });
    const search = query.search_text?.toLowerCase();
    const result = listRecords(data.contacts, contactList, {
      ...params,
      appliedFilter: filterBy,
      predicate: (record) =>
        statusFilter(record) &&
        (!type || record.body.contact_type === type) &&
        text.every((test) => test(record)) &&
        (!search || `${record.body.contact_name} ${record.body.company_name}`.toLowerCase().includes(search)),
    });
    return sendJson(c, 200, { code: 0, message: 'success', contacts: result.items, page_context: result.pageContext });
  });

  app.post(`${base}/contacts`, async (c) => {
    const input = await readBody(c, ContactCreate);
    const id = data.newId('contacts');
    const now = data.now();
    const currency = currencyOf(data, input.currency_id);
    const terms = input.payment_terms ?? 0;
    const body: ContactBody = {
      contact_id: id,
      contact_name: input.contact_name,
      company_name: input.company_name ?? '',
      contact_type: input.contact_type ?? 'customer',
      customer_sub_type: input.customer_sub_type ?? 'business',
      status: 'active',
      payment_terms: terms,
      payment_terms_label: input.payment_terms_label ?? termsLabel(terms),
      currency_id: currency.id,
      currency_code: currency.code,
      website: input.website ?? '',
      credit_limit: input.credit_limit ?? 0,
      notes: input.notes ?? '',
      billing_address: input.billing_address ?? {},
      shipping_address: input.shipping_address ?? {},
      custom_fields: input.custom_fields ?? [],
      is_linked_with_zohocrm: false,
    };
    for (const person of input.contact_persons ?? []) checkEmail(person.email);
    data.contacts.put({ id, createdMs: now, modifiedMs: now, body });
    replacePersons(data, id, input.contact_persons ?? [], now);
    return sendJson(c, 201, { code: 0, message: 'The contact has been added.', contact: data.renderContact(getContact(id)) });
  });

  app.get(`${base}/contacts/:contact_id{[0-9]+}`, (c) => {
    const record = getContact(c.req.param('contact_id'));
    return sendJson(c, 200, { code: 0, message: 'success', contact: data.renderContact(record) });
  });

  app.put(`${base}/contacts/:contact_id{[0-9]+}`, async (c) => {
    const record = getContact(c.req.param('contact_id'));
    const input = await readBody(c, ContactUpdate);
    const { contact_persons: persons, currency_id: currencyId, ...fields } = input;
    for (const person of persons ?? []) checkEmail(person.email);
    const body: ContactBody = { ...structuredClone(record.body), ...stripUndefined(fields) };
    if (currencyId !== undefined) {
      const currency = currencyOf(data, currencyId);
      Object.assign(body, { currency_id: currency.id, currency_code: currency.code });
    }
    if (input.payment_terms !== undefined && input.payment_terms_label === undefined) body.payment_terms_label = termsLabel(input.payment_terms);
    const now = data.now();
    data.touch(data.contacts, record, body, now);
    if (persons !== undefined) replacePersons(data, record.id, persons, now);
    // §6.1: the update message.
    return sendJson(c, 200, { code: 0, message: 'Contact has been updated successfully', contact: data.renderContact(getContact(record.id)) });
  });

  app.delete(`${base}/contacts/:contact_id{[0-9]+}`, (c) => {
    const record = getContact(c.req.param('contact_id'));
    if (data.invoicesOf(record.id).length > 0 || data.paymentsOfCustomer(record.id).length > 0) {
      throw refused('The contact cannot be deleted as it has transactions.');
    }
    for (const person of data.personsOf(record.id)) data.persons.delete(person.id);
    data.contacts.delete(record.id);
    return sendJson(c, 200, { code: 0, message: 'The contact has been deleted.' });
  });

  // ---------------------------------------------------------------- contact persons (§6.2)

  app.get(`${base}/contacts/:contact_id{[0-9]+}/contactpersons`, (c) => {
    const contact = getContact(c.req.param('contact_id'));
    const query = c.req.query();
    const page = query.page === undefined ? 1 : Number(query.page);
    const perPage = Math.min(query.per_page === undefined ? 200 : Number(query.per_page), 200);
    if (!Number.isInteger(page) || page < 1) throw invalidParam('page');
    if (!Number.isInteger(perPage) || perPage < 1) throw invalidParam('per_page');
    const persons = data.personsOf(contact.id).sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = persons.slice((page - 1) * perPage, page * perPage).map((p) => data.renderPerson(p));
    return sendJson(c, 200, {
      code: 0,
      message: 'success',
      contact_persons: items,
      page_context: { page, per_page: perPage, has_more_page: persons.length > page * perPage, sort_column: 'contact_person_id', sort_order: 'A' },
    });
  });

  app.get(`${base}/contacts/:contact_id{[0-9]+}/contactpersons/:person_id{[0-9]+}`, (c) => {
    const contact = getContact(c.req.param('contact_id'));
    const person = getPerson(c.req.param('person_id'));
    if (person.body.contact_id !== contact.id) throw doesNotExist('Contact person');
    return sendJson(c, 200, { code: 0, message: 'success', contact_person: data.renderPerson(person) });
  });

  app.post(`${base}/contacts/contactpersons`, async (c) => {
    const input = await readBody(c, ContactPersonCreate);
    const contact = getContact(input.contact_id);
    checkEmail(input.email);
    const now = data.now();
    const siblings = data.personsOf(contact.id);
    const primary = input.is_primary_contact === true || siblings.length === 0;
    if (primary) clearPrimary(data, siblings, now);
    const id = data.newId('contactpersons');
    const { contact_id: _contact, ...fields } = input;
    const body: ContactPersonBody = { ...emptyPerson(id, contact.id), ...stripUndefined(fields), is_primary_contact: primary };
    data.persons.put({ id, createdMs: now, modifiedMs: now, body });
    touchContact(contact.id);
    return sendJson(c, 201, { code: 0, message: "Contact person's information has been saved.", contact_person: data.renderPerson(getPerson(id)) });
  });

  app.put(`${base}/contacts/contactpersons/:person_id{[0-9]+}`, async (c) => {
    const person = getPerson(c.req.param('person_id'));
    const input = await readBody(c, ContactPersonUpdate);
    checkEmail(input.email);
    const now = data.now();
    if (input.is_primary_contact === true) clearPrimary(data, data.personsOf(person.body.contact_id).filter((p) => p.id !== person.id), now);
    // The primary person stays primary until another one is made primary.
    const body: ContactPersonBody = { ...structuredClone(person.body), ...stripUndefined(input), is_primary_contact: person.body.is_primary_contact || input.is_primary_contact === true };
    data.touch(data.persons, person, body, now);
    touchContact(person.body.contact_id);
    return sendJson(c, 200, { code: 0, message: 'The contactperson details has been updated.', contact_person: data.renderPerson(getPerson(person.id)) });
  });

  app.delete(`${base}/contacts/contactpersons/:person_id{[0-9]+}`, (c) => {
    const person = getPerson(c.req.param('person_id'));
    data.persons.delete(person.id);
    const now = data.now();
    if (person.body.is_primary_contact) {
      const next = data.personsOf(person.body.contact_id).sort((a, b) => (a.id < b.id ? -1 : 1))[0];
      if (next) data.touch(data.persons, next, { ...next.body, is_primary_contact: true }, now);
    }
    touchContact(person.body.contact_id);
    return sendJson(c, 200, { code: 0, message: 'The contact person has been deleted.' });
  });

  app.post(`${base}/contacts/contactpersons/:person_id{[0-9]+}/primary`, (c) => {
    const person = getPerson(c.req.param('person_id'));
    const now = data.now();
    clearPrimary(data, data.personsOf(person.body.contact_id).filter((p) => p.id !== person.id), now);
    data.touch(data.persons, person, { ...person.body, is_primary_contact: true }, now);
    touchContact(person.body.contact_id);
    return sendJson(c, 200, { code: 0, message: 'This contact person has been marked as your primary contact person.' });
  });
}

function currencyOf(data: ZohoBooksData, currencyId: string | undefined) {
  if (currencyId === undefined) return data.seed.currencies[0]!;
  const currency = data.seed.currencyById(currencyId);
  if (!currency) throw invalidField('currency_id');
  return currency;
}

function checkEmail(email: string | undefined): void {
  if (email !== undefined && email !== '' && !EMAIL.test(email)) throw invalidField('email', 'not a valid email address');
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function emptyPerson(id: string, contactId: string): ContactPersonBody {
  return {
    contact_person_id: id,
    contact_id: contactId,
    salutation: '',
    first_name: '',
    last_name: '',
    email: '',
    phone: '',
    mobile: '',
    designation: '',
    department: '',
    skype: '',
    is_primary_contact: false,
    enable_portal: false,
  };
}

function clearPrimary(data: ZohoBooksData, persons: Array<StoredRecord<ContactPersonBody>>, now: number): void {
  for (const person of persons) {
    if (person.body.is_primary_contact) data.touch(data.persons, person, { ...person.body, is_primary_contact: false }, now);
  }
}

/**
 * §6.1: a contact write's `contact_persons` is the whole list: listed ones
 * with an id are updated, new ones created, the rest deleted. The first
 * person is primary unless another says so.
 */
function replacePersons(data: ZohoBooksData, contactId: string, persons: ContactPersonInline[], now: number): void {
  const existing = new Map(data.personsOf(contactId).map((p) => [p.id, p]));
  const keep = new Set<string>();
  const primaryIndex = Math.max(0, persons.findIndex((p) => p.is_primary_contact === true));
  persons.forEach((input, n) => {
    const { contact_person_id: personId, ...fields } = input;
    const current = personId === undefined ? undefined : existing.get(personId);
    if (personId !== undefined && !current) throw invalidField(`contact_persons.${n}.contact_person_id`, 'no such contact person on this contact');
    const id = current?.id ?? data.newId('contactpersons');
    keep.add(id);
    const body: ContactPersonBody = {
      ...(current ? structuredClone(current.body) : emptyPerson(id, contactId)),
      ...stripUndefined(fields),
      is_primary_contact: n === primaryIndex,
    };
    data.persons.put({ id, createdMs: current?.createdMs ?? now, modifiedMs: now, body });
  });
  for (const [id] of existing) if (!keep.has(id)) data.persons.delete(id);
}
