/**
 * The `query` function's `<filter>` and `<orderby>` (reference §5.2): filter
 * elements (`equalto`, `in`, `between`, …, combined with `and`/`or`) read
 * into the conditions readByQuery's clauses use too, and the sort keys.
 */
import { asArray } from '../../systems/intacct/xml.ts';
import { QUERY_OPERATORS, type QueryOperator } from '../../systems/intacct/schemas.ts';
import type { Comparison, Condition } from './conditions.ts';
import { textOf, isNode, type Node } from './envelope.ts';
import { invalidRequest, queryFailed } from './errors.ts';

const COMPARISONS: Partial<Record<QueryOperator, Comparison>> = {
  equalto: '=',
  notequalto: '!=',
  lessthan: '<',
  lessthanorequalto: '<=',
  greaterthan: '>',
  greaterthanorequalto: '>=',
};

function operatorCondition(name: QueryOperator, element: unknown): Condition {
  if (!isNode(element)) throw queryFailed(`<${name}> needs a <field>`);
  const field = textOf(element['field'])?.trim().toUpperCase();
  if (field === undefined || field === '') throw queryFailed(`<${name}> needs a <field>`);
  const values = asArray(element['value'] as unknown[] | unknown).map((value) => textOf(value) ?? '');
  const one = () => {
    if (values.length !== 1) throw queryFailed(`<${name}> on ${field} needs exactly one <value>`);
    return values[0]!;
  };
  const comparison = COMPARISONS[name];
  if (comparison) return { kind: 'compare', field, op: comparison, value: one() };
  switch (name) {
    case 'isnull':
    case 'isnotnull':
      if (values.length > 0) throw queryFailed(`<${name}> takes no <value>`);
      return { kind: 'null', field, negated: name === 'isnotnull' };
    case 'like':
    case 'notlike':
      return { kind: 'like', field, pattern: one(), negated: name === 'notlike' };
    case 'in':
    case 'notin':
      if (values.length === 0) throw queryFailed(`<${name}> on ${field} needs at least one <value>`);
      return { kind: 'in', field, values, negated: name === 'notin' };
    case 'between':
      if (values.length !== 2) throw queryFailed(`<between> on ${field} needs two <value>s, the low one first`);
      return { kind: 'between', field, low: values[0]!, high: values[1]! };
    default:
      throw queryFailed(`<${name}> is not a filter operator`);
  }
}

/** The conditions held by an element's children (each child element may repeat). */
function children(node: Node): Condition[] {
  const conditions: Condition[] = [];
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@_') || name === '#text') continue;
    for (const element of asArray(value as unknown[] | unknown)) conditions.push(conditionOf(name, element));
  }
  return conditions;
}

function conditionOf(name: string, element: unknown): Condition {
  if (name === 'and' || name === 'or') {
    if (!isNode(element)) throw queryFailed(`<${name}> needs at least two conditions`);
    const items = children(element);
    if (items.length < 2) throw queryFailed(`<${name}> needs at least two conditions`);
    return { kind: name, items };
  }
  if (!(QUERY_OPERATORS as readonly string[]).includes(name)) throw queryFailed(`<${name}> is not a filter operator`);
  return operatorCondition(name as QueryOperator, element);
}

/** The condition of a `<filter>`; undefined when the query has none. */
export function parseFilter(filter: unknown): Condition | undefined {
  if (filter === undefined || filter === '') return undefined;
  if (!isNode(filter)) throw queryFailed('<filter> must hold one condition');
  const conditions = children(filter);
  if (conditions.length !== 1) throw queryFailed('<filter> must hold exactly one condition (combine several with <and> or <or>)');
  return conditions[0];
}

export interface SortKey {
  field: string;
  descending: boolean;
}

/** `<orderby><order><field>F</field><ascending/></order>…</orderby>`; ascending unless `<descending/>`. */
export function parseOrderBy(orderby: unknown): SortKey[] {
  if (orderby === undefined || orderby === '') return [];
  if (!isNode(orderby)) throw invalidRequest('<orderby> must hold <order> elements');
  return asArray(orderby['order'] as unknown[] | unknown).map((order) => {
    if (!isNode(order)) throw invalidRequest('each <order> needs a <field>');
    const field = textOf(order['field'])?.trim().toUpperCase();
    if (field === undefined || field === '') throw invalidRequest('each <order> needs a <field>');
    const descending = order['descending'] !== undefined;
    if (descending && order['ascending'] !== undefined) throw invalidRequest(`<order> on ${field} cannot be both ascending and descending`);
    return { field, descending };
  });
}
