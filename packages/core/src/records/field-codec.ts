import type { Field } from '../schema/field.js';
import { fieldTypeOf } from '../schema/field-types/registry.js';
import type { SqlDialect } from '../sql/sql-dialect.js';

/** Between a field's API value and its column value, by its type's codec (see `field-types/codecs.ts`). */
export function encodeValue(field: Field, value: unknown, dialect: SqlDialect): unknown {
  if (value === null || value === undefined) return null;
  return fieldTypeOf(field).codec(field).encode(value, dialect);
}

export function decodeValue(field: Field, raw: unknown): unknown {
  return fieldTypeOf(field).codec(field).decode(raw);
}
