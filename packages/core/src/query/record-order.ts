import { compareValues } from './compare-values.js';
import type { SortKey } from './parse-sort.js';

type Row = Readonly<Record<string, unknown>>;

/**
 * One sort value against another as the ORDER BY of `orderBySql` ranks them on both databases: null (or an absent
 * value) before every value; text by code point (SQLite's BINARY, PostgreSQL's "C" collation on the columns
 * Causeway creates); numbers by value; false before true. Dates and datetimes are stored as ISO text, so text order
 * is their order.
 */
function compareSortValues(a: unknown, b: unknown): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? -1 : 1;
  return compareValues(a as string | number | boolean, b as string | number | boolean);
}

/**
 * Orders records in memory exactly as a list with `keys` (from `parseSort`, so ending with `id`) comes back from
 * the database: a descending key is the ascending key reversed, nulls included (`DESC NULLS LAST`). Total, because
 * ids are unique: what a live query's window is kept sorted by.
 */
export function recordOrder(keys: readonly SortKey[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const key of keys) {
      const order = compareSortValues(a[key.field], b[key.field]);
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  };
}
