/** Field definitions: what a collection's columns hold and which values they accept. */

export type {
  BoolField,
  DateField,
  DateTimeField,
  EmailField,
  Field,
  FieldCommon,
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

export { fieldTypeOf, fieldTypeRegistry, fieldTypes, isMultiValued } from './field-types/registry.js';
