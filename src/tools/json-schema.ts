/**
 * A tool's input as the JSON Schema agents see, derived from its zod schema
 * with zod's own `z.toJSONSchema`, in the shape OpenAI's strict tool format
 * (structured outputs) accepts — which every other consumer (MCP, LangChain,
 * the Vercel AI SDK) accepts too:
 * - every object lists all its properties as required, and optional ones are
 *   nullable (an agent sends null for "not given");
 * - every object has `additionalProperties: false`;
 * - only the keywords strict mode supports appear. Length bounds are dropped
 *   from what is published (zod still enforces them when the tool runs).
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** Keywords OpenAI's strict mode supports (its structured-outputs guide). */
const SUPPORTED_KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', 'description', 'title',
  '$defs', '$ref', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minItems', 'maxItems',
]);

/** Validation-only keywords strict mode refuses; the server's zod schema still applies them. */
const DROPPED_KEYWORDS = new Set(['$schema', 'minLength', 'maxLength']);

/** Formats strict mode supports for strings. */
const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);

function isNullable(schema: JsonSchema): boolean {
  if (schema.type === 'null') return true;
  if (Array.isArray(schema.type) && schema.type.includes('null')) return true;
  return Array.isArray(schema.anyOf) && (schema.anyOf as JsonSchema[]).some(isNullable);
}

function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (node === null || typeof node !== 'object') return node;
  const schema: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    schema[key] = key === 'properties' || key === '$defs' ? mapValues(value as Record<string, unknown>, strictify) : strictify(value);
  }
  if (schema.type === 'object' || schema.properties !== undefined) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      if (!required.has(name) && !isNullable(property)) properties[name] = { anyOf: [property, { type: 'null' }] };
    }
    schema.properties = properties;
    schema.required = Object.keys(properties);
    schema.additionalProperties = false;
  }
  return schema;
}

function mapValues(record: Record<string, unknown>, map: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** The strict JSON Schema of a tool's input (an object schema). */
export function toolInputJsonSchema(schema: z.ZodType): JsonSchema {
  return strictify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' })) as JsonSchema;
}

/**
 * What OpenAI's strict mode would refuse in a schema, one line each, with the
 * path; an empty list means it is accepted. Used by the catalog's tests.
 */
export function strictSchemaProblems(schema: JsonSchema): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('(root): must be an object schema');
  walk(schema, '(root)', problems);
  return problems;
}

function walk(node: JsonSchema, path: string, problems: string[]): void {
  for (const key of Object.keys(node)) {
    if (!SUPPORTED_KEYWORDS.has(key)) problems.push(`${path}: keyword "${key}" is not supported`);
  }
  if (typeof node.format === 'string' && !SUPPORTED_FORMATS.has(node.format)) problems.push(`${path}: format "${node.format}" is not supported`);
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  if (node.type === 'object' || properties !== undefined) {
    if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties must be false`);
    const required = new Set((node.required ?? []) as string[]);
    for (const name of Object.keys(properties ?? {})) {
      if (!required.has(name)) problems.push(`${path}.${name}: every property must be required (optional ones nullable)`);
    }
    if (properties === undefined) problems.push(`${path}: an object must list its properties`);
  }
  if (node.type === undefined && node.anyOf === undefined && node.$ref === undefined && node.enum === undefined && node.const === undefined) {
    problems.push(`${path}: no type`);
  }
  for (const [name, child] of Object.entries(properties ?? {})) walk(child, `${path}.${name}`, problems);
  if (node.items !== undefined) walk(node.items as JsonSchema, `${path}[]`, problems);
  for (const [i, child] of ((node.anyOf ?? []) as JsonSchema[]).entries()) walk(child, `${path}|${i}`, problems);
  for (const [name, child] of Object.entries((node.$defs ?? {}) as Record<string, JsonSchema>)) walk(child, `$defs.${name}`, problems);
}

/**
 * The same schema with its nullable properties no longer required: for
 * frameworks that check a model's input against the schema themselves
 * (LangChain.js), so that leaving out what would be null is accepted too.
 */
export function withOptionalNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withOptionalNullables);
  if (node === null || typeof node !== 'object') return node;
  const schema = Object.fromEntries(
    Object.entries(node as JsonSchema).map(([key, value]) => [key, key === 'properties' || key === '$defs' ? mapValues(value as Record<string, unknown>, withOptionalNullables) : withOptionalNullables(value)]),
  ) as JsonSchema;
  if (schema.properties !== undefined && Array.isArray(schema.required)) {
    const properties = schema.properties as Record<string, JsonSchema>;
    schema.required = (schema.required as string[]).filter((name) => properties[name] === undefined || !isNullable(properties[name]));
  }
  return schema;
}
