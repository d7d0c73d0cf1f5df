import { isCausewayError } from '../errors/causeway-error.js';
import type { Collection } from '../schema/collection.js';
import { isSystemField } from '../schema/collection.js';
import { fieldTypeOf, type Field } from '../schema/field.js';
import type { FilterFacet } from '../schema/field-types/field-type-descriptor.js';
import { textOperators } from '../schema/field-types/filter-facets.js';
import type { SchemaLookup } from '../schema/schema-lookup.js';
import { normalizeDate, normalizeDateTime } from '../values/dates.js';
import { compareValues, containsFolded } from './compare-values.js';
import type { CompareOp, FilterNode, LiteralValue, Operand, PathOperand } from './filter-ast.js';
import type { Condition, ConditionValue, FieldRef, RelationHop, ResolvedPath } from './filter-condition.js';
import { filterError } from './filter-lexer.js';
import { isStorableText } from '../values/storable-text.js';

export const maxRelationHops = 4;
/**
 * Values for `@name` variables: a map keyed with or without the `@`, or a lookup (given the name without
 * `@`) that answers undefined for a name it does not know.
 */
export type FilterVariables = Readonly<Record<string, LiteralValue>> | ((name: string) => LiteralValue | undefined);

/** Whether a filter may name `field` of `collection`. */
export type FieldFilter = (collection: Collection, field: Field) => boolean;

export interface ResolveOptions {
  variables?: FilterVariables;
  /**
   * The fields a client's filter may name, on the collection and every collection its paths reach (see
   * `mayQuery`); others answer as unknown. Absent: every field (rules may read hidden and restricted fields).
   */
  queryable?: FieldFilter;
}

const ordering = new Set<CompareOp>(['>', '>=', '<', '<=']);
const flipped: Partial<Record<CompareOp, CompareOp>> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '=': '=', '!=': '!=' };

/** The system fields' facets: `id` is text, `created` and `updated` are date-times. */
const systemFacets: Record<'id' | 'datetime', FilterFacet> = {
  id: { label: 'id', operand: 'text', operators: textOperators, list: false },
  datetime: { label: 'datetime', operand: 'datetime', operators: textOperators, list: false },
};

/** What the filter language may do with the field a path ends at, as its type describes it. */
function facetOf(path: ResolvedPath, collection: Collection): FilterFacet {
  if (path.field.type === 'system') return systemFacets[path.field.name === 'id' ? 'id' : 'datetime'];
  const owner = path.hops.at(-1)?.target ?? collection;
  const field = owner.fields.find((f) => f.name === path.field.name)!;
  return fieldTypeOf(field).filter(field);
}

function resolvePath(operand: PathOperand, collection: Collection, schema: SchemaLookup, queryable: FieldFilter | undefined): ResolvedPath {
  const hops: RelationHop[] = [];
  let current = collection;
  const { segments } = operand;
  // Paths hold no spaces, so a segment's position is the path's plus the segments and dots before it.
  let pos = operand.pos;
  for (const [i, name] of segments.entries()) {
    if (i > 0) pos += segments[i - 1]!.length + 1;
    const last = i === segments.length - 1;
    const field: Field | undefined = current.fields.find((f) => f.name === name);
    // A field the client may not query answers as if it did not exist, so a filter cannot probe its values.
    if ((!field && !isSystemField(name)) || (field && queryable && !queryable(current, field))) throw filterError(`unknown field '${name}' in collection '${current.name}'`, pos);
    if (last) {
      if (!field) return { hops, field: { name, type: 'system', multiple: false } };
      return { hops, field: { name, type: field.type, multiple: 'multiple' in field && field.multiple } };
    }
    if (field?.type !== 'relation') {
      throw filterError(`'${name}' is a ${field?.type ?? 'system'} field, not a relation, so '${segments.join('.')}' cannot continue`, pos);
    }
    if (hops.length >= maxRelationHops) throw filterError(`a path may cross at most ${maxRelationHops} relations`, pos);
    const target = schema.collection(field.collection);
    if (!target) throw filterError(`relation '${name}' points at missing collection '${field.collection}'`, pos);
    hops.push({ field, target });
    current = target;
  }
  throw filterError('expected a field name', operand.pos);
}

