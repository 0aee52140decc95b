/**
 * Sage Intacct's XML gateway as zod schemas and constants, written from
 * reference/intacct.md (§2 request envelope, §3 response envelope, §4
 * sessions, §5 functions and objects, §6 uniqueid, §7 illegal characters,
 * §8 errors and limits). The client parses what the gateway answers with
 * them; the sandbox types its stored records and builds its answers by them.
 *
 * Everything here describes the PARSED form that `xml.ts` produces: element
 * text stays a string (ids such as "00012" and amounts are never
 * reinterpreted), an empty element is `''`, attributes carry the `@_`
 * prefix, and a repeated element is one object or an array (the schemas
 * below normalise those to arrays). Record schemas are loose, since a
 * company carries many more fields (custom fields included) than we name.
 * With fields `*` groups come nested (`DISPLAYCONTACT.MAILADDRESS.CITY` as
 * nested elements); a dotted field named in a field list or a query select
 * comes back as one flat element named by its path (`DISPLAYCONTACT.EMAIL1`).
 */
import { z } from 'zod';

// ---------------------------------------------------------------- gateway constants (§1, §2, §8)

/** §1: the one gateway path; a session's endpoint (§4) ends in it too. */
export const GATEWAY_PATH = '/ia/xml/xmlgw.phtml';
/** §1: the production login endpoint. */
export const DEFAULT_ENDPOINT_URL = `https://api.intacct.com${GATEWAY_PATH}`;
/** §2: generic (3.0) functions need dtdversion 3.0. */
export const DTD_VERSION = '3.0';
/** §2: control ids (request and function) are 1..256 characters. */
export const CONTROL_ID_MAX_LENGTH = 256;

/** §5.1: readByQuery pages are 1..1000 records, 100 by default. */
export const READ_BY_QUERY_DEFAULT_PAGESIZE = 100;
export const READ_BY_QUERY_MAX_PAGESIZE = 1000;
/** §5.2: query pages are 1..2000 records, 100 by default. */
export const QUERY_DEFAULT_PAGESIZE = 100;
export const QUERY_MAX_PAGESIZE = 2000;
/** §5.3: the SDK caps `read` at 100 keys. */
export const READ_MAX_KEYS = 100;

/** §3, §4, §7, §8: error numbers the client classifies and the sandbox answers with. */
export const ERROR_NUMBERS = {
  /** §7: the request is not well-formed or not valid (control failure). */
  xmlParse: 'XL03000003',
  /** §2, §4: sender not authorized for the company; also an invalid or expired session (UNCERTAIN for sessions). */
  invalidAuthorization: 'XL03000006',
  /** §3: "Sign-in information is incorrect" (bad user, company or password). */
  signInIncorrect: 'XMLGW_JPP0002',
  /** §8: throttled (HTTP 429). */
  tooManyRequests: 'GW-0010',
  /** §8: gateway "Invalid Request". */
  invalidRequest: 'GW-0011',
  /** §3: a business-logic duplicate ("Duplicate account number"); the sandbox uses it for any duplicate id. */
  duplicateKey: 'BL01001973',
  /**
   * §6: a function whose controlid already completed under uniqueid=true. The
   * real number is not documented: this is the sandbox's placeholder, and the
   * client must not rely on it (match on the result being a failure instead).
   */
  duplicateFunction: 'XL03000009',
} as const;

// ---------------------------------------------------------------- objects (§5.5, §5.6)

/** The objects ml-connector reads and writes through the generic functions. */
export const OBJECT_NAMES = ['VENDOR', 'CUSTOMER', 'CONTACT', 'CLASS', 'APBILL'] as const;
export type ObjectName = (typeof OBJECT_NAMES)[number];

/** §5.3, §5.5: each object's unique id field (readByName's keys; update may name the record by it). */
export const ID_FIELDS: Record<ObjectName, string> = {
  VENDOR: 'VENDORID',
  CUSTOMER: 'CUSTOMERID',
  CONTACT: 'CONTACTNAME',
  CLASS: 'CLASSID',
  APBILL: 'RECORDID',
};

