import type { Field } from '../schema/field.js';
import { fieldTypeOf } from '../schema/field-types/registry.js';
import type { ValueCheck } from '../schema/field-types/field-type-descriptor.js';
import { fail } from '../schema/field-types/value-checks.js';
import { isStorableText, unstorableTextMessage } from './storable-text.js';

export type { ValueCheck } from '../schema/field-types/field-type-descriptor.js';

/** Strings, and strings in lists, that every database can hold (json values are stored as escaped JSON text). */
function storable(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  return !Array.isArray(value) || value.every((item) => typeof item !== 'string' || isStorableText(item));
}

/**
 * Checks one non-null value against its field and returns it normalised (dates to their stored form).
 * Presence (`required`) and relation targets are checked by the caller, which sees the whole record.
 */
export function validateValue(field: Field, value: unknown): ValueCheck {
  const type = fieldTypeOf(field);
  if (type.shape(field) !== 'document' && !storable(value)) return fail('text', unstorableTextMessage);
  return type.validate(field, value);
}

/** Whether a value counts as missing for `required`: null, an empty string, an empty list. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}
