/**
 * The field types Causeway knows, each described by one module. Generic code asks `fieldTypeOf(field)`; adding a
 * type means adding its module here (and its definition to the wire's `Field` union).
 */

import type { Field, FieldType } from '../field.js';
import { boolType } from './bool.js';
import { dateType } from './date.js';
import { datetimeType } from './datetime.js';
import { emailType } from './email.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { fileType } from './file.js';
import { jsonType } from './json.js';
import { numberType } from './number.js';
import { relationType } from './relation.js';
import { selectType } from './select.js';
import { textType } from './text.js';
import { urlType } from './url.js';

/** Every type's descriptor, keyed by type: a type of the `Field` union without one fails to compile. */
export const fieldTypeRegistry: { readonly [T in FieldType]: FieldTypeDescriptor<Extract<Field, { type: T }>> } = {
  text: textType,
  number: numberType,
  bool: boolType,
  date: dateType,
  datetime: datetimeType,
  email: emailType,
  url: urlType,
  select: selectType,
  json: jsonType,
  relation: relationType,
  file: fileType,
};

/** The type names, in the order editors list them. */
export const fieldTypes = Object.keys(fieldTypeRegistry) as readonly FieldType[];

/**
 * The descriptor of a field's type, typed for any field. Each descriptor only ever receives fields of its own
 * type (it is looked up by that type), which is what makes the one widening cast here sound.
 */
export function fieldTypeOf(field: Field): FieldTypeDescriptor<Field> {
  return fieldTypeRegistry[field.type] as unknown as FieldTypeDescriptor<Field>;
}

/** Fields holding a list of values (stored as a JSON array, never null). */
export function isMultiValued(field: Field): boolean {
  return fieldTypeOf(field).shape(field) === 'list';
}
