/** A filter expression (text in the Causeway filter language), built safely from values. */
export class Filter {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = string | number | boolean | null;

function literal(value: Value): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('filter values must be finite numbers');
    return String(value);
  }
  // JSON string escaping is the filter language's: quotes and backslashes cannot break out.
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const compare = (op: string) => <F extends string>(field: F, value: Value) => new Filter(`${field} ${op} ${literal(value)}`);

/**
 * Typed helpers that produce filter text, with every value quoted and escaped, so user input never breaks (or
 * widens) a filter: `and(eq('published', true), contains('title', search))`.
 */
export const filter = {
  eq: compare('='),
  ne: compare('!='),
  gt: compare('>'),
  gte: compare('>='),
  lt: compare('<'),
  lte: compare('<='),
  /** Case-insensitive substring; on a list field, "holds this value". */
  contains: compare('~'),
  notContains: compare('!~'),
  in: <F extends string>(field: F, values: readonly Value[]) => new Filter(`${field} in [${values.map(literal).join(', ')}]`),
  isNull: <F extends string>(field: F) => new Filter(`${field} is null`),
  isNotNull: <F extends string>(field: F) => new Filter(`${field} is not null`),
  and: (...parts: Filter[]) => new Filter(parts.length ? parts.map((p) => `(${p.text})`).join(' && ') : '1 = 1'),
  or: (...parts: Filter[]) => new Filter(parts.length ? parts.map((p) => `(${p.text})`).join(' || ') : '1 = 0'),
  not: (part: Filter) => new Filter(`!(${part.text})`),
};
