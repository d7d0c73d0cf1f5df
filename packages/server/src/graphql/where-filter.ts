import type { CompareOp, FilterNode, LiteralValue } from '@causeway/core';

/** The typed `where` input, as graphql-js hands it over: field conditions plus AND / OR / NOT. */
export type WhereInput = { AND?: WhereInput[]; OR?: WhereInput[]; NOT?: WhereInput } & Record<string, unknown>;

const operators: Record<string, CompareOp> = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=', contains: '~', notContains: '!~', has: '~', hasNot: '!~' };

const literal = (value: LiteralValue) => ({ kind: 'literal' as const, value, pos: 0 });
const path = (name: string) => ({ kind: 'path' as const, segments: [name], pos: 0 });

function constant(value: boolean): FilterNode {
  return { kind: 'compare', op: '=', left: literal(1), right: literal(value ? 1 : 0), pos: 0 };
}

/** Joins conditions as a balanced tree, so long inputs stay shallow (the parser limits nesting). */
function join(kind: 'and' | 'or', nodes: FilterNode[]): FilterNode | undefined {
  if (nodes.length === 0) return undefined;
  if (nodes.length === 1) return nodes[0];
  const middle = Math.ceil(nodes.length / 2);
  return { kind, left: join(kind, nodes.slice(0, middle))!, right: join(kind, nodes.slice(middle))! };
}

function fieldConditions(field: string, conditions: Record<string, unknown>): FilterNode[] {
  const nodes: FilterNode[] = [];
  for (const [key, value] of Object.entries(conditions)) {
    if (value === undefined) continue;
    if (key === 'isNull') {
      if (value !== null) nodes.push({ kind: 'isNull', operand: path(field), negated: value === false, pos: 0 });
    } else if (key === 'in') {
      nodes.push({ kind: 'in', left: path(field), items: (value as LiteralValue[]).map(literal), pos: 0 });
    } else {
      nodes.push({ kind: 'compare', op: operators[key]!, left: path(field), right: literal(value as LiteralValue), pos: 0 });
    }
  }
  return nodes;
}

function toNode(where: WhereInput): FilterNode | undefined {
  const nodes: FilterNode[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (key === 'AND') nodes.push(...(value as WhereInput[]).flatMap((w) => toNode(w) ?? []));
    else if (key === 'OR') {
      const alternatives = (value as WhereInput[]).map((w) => toNode(w) ?? constant(true));
      nodes.push(join('or', alternatives) ?? constant(false));
    } else if (key === 'NOT') {
      const inner = toNode(value as WhereInput);
      if (inner) nodes.push({ kind: 'not', operand: inner, pos: 0 });
    } else nodes.push(...fieldConditions(key, value as Record<string, unknown>));
  }
  return join('and', nodes);
}

/** The typed `where` input as a filter tree for the records service: never printed as text to be parsed again. */
export function whereNode(where: WhereInput | null | undefined): FilterNode | undefined {
  return where ? toNode(where) : undefined;
}

/** `field = value` (or, for a list field, `field ~ value`): how GraphQL follows a back-relation. */
export function holdsNode(field: string, multiple: boolean, value: string): FilterNode {
  return { kind: 'compare', op: multiple ? '~' : '=', left: path(field), right: literal(value), pos: 0 };
}

/** `id in [...]`: the records a to-many relation holds, whatever their number. */
export function idsNode(ids: readonly string[]): FilterNode {
  return ids.length === 0 ? constant(false) : { kind: 'in', left: path('id'), items: ids.map(literal), pos: 0 };
}

/** Conditions and-ed together (undefined for none). */
export function allOf(nodes: readonly (FilterNode | undefined)[]): FilterNode | undefined {
  return join('and', nodes.filter((node): node is FilterNode => node !== undefined));
}
