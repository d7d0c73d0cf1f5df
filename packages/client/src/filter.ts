/**
 * A filter expression (text in the Causeway filter language), built safely from values. `F` is the field names it
 * compares: a list or subscription of a collection without one of them refuses it when it compiles.
 */
export class Filter<F extends string = string> {
  /** The field names it compares; a type only, nothing at run time. */
  declare readonly fields?: F;
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

const compare = (op: string) => <F extends string>(field: F, value: Value) => new Filter<F>(`${field} ${op} ${literal(value)}`);

/**
 * Helpers that produce filter text, typed by the fields they name, with every value quoted and escaped, so user input never breaks (or
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
  in: <F extends string>(field: F, values: readonly Value[]) => new Filter<F>(`${field} in [${values.map(literal).join(', ')}]`),
  isNull: <F extends string>(field: F) => new Filter<F>(`${field} is null`),
  isNotNull: <F extends string>(field: F) => new Filter<F>(`${field} is not null`),
  and: <F extends string = never>(...parts: Filter<F>[]) => new Filter<F>(parts.length ? parts.map((p) => `(${p.text})`).join(' && ') : '1 = 1'),
  or: <F extends string = never>(...parts: Filter<F>[]) => new Filter<F>(parts.length ? parts.map((p) => `(${p.text})`).join(' || ') : '1 = 0'),
  not: <F extends string>(part: Filter<F>) => new Filter<F>(`!(${part.text})`),
};
