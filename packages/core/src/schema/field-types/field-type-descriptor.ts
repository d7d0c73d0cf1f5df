/**
 * Everything Causeway knows about one field type, in one place: the definition it accepts, the values it holds,
 * how they are stored, filtered and sorted, and how each surface describes them. Surfaces ask the descriptor
 * (through `fieldTypeOf`) instead of switching on `field.type`, so a new type is one module here, registered in
 * `registry.ts`; the surfaces' code stays generic (see docs/architecture.md, "Field types").
 *
 * @example
 * const type = fieldTypeOf(field);
 * const check = type.validate(field, body.title); // { ok: true, value } | { ok: false, issue }
 * const column = type.column(field); // 'text' | 'integer' | 'real' | 'boolean' | 'json'
 */

import type { z } from 'zod';
import type { FieldIssue } from '../../errors/causeway-error.js';
import type { CompareOp } from '../../query/filter-ast.js';
import type { EditorHints } from '@causeway/wire';
import type { Field, FieldCommon } from '../field.js';
import type { SchemaLookup } from '../schema-lookup.js';
import type { Codec } from './codecs.js';

export type ValueCheck = { ok: true; value: unknown } | { ok: false; issue: FieldIssue };

/**
 * What a value is, as far as generic code cares: one `scalar` (may be sorted, indexed, unique; a rule variable
 * holds it), a `list` of strings (stored as a JSON array, never null: empty is []), or a JSON `document`.
 */
export type ValueShape = 'scalar' | 'list' | 'document';

/** The column a field needs, neutral of dialect: each DDL adapter maps every kind to its own column type. */
export type ColumnKind = 'text' | 'integer' | 'real' | 'boolean' | 'json';

/** How a filter literal compared with the field is checked and normalised (`date`: to YYYY-MM-DD, …). */
export type FilterOperand = 'text' | 'number' | 'bool' | 'date' | 'datetime';

export type FilterOperator = CompareOp | 'in';

export interface FilterFacet {
  /** What the field is called in error messages (`text`, `select list`, …). */
  readonly label: string;
  readonly operand: FilterOperand;
  /** The operators the filter language accepts on the field; an empty set: the field cannot be filtered but by `is null`. */
  readonly operators: ReadonlySet<FilterOperator>;
  /** A closed set of values: equality (`=`, `!=`, `in`, and `~` on a list, which tests an element) must name one. */
  readonly oneOf?: readonly string[];
  /** The field holds a list: `~` and `!~` test its elements. */
  readonly list: boolean;
}

/** The parts of JSON Schema (2020-12, as OpenAPI 3.1 uses it) a field's value schema needs. */
export interface ValueJsonSchema {
  type?: string | string[];
  format?: string;
  enum?: readonly (string | null)[];
  description?: string;
  items?: ValueJsonSchema;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** A GraphQL scalar, named neutrally: the GraphQL adapter maps each to its type (core does not import graphql-js). */
export type GraphQLScalarKind = 'string' | 'int' | 'float' | 'boolean' | 'date' | 'dateTime' | 'json';

/**
 * How GraphQL shows a field. `scalar` and `enum` are values (an enum falls back to strings when its values are not
 * GraphQL names); `reference` is a relation (the related record or a connection, and its raw ids); `file` is the
 * `File` object (name, type, size, url).
 */
export type GraphQLShape =
  | { readonly kind: 'scalar'; readonly scalar: GraphQLScalarKind; readonly list: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly list: boolean }
  | { readonly kind: 'reference'; readonly collection: string; readonly list: boolean }
  | { readonly kind: 'file'; readonly list: boolean };

/** The flags every field definition takes, filled in: what `normalize` builds on. */
export type CommonDefinition = Omit<FieldCommon, 'name'>;

/** A definition of this type as the API accepts it: the type's options, any of them left out. */
export type DefinitionInput<F extends Field> = { type: F['type']; name: string } & Partial<Omit<F, 'type' | 'name'>>;

export interface FieldTypeDescriptor<F extends Field> {
  readonly type: F['type'];

  /** The definition's accepted shape: the common flags and this type's options (a zod strict object). */
  readonly input: z.ZodType<DefinitionInput<F>>;
  /** Fills in the type's defaults on a parsed definition. */
  normalize(input: DefinitionInput<F>, common: CommonDefinition): F;
  /** Checks the options against each other and the schema (a relation's target); `unique` and `default` are checked generically. */
  checkDefinition(field: F, context: { collection: string; schema: SchemaLookup }): FieldIssue | undefined;

  /** Checks one non-null value and returns it normalised. Presence (`required`) and relation targets are checked elsewhere. */
  validate(field: F, value: unknown): ValueCheck;
  /** Whether a value is one scalar, a list or a JSON document (lists and documents are never sorted or null-typed). */
  shape(field: F): ValueShape;
  /** Whether `""` sent for the field means no value (null), as for a number or a date; for text it is a value. */
  emptyStringIsNull(field: F): boolean;

  /** The kind of column it is stored in; each DDL adapter maps kinds to its column types. */
  column(field: F): ColumnKind;
  /** Between API values and column values (see `codecs.ts`). */
  codec(field: F): Codec;

  /** What the filter language may do with it (operators, how literals are checked, a closed set of values). */
  filter(field: F): FilterFacet;
  /** Whether lists may be sorted by it (and, with it, indexed and made unique). */
  sortable(field: F): boolean;

  /** The JSON Schema of a non-null value as the API returns and accepts it. */
  jsonSchema(field: F): ValueJsonSchema;
  /** How GraphQL shows it, neutral of graphql-js (the adapter maps the shape to types and `where` filters). */
  graphql(field: F): GraphQLShape;
  /** The TypeScript type of a non-null value, for `causeway types`. */
  typescript(field: F): string;
  /** How the console edits definitions and values of this type (served at `GET /api/field-types`). */
  readonly editor: EditorHints;
}
