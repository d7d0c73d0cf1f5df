/**
 * What the console needs to know about each field type to edit definitions and values (`GET /api/field-types`).
 * The core's descriptor of each type holds it; the server serves it, since the console cannot import the core.
 */

import type { FieldType } from './collection-definition.js';

/** The control a record's value is edited with. */
export type RecordInputKind = 'text' | 'number' | 'checkbox' | 'date' | 'datetime' | 'choice' | 'json' | 'relation' | 'file';

/** One type-specific option of a field definition, as the collection editor shows it. */
export interface DefinitionOptionHint {
  /** The definition's key (`min`, `onDelete`, …). */
  key: string;
  label: string;
  /**
   * `number`/`text`: an input (empty: absent); `flag`: a checkbox; `list`: comma-separated strings; `megabytes`: a
   * byte count shown in MB; `choice`: one of `choices`; `collection`: a collection's name.
   */
  control: 'number' | 'text' | 'flag' | 'list' | 'megabytes' | 'choice' | 'collection';
  choices?: { value: string; label: string }[];
  placeholder?: string;
  /** A longer explanation, shown on hover. */
  title?: string;
  /** Shown only when the field is `multiple`. */
  whenMultiple?: boolean;
  /** The type is not usable without it (a select's values, a relation's target): shown beside the type, not among more options. */
  essential?: boolean;
}

/** How fields of a type and their values are edited. */
export interface EditorHints {
  input: RecordInputKind;
  /** The definition takes `multiple` (a list of values). */
  multiple: boolean;
  /** A default value can be set. */
  default: boolean;
  /** The field can be `unique` (when not `multiple`). */
  unique: boolean;
  /** Type-specific options, in the order the editor shows them. */
  options: DefinitionOptionHint[];
}

/** A field type as `GET /api/field-types` lists it. */
export interface FieldTypeInfo extends EditorHints {
  type: FieldType;
}
