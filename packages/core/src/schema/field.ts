/** Field definitions: what a collection's columns hold and which values they accept. */

import type { Field, FieldType } from '@causeway/wire';

export type {
  BoolField,
  DateField,
  DateTimeField,
  EmailField,
  Field,
  FieldType,
  FieldVisibility,
  JsonField,
  NumberField,
  OnDelete,
  RelationField,
  FileField,
  SelectField,
  TextField,
  UrlField,
} from '@causeway/wire';

export const fieldTypes: readonly FieldType[] = [
  'text',
  'number',
  'bool',
  'date',
  'datetime',
  'email',
  'url',
  'select',
  'json',
  'relation',
  'file',
];

/** Fields holding a list of values (stored as a JSON array). */
export function isMultiValued(field: Field): boolean {
  return (field.type === 'select' || field.type === 'relation' || field.type === 'file') && field.multiple;
}
