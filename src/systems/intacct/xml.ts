/**
 * XML as the Intacct gateway speaks it (reference/intacct.md §2, §3, §7),
 * shared by the client and the sandbox: one builder and one parser, both
 * fast-xml-parser, so no XML is ever put together from strings.
 *
 * Parsing is safe by refusal: a document with a DOCTYPE or an entity
 * declaration is rejected before the parser sees it (no external entities,
 * no entity expansion), and so is one carrying a character XML 1.0 forbids,
 * raw or as a character reference.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/** Characters XML 1.0 does not allow anywhere (§7): C0 controls but tab, LF and CR; U+FFFE/U+FFFF; lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export type XmlProblem =
  | { code: 'doctype'; message: string }
  | { code: 'forbidden_character'; message: string; offset: number }
  | { code: 'not_well_formed'; message: string; line?: number };

function isForbiddenCodePoint(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0xfffe ||
    code === 0xffff ||
    code > 0x10ffff
  );
}

/** What is wrong with a document before it is parsed, if anything. */
export function xmlProblem(text: string): XmlProblem | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    return { code: 'doctype', message: 'DOCTYPE and entity declarations are not accepted' };
  }
  FORBIDDEN_XML_CHARS.lastIndex = 0;
  const raw = FORBIDDEN_XML_CHARS.exec(text);
  if (raw) {
    return {
      code: 'forbidden_character',
      message: `character U+${raw[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at offset ${raw.index} is not allowed in XML 1.0`,
      offset: raw.index,
    };
  }
  for (const reference of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const value = reference[1]!;
    const code = value.startsWith('x') ? Number.parseInt(value.slice(1), 16) : Number.parseInt(value, 10);
    if (isForbiddenCodePoint(code)) {
      return { code: 'forbidden_character', message: `character reference ${reference[0]} at offset ${reference.index} names a character XML 1.0 does not allow`, offset: reference.index };
    }
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { code: 'not_well_formed', message: valid.err.msg, line: valid.err.line };
  return undefined;
}

export class XmlError extends Error {
  constructor(readonly problem: XmlProblem) {
    super(problem.message);
    this.name = 'XmlError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Values stay strings: Intacct's ids ("00012") and amounts must not be reinterpreted.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
});

/** Parses a document that passed `xmlProblem`; throws an `XmlError` naming what is wrong otherwise. */
export function parseXml(text: string): Record<string, unknown> {
  const problem = xmlProblem(text);
  if (problem) throw new XmlError(problem);
  return parser.parse(text) as Record<string, unknown>;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: false,
  suppressEmptyNode: false,
  // An attribute whose value is "true" (`transaction="true"`) keeps its value: XML has no boolean attributes.
  suppressBooleanAttributes: false,
  processEntities: true,
});

/** Builds a document (with the XML declaration) from a plain object; text is escaped by the builder. */
export function buildXml(root: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(root) as string}`;
}

/** `value` as an array: the parser gives one child as an object and several as an array. */
export function asArray<T>(value: T | T[] | undefined | null | ''): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** Removes the characters XML 1.0 forbids, saying how many went (§7: strip before sending). */
export function stripForbidden(value: string): { value: string; removed: number } {
  let removed = 0;
  const cleaned = value.replace(FORBIDDEN_XML_CHARS, () => {
    removed++;
    return '';
  });
  return { value: cleaned, removed };
}