/** §5: the generic functions (3.0) besides getAPISession. */
export const FUNCTION_NAMES = [
  'getAPISession',
  'readByQuery',
  'readMore',
  'query',
  'read',
  'readByName',
  'create',
  'update',
  'delete',
  'getDimensions',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** §5.2: the `query` function's comparison operators. */
export const QUERY_OPERATORS = [
  'equalto',
  'notequalto',
  'lessthan',
  'lessthanorequalto',
  'greaterthan',
  'greaterthanorequalto',
  'isnull',
  'isnotnull',
  'in',
  'notin',
  'like',
  'notlike',
  'between',
] as const;
export type QueryOperator = (typeof QUERY_OPERATORS)[number];

export const STATUSES = ['active', 'inactive'] as const;

/** §5.5: APBILL STATE display values (readByQuery/query return these; `query` filters may use the codes). */
export const BILL_STATES = ['Draft', 'Submitted', 'Partially Approved', 'Declined', 'Posted', 'Partially Paid', 'Paid', 'Reversed'] as const;
export type BillState = (typeof BILL_STATES)[number];
/** §5.5: STATE query codes. */
export const BILL_STATE_CODES: Record<string, BillState> = { D: 'Draft', PA: 'Partially Approved', S: 'Submitted', U: 'Declined', A: 'Posted' };

// ---------------------------------------------------------------- values

/** An element that may be absent or empty. */
const Text = z.string().optional();

/** §1: generic functions' dates, `mm/dd/yyyy`. */
export const IntacctDate = z
  .string()
  .regex(/^\d{2}\/\d{2}\/\d{4}$/)
  .describe('A date as mm/dd/yyyy.');

/** §1: date-times, `mm/dd/yyyy HH:MM:SS`. */
export const IntacctDateTime = z
  .string()
  .regex(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/)
  .describe('A date-time as mm/dd/yyyy HH:MM:SS (the company’s time zone).');

/** §5.5: RECORDNO, an integer sent as text. */
export const RecordNo = z
  .string()
  .regex(/^\d+$/)
  .describe('The record’s RECORDNO: an integer as text.');

const Amount = z
  .string()
  .regex(/^-?\d+(\.\d+)?$|^$/)
  .optional()
  .describe('A currency amount as text, at most two decimals (§5.4).');

/** One element or several, as an array (the parser gives one as an object). */
export function oneOrMany<S extends z.ZodType>(item: S) {
  return z.union([z.array(item), item, z.literal('')]).transform((value): z.output<S>[] => {
    if (value === '') return [];
    return Array.isArray(value) ? (value as z.output<S>[]) : [value as z.output<S>];
  });
}

/** A nested element that may come as an empty element (`''`), read as absent. */
function nested<S extends z.ZodType>(schema: S) {
  return z
    .union([z.literal(''), schema])
    .optional()
    .transform((value): z.output<S> | undefined => (value === '' || value === undefined ? undefined : (value as z.output<S>)));
}

// ---------------------------------------------------------------- records (§5.5)

export const MailAddress = z.looseObject({
  ADDRESS1: Text,
  ADDRESS2: Text,
  CITY: Text,
  STATE: Text,
  ZIP: Text,
  COUNTRY: Text,
  COUNTRYCODE: Text,
});
export type MailAddress = z.infer<typeof MailAddress>;

/** A vendor's or customer's DISPLAYCONTACT: the CONTACT record it names, inlined. */
export const DisplayContact = z.looseObject({
  CONTACTNAME: Text.describe('The CONTACT record’s unique name.'),
  PRINTAS: Text.describe('Required on create.'),
  COMPANYNAME: Text,
  FIRSTNAME: Text,
  LASTNAME: Text,
  EMAIL1: Text,
  EMAIL2: Text,
  PHONE1: Text,
  MAILADDRESS: nested(MailAddress),
});
export type DisplayContact = z.infer<typeof DisplayContact>;

/** What every record carries. */
const systemFields = {
  RECORDNO: RecordNo,
  WHENCREATED: Text.describe('mm/dd/yyyy HH:MM:SS; on APBILL the transaction date (mm/dd/yyyy).'),
  WHENMODIFIED: IntacctDateTime.optional(),
};

export const Vendor = z.looseObject({
  ...systemFields,
  VENDORID: z.string().describe('The vendor’s unique id.'),
  NAME: Text,
  STATUS: Text.describe(`${STATUSES.join(' or ')}.`),
  TERMNAME: Text,
  TOTALDUE: Amount,
  ONETIME: Text.describe('true or false.'),
  DISPLAYCONTACT: nested(DisplayContact),
});
export type Vendor = z.infer<typeof Vendor>;

export const Customer = z.looseObject({
  ...systemFields,
  CUSTOMERID: z.string().describe('The customer’s unique id.'),
  NAME: Text,
  STATUS: Text,
  TERMNAME: Text,
  TOTALDUE: Amount,
  CURRENCY: Text,
  PARENTID: Text,
  DISPLAYCONTACT: nested(DisplayContact),
});
export type Customer = z.infer<typeof Customer>;

export const Contact = z.looseObject({
  ...systemFields,
  CONTACTNAME: z.string().describe('The contact’s unique name (contacts are shared across the company).'),
  PRINTAS: Text,
  COMPANYNAME: Text,
  FIRSTNAME: Text,
  LASTNAME: Text,
  EMAIL1: Text,
  EMAIL2: Text,
  PHONE1: Text,
  STATUS: Text,
  MAILADDRESS: nested(MailAddress),
});
export type Contact = z.infer<typeof Contact>;

/** §5.6: a standard dimension object. */
export const ClassRecord = z.looseObject({
  ...systemFields,
  CLASSID: z.string(),
  NAME: Text,
  DESCRIPTION: Text,
  STATUS: Text,
  PARENTID: Text,
});
export type ClassRecord = z.infer<typeof ClassRecord>;

export const ApBillItem = z.looseObject({
  RECORDNO: RecordNo.optional(),
  LINE_NO: Text,
  ACCOUNTNO: Text,
  ACCOUNTLABEL: Text,
  TRX_AMOUNT: Amount,
  ENTRYDESCRIPTION: Text,
  CLASSID: Text,
  DEPARTMENTID: Text,
  LOCATIONID: Text,
  PROJECTID: Text,
  VENDORID: Text,
  CUSTOMERID: Text,
});
export type ApBillItem = z.infer<typeof ApBillItem>;

export const ApBill = z.looseObject({
  ...systemFields,
  RECORDID: Text.describe('The bill number.'),
  VENDORID: z.string(),
  VENDORNAME: Text,
  WHENPOSTED: Text.describe('mm/dd/yyyy.'),
  WHENDUE: Text.describe('mm/dd/yyyy.'),
  WHENPAID: Text,
  DOCNUMBER: Text.describe('The vendor’s reference.'),
  DESCRIPTION: Text,
  TERMNAME: Text,
  STATE: Text.describe(`One of ${BILL_STATES.join(', ')}.`),
  TOTALENTERED: Amount,
  TOTALDUE: Amount,
  TOTALPAID: Amount,
  CURRENCY: Text,
  BASECURR: Text,
  MODULEKEY: Text,
  APBILLITEMS: nested(z.looseObject({ APBILLITEM: oneOrMany(ApBillItem) })).describe('The lines: only from `read` (reference §5.5).'),
});
export type ApBill = z.infer<typeof ApBill>;

/** Each object's record schema, by object name. */
export const RECORD_SCHEMAS = {
  VENDOR: Vendor,
  CUSTOMER: Customer,
  CONTACT: Contact,
  CLASS: ClassRecord,
  APBILL: ApBill,
} as const satisfies Record<ObjectName, z.ZodType>;

/** §5.6: one entry of `getDimensions`. */
export const Dimension = z.looseObject({
  objectName: z.string(),
  objectLabel: Text,
  termLabel: Text,
  userDefinedDimension: Text.describe('true or false.'),
  enabledInGL: Text.describe('true or false.'),
});
export type Dimension = z.infer<typeof Dimension>;

// ---------------------------------------------------------------- response envelope (§3)

/** §3: one `<error>` of an `<errormessage>`; any part may be empty. */
export const ErrorDetail = z.looseObject({
  errorno: Text,
  description: Text,
  description2: Text,
  correction: Text,
});
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorMessage = z.looseObject({ error: oneOrMany(ErrorDetail) });
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const ResponseControl = z.looseObject({
  status: z.enum(['success', 'failure']),
  senderid: Text,
  controlid: Text,
  uniqueid: Text,
  dtdversion: Text,
});
export type ResponseControl = z.infer<typeof ResponseControl>;

export const AuthenticationBlock = z.looseObject({
  status: z.enum(['success', 'failure']),
  userid: Text,
  companyid: Text,
  locationid: Text,
  sessiontimestamp: Text.describe('ISO 8601 with an offset: when this call was authenticated.'),
  sessiontimeout: Text.describe('ISO 8601 with an offset: when the session expires unless used again (§4).'),
});
export type AuthenticationBlock = z.infer<typeof AuthenticationBlock>;

/** §3: the attributes of a result's `<data>` (absent ones are undefined). */
export const DataAttributes = z.looseObject({
  '@_listtype': Text,
  '@_count': Text,
  '@_totalcount': Text,
  '@_numremaining': Text,
  '@_resultId': Text,
  '@_offset': Text,
});
export type DataAttributes = z.infer<typeof DataAttributes>;

/** §3: result statuses; `aborted` for a function a failed transaction rolled back (UNCERTAIN). */
export const RESULT_STATUSES = ['success', 'failure', 'aborted'] as const;

export const ResultBlock = z.looseObject({
  status: z.enum(RESULT_STATUSES),
  function: Text,
  controlid: Text,
  data: z.union([z.literal(''), z.record(z.string(), z.unknown())]).optional().describe('Records by lowercase (readByQuery, create) or uppercase (query) object element, and the paging attributes.'),
  key: Text.describe('Legacy create_* functions answer a key instead of data.'),
  errormessage: nested(ErrorMessage),
});
export type ResultBlock = z.infer<typeof ResultBlock>;

export const Operation = z.looseObject({
  authentication: AuthenticationBlock,
  result: oneOrMany(ResultBlock).optional(),
  errormessage: nested(ErrorMessage),
});
export type Operation = z.infer<typeof Operation>;

/** §3: the whole response document (`parseXml(body).response`). */
export const ResponseEnvelope = z.looseObject({
  control: ResponseControl,
  errormessage: nested(ErrorMessage).describe('Only on a control failure, beside control.'),
  operation: nested(Operation).describe('Absent on a control failure.'),
});
export type ResponseEnvelope = z.infer<typeof ResponseEnvelope>;

/** §4: getAPISession's data. */
export const ApiSession = z.looseObject({
  api: z.looseObject({
    sessionid: z.string().min(1),
    endpoint: z.string().min(1).describe('The URL later calls with this session must go to.'),
    locationid: Text,
  }),
});
export type ApiSession = z.infer<typeof ApiSession>;

/** §5.1: how long a readByQuery resultId stays usable without readMore (UNCERTAIN: ~1 hour of inactivity). */
export const RESULT_ID_IDLE_LIFETIME_MS = 60 * 60_000;
/** §4: a session's default lifetime, slid forward by every call (examples show 2 h and 24 h; the company sets it). */
export const DEFAULT_SESSION_DURATION_MS = 2 * 60 * 60_000;
