/**
 * The Intacct sandbox's failures at each of the gateway's three levels
 * (reference/intacct.md §3): control (the whole request), authentication
 * (the operation) and one function's result. Each carries `<error>` entries
 * of errorno, description, description2 and correction.
 *
 * The numbers the reference documents come from `ERROR_NUMBERS`; the others
 * below are the sandbox's own placeholders, listed in known-deviations.md.
 */
import { ERROR_NUMBERS } from '../../systems/intacct/schemas.ts';

export interface ErrorEntry {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

export function errorEntry(errorno: string, description: string, description2 = '', correction = ''): ErrorEntry {
  return { errorno, description, description2, correction };
}

/** Placeholder numbers for function failures the reference gives no number for (known-deviations.md). */
export const SANDBOX_ERROR_NUMBERS = {
  /** A function's own arguments are wrong: unknown object or field, bad keys, page size, resultId. */
  invalidRequest: 'DL02000001',
  /** §8: a readByQuery/query whose query could not be run ("free-text errornos like Query Failed"). */
  queryFailed: 'Query Failed',
  /** A record's content is refused: a required field missing, a bad value, an unknown reference. */
  invalidRecord: 'BL34000061',
  /** The record a write names does not exist. */
  notFound: 'BL34000100',
  /** A function rolled back with its transaction (status `aborted`). */
  rolledBack: 'XL03000009',
} as const;

/** One function failed; the others in the request still run unless the operation is a transaction. */
export class FunctionFailure extends Error {
  constructor(readonly errors: ErrorEntry[]) {
    super(errors.map((e) => e.description2 || e.description).join('; '));
    this.name = 'FunctionFailure';
  }
}

export function functionFailure(errorno: string, description: string, description2 = '', correction = ''): FunctionFailure {
  return new FunctionFailure([errorEntry(errorno, description, description2, correction)]);
}

export const invalidRequest = (description2: string, correction = '') =>
  functionFailure(SANDBOX_ERROR_NUMBERS.invalidRequest, 'There was an error processing the request.', description2, correction);

export const invalidRecord = (description2: string, correction = '') =>
  functionFailure(SANDBOX_ERROR_NUMBERS.invalidRecord, 'Could not create or update the record.', description2, correction);

export const queryFailed = (description2: string) =>
  functionFailure(SANDBOX_ERROR_NUMBERS.queryFailed, 'Query Failed', description2, 'Check the query: its fields, operators and quoting.');

export const notFound = (description2: string) => functionFailure(SANDBOX_ERROR_NUMBERS.notFound, 'Record not found', description2);

/** §3: a duplicate of a unique id, like BL01001973 "Duplicate account number". */
export const duplicateKey = (objectName: string, field: string, value: string) =>
  functionFailure(
    ERROR_NUMBERS.duplicateKey,
    `Another ${objectName} with the given value(s) already exists`,
    `A ${objectName} with ${field} "${value}" already exists.`,
    `Use a unique ${field}.`,
  );

/** The whole request failed at control level: `<control><status>failure</status>` and a top-level errormessage. */
export class ControlFailure extends Error {
  constructor(
    readonly errors: ErrorEntry[],
    /** HTTP status of the answer (200 for most control failures). */
    readonly httpStatus = 200,
  ) {
    super(errors.map((e) => e.description2 || e.description).join('; '));
    this.name = 'ControlFailure';
  }
}

/** §7: not well-formed, a forbidden character, a DTD, or an envelope the 3.0 schema refuses. */
export const xmlParseFailure = (description2: string) =>
  new ControlFailure([errorEntry(ERROR_NUMBERS.xmlParse, 'XML Parse schema error', description2, 'Send a well-formed request that follows the 3.0 schema.')]);

/** The operation's authentication failed: `<authentication><status>failure</status>` and an errormessage. */
export class AuthFailure extends Error {
  constructor(readonly errors: ErrorEntry[]) {
    super(errors.map((e) => e.description2 || e.description).join('; '));
    this.name = 'AuthFailure';
  }
}
