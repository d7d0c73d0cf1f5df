import type { Field } from '../schema/field.js';
import { isMultiValued } from '../schema/field.js';
import type { SqlDialect } from '../sql/sql-dialect.js';

/**
 * Between a field's API value and its column value. Lists and json are JSON text (an empty list is NULL,
 * so `is null` means empty); booleans go through the dialect. Decoding accepts both the SQLite and the
 * PostgreSQL driver's forms, so it needs no dialect.
 */
export function encodeValue(field: Field, value: unknown, dialect: SqlDialect): unknown {
  if (value === null || value === undefined) return null;
  if (isMultiValued(field)) return (value as unknown[]).length === 0 ? null : JSON.stringify(value);
  if (field.type === 'json') return JSON.stringify(value);
  if (field.type === 'bool') return dialect.encodeParam(value === true);
  return value;
}

export function decodeValue(field: Field, raw: unknown): unknown {
  if (isMultiValued(field)) return raw === null || raw === undefined ? [] : typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (raw === null || raw === undefined) return null;
  if (field.type === 'json') return typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (field.type === 'bool') return raw === 1 || raw === true || raw === 1n;
  if (field.type === 'number' && typeof raw === 'bigint') return Number(raw);
  return raw;
}