/** A variable's value, keyed with or without its `@`; checked, since it did not come through the lexer. */
function variableValue(name: string, variables: FilterVariables, pos: number): LiteralValue {
  let value: LiteralValue | undefined;
  if (typeof variables === 'function') value = variables(name.slice(1));
  else {
    const key = Object.hasOwn(variables, name) ? name : name.slice(1);
    value = Object.hasOwn(variables, key) ? variables[key] : undefined;
  }
  if (value === undefined) throw filterError(`unknown variable '${name}'`, pos);
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && isStorableText(value)) return value;
  throw filterError(`variable '${name}' has no usable value (finite number, valid string, boolean or null)`, pos);
}

function literalOf(operand: Operand, variables: FilterVariables): LiteralValue {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'variable') return variableValue(operand.name, variables, operand.pos);
  throw filterError('expected a value, not a field', operand.pos);
}

/** Checks a value against the field it is compared with and returns it in stored form. */
function valueFor(ref: FieldRef, facet: FilterFacet, op: CompareOp | 'in', value: LiteralValue, pos: number): ConditionValue {
  const expected = (what: string) => filterError(`'${ref.name}' is a ${ref.type === 'system' ? facet.label : ref.type} field: expected ${what}`, pos);
  if (value === null) {
    if (op === 'in') throw filterError("a list after 'in' cannot hold null (use 'is null')", pos);
    throw filterError(`null can only be compared with = or != (or use 'is null')`, pos);
  }
  if (facet.operand === 'number') {
    if (typeof value !== 'number') throw expected('a number');
    return value;
  }
  if (facet.operand === 'bool') {
    if (typeof value !== 'boolean') throw expected('true or false');
    return value;
  }
  if (typeof value !== 'string') throw expected('a string');
  // On a list `~` is element equality, so the element must be a value the list can hold.
  const oneOf = (values: readonly string[]) => expected(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
  if (facet.list && facet.oneOf && !facet.oneOf.includes(value)) throw oneOf(facet.oneOf);
  // `~` looks for a piece of the text, so its needle is not normalised.
  if (op === '~' || op === '!~') return value;
  if (facet.operand === 'date') {
    const date = normalizeDate(value);
    if (date === undefined) throw expected('a date as "YYYY-MM-DD"');
    return date;
  }
  if (facet.operand === 'datetime') {
    const datetime = normalizeDateTime(value);
    if (datetime === undefined) throw expected('an ISO 8601 date-time');
    return datetime;
  }
  // Ordering by an arbitrary bound (`status < "m"`) is meaningful, so only equality must name a value.
  if (facet.oneOf && !ordering.has(op as CompareOp) && !facet.oneOf.includes(value)) throw oneOf(facet.oneOf);
  return value;
}

function checkOp(path: ResolvedPath, facet: FilterFacet, op: CompareOp | 'in', pos: number): void {
  if (!facet.operators.has(op)) throw filterError(`operator '${op}' is not supported on ${facet.label} field '${path.field.name}'`, pos);
}

/** Value against value: the same two-valued meaning a field would give (null fails every test but `!=`, `!~`). */
function foldConstant(op: CompareOp, left: LiteralValue, right: LiteralValue, pos: number): boolean {
  if (op === '=' || op === '!=') return (left === right) === (op === '=');
  if (op === '!~') return !foldConstant('~', left, right, pos);
  if (left === null || right === null) return false;
  if (op === '~') {
    if (typeof left !== 'string' || typeof right !== 'string') throw filterError(`'${op}' compares strings`, pos);
    return containsFolded(left, right);
  }
  if (typeof left !== typeof right || typeof left === 'boolean') throw filterError(`cannot order ${typeof left} and ${typeof right}`, pos);
  const order = compareValues(left, right);
  return op === '>' ? order > 0 : op === '>=' ? order >= 0 : op === '<' ? order < 0 : order <= 0;
}

function mismatchAsNothing(value: () => ConditionValue): ConditionValue | undefined {
  try {
    return value();
  } catch (error) {
    if (isCausewayError(error) && error.code === 'INVALID_FILTER') return undefined;
    throw error;
  }
}

/**
 * Checks a parsed filter against a collection: paths exist, operators suit field types, values have the right
 * type (dates normalised to their stored form), variables are substituted.
 */
export function resolveFilter(node: FilterNode, collection: Collection, schema: SchemaLookup, options: ResolveOptions = {}): Condition {
  const { variables = {}, queryable } = options;
  const pathOf = (operand: PathOperand) => resolvePath(operand, collection, schema, queryable);
  const resolve = (n: FilterNode): Condition => {
    switch (n.kind) {
      case 'and':
      case 'or': {
        // Flattened, so a long chain makes one wide node rather than a deep one.
        const items = [resolve(n.left), resolve(n.right)].flatMap((c) => (c.kind === n.kind ? c.items : [c]));
        return { kind: n.kind, items };
      }
      case 'not':
        return { kind: 'not', item: resolve(n.operand) };
      case 'isNull': {
        if (n.operand.kind !== 'path') {
          return { kind: 'const', value: (literalOf(n.operand, variables) === null) !== n.negated };
        }
        return { kind: 'isNull', path: pathOf(n.operand), negated: n.negated };
      }
      case 'in': {
        if (n.left.kind !== 'path') {
          const left = literalOf(n.left, variables);
          const items = n.items.map((item) => literalOf(item, variables));
          const nullAt = items.indexOf(null);
          if (nullAt >= 0) throw filterError("a list after 'in' cannot hold null (use 'is null')", n.items[nullAt]!.pos);
          return { kind: 'const', value: left !== null && items.includes(left) };
        }
        const path = pathOf(n.left);
        const facet = facetOf(path, collection);
        checkOp(path, facet, 'in', n.pos);
        // A variable whose value cannot match the field (null, another type) simply matches nothing.
        const values = n.items.flatMap((item) => {
          const value = () => valueFor(path.field, facet, 'in', literalOf(item, variables), item.pos);
          return item.kind === 'variable' ? (mismatchAsNothing(value) ?? []) : [value()];
        });
        return { kind: 'in', path, values };
      }
      case 'compare':
        return resolveCompare(n.op, n.left, n.right, n.pos);
    }
  };

  const resolveCompare = (op: CompareOp, left: Operand, right: Operand, pos: number): Condition => {
    if (left.kind === 'path' && right.kind === 'path') {
      const word = right.segments.join('.');
      const hint = /^(true|false|null)$/i.test(word) ? ` (keywords are lowercase: ${word.toLowerCase()})` : '';
      throw filterError(`comparing two fields is not supported${hint}`, right.pos);
    }
    if (left.kind !== 'path' && right.kind !== 'path') {
      return { kind: 'const', value: foldConstant(op, literalOf(left, variables), literalOf(right, variables), pos) };
    }
    if (left.kind !== 'path') {
      const flip = flipped[op];
      if (!flip) throw filterError(`the field must be on the left of '${op}'`, pos);
      return resolveCompare(flip, right, left, pos);
    }
    const path = pathOf(left);
    const value = literalOf(right, variables);
    if (value === null && (op === '=' || op === '!=')) return { kind: 'isNull', path, negated: op === '!=' };
    const facet = facetOf(path, collection);
    checkOp(path, facet, op, pos);
    const stored = () => valueFor(path.field, facet, op, value, right.pos);
    if (right.kind !== 'variable') return { kind: 'compare', op, path, value: stored() };
    // A variable's value is only known per request (rules): one that cannot match the field (null, another
    // type) makes the comparison false, as null would, rather than failing the request.
    const checked = mismatchAsNothing(stored);
    if (checked === undefined) return { kind: 'const', value: op === '!=' || op === '!~' };
    return { kind: 'compare', op, path, value: checked };
  };

  return resolve(node);
}
