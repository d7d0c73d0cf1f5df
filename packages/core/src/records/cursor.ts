import { CausewayError } from '../errors/causeway-error.js';
import { formatSort, type SortKey } from '../query/parse-sort.js';
import { findField, type Collection } from '../schema/collection.js';
import type { SqlDialect, SqlParams } from '../sql/sql-dialect.js';
import { isStorableText } from '../values/storable-text.js';

type CursorValue = string | number | boolean | null;

interface CursorPayload {
  /** The sort the cursor was made for. */
  s: string;
  /** The row's sort key values, in key order. */
  v: CursorValue[];
}

/**
 * An opaque cursor: a row's sort key values. The same cursor serves as `after` (rows following the row) and
 * `before` (rows preceding it).
 */
export function encodeCursor(keys: readonly SortKey[], row: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify({ s: formatSort(keys), v: cursorValues(keys, row) } satisfies CursorPayload)).toString('base64url');
}

/** A row's sort key values, in key order: what a cursor holds. */
export function cursorValues(keys: readonly SortKey[], row: Readonly<Record<string, unknown>>): CursorValue[] {
  return keys.map((k) => (row[k.field] ?? null) as CursorValue);
}

/**
 * The JavaScript type a sort field's values have in a record, so in a cursor this server issued. A forged cursor
 * holding another type would reach the database as a value its column cannot take (PostgreSQL refuses to
 * compare a DOUBLE PRECISION column with 'abc').
 */
function cursorType(collection: Collection, field: string): 'number' | 'boolean' | 'string' {
  const type = findField(collection, field)?.type;
  return type === 'number' ? 'number' : type === 'bool' ? 'boolean' : 'string';
}

function fitsField(value: CursorValue, expected: 'number' | 'boolean' | 'string'): boolean {
  if (value === null) return true;
  if (typeof value !== expected) return false;
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value !== 'string' || isStorableText(value);
}

export function decodeCursor(cursor: string, keys: readonly SortKey[], collection: Collection): CursorValue[] {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CausewayError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  }
  const { s, v } = (payload ?? {}) as Partial<CursorPayload>;
  const valid = Array.isArray(v) && v.length === keys.length && v.every((x, i) => fitsField(x, cursorType(collection, keys[i]!.field)));
  if (!valid) throw new CausewayError('INVALID_CURSOR', 'The cursor is not one this server issued.');
  if (s !== formatSort(keys)) throw new CausewayError('INVALID_CURSOR', `The cursor was made for sort '${s}', not '${formatSort(keys)}'.`);
  return v;
}

/**
 * The keys in the opposite order. Null is the smallest value in every key (first ascending, last descending),
 * so flipping each key's direction reverses the whole order, nulls included: rows before a cursor are the rows
 * after it in the reversed keys, and a backward page is a forward page of the reversed order.
 */
export function reversedSort(keys: readonly SortKey[]): SortKey[] {
  return keys.map((k) => ({ field: k.field, descending: !k.descending }));
}

/**
 * ORDER BY for the keys. Null sorts before every value (SQLite's native order, so its indexes serve it;
 * PostgreSQL is told NULLS FIRST/LAST to match).
 */
export function orderBySql(keys: readonly SortKey[], alias: string, dialect: SqlDialect): string {
  return keys
    .map((k) => `${alias}.${dialect.quoteIdent(k.field)} ${k.descending ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`)
    .join(', ');
}

/**
 * WHERE condition for rows strictly after the cursor row in the keys' order (keyset pagination).
 * Fragments are built fresh each time they appear: positional placeholders (`?`) cannot be reused.
 */
export function afterCursorSql(keys: readonly SortKey[], values: readonly CursorValue[], alias: string, params: SqlParams, dialect: SqlDialect): string {
  const column = (i: number) => `${alias}.${dialect.quoteIdent(keys[i]!.field)}`;
  const value = (i: number) => values[i] ?? null;
  const equal = (i: number) => (value(i) === null ? `${column(i)} IS NULL` : `${column(i)} = ${params.add(value(i)!)}`);
  const after = (i: number): string => {
    const v = value(i);
    if (v === null) return `${column(i)} IS NOT NULL`;
    return keys[i]!.descending ? `(${column(i)} < ${params.add(v)} OR ${column(i)} IS NULL)` : `${column(i)} > ${params.add(v)}`;
  };
  const branches: string[] = [];
  keys.forEach((key, i) => {
    // Null sorts first: in descending order nothing comes after a null within this key.
    if (value(i) === null && key.descending) return;
    const prefix = keys.slice(0, i).map((_k, j) => equal(j));
    branches.push(`(${[...prefix, after(i)].join(' AND ')})`);
  });
  return branches.length > 0 ? `(${branches.join(' OR ')})` : '1=0';
}
