/** Operator sets of the filter language, shared by the field types that behave alike. */

import type { FilterFacet, FilterOperand, FilterOperator } from './field-type-descriptor.js';

/** Everything: equality, order, `in`, and case-insensitive contains (`~`). */
export const textOperators: ReadonlySet<FilterOperator> = new Set(['=', '!=', '>', '>=', '<', '<=', '~', '!~', 'in']);
/** Numbers: no `~`, which is about text. */
export const orderedOperators: ReadonlySet<FilterOperator> = new Set(['=', '!=', '>', '>=', '<', '<=', 'in']);
/** Values without a useful order (booleans, record ids of a relation). */
export const equalityOperators: ReadonlySet<FilterOperator> = new Set(['=', '!=', 'in']);
/** On a list, `~` and `!~` test whether it holds an element. */
export const listOperators: ReadonlySet<FilterOperator> = new Set(['~', '!~']);

export function scalarFilter(label: string, operand: FilterOperand, operators: ReadonlySet<FilterOperator>, oneOf?: readonly string[]): FilterFacet {
  return { label, operand, operators, list: false, ...(oneOf ? { oneOf } : {}) };
}

export function listFilter(type: string, oneOf?: readonly string[]): FilterFacet {
  return { label: `${type} list`, operand: 'text', operators: listOperators, list: true, ...(oneOf ? { oneOf } : {}) };
}
