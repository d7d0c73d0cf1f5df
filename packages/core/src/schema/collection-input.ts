import { z } from 'zod';
import type { Field, FieldType } from './field.js';
import type { DefinitionInput } from './field-types/field-type-descriptor.js';
import { schemaName } from './field-types/common-definition.js';
import { fieldTypeRegistry } from './field-types/registry.js';

/**
 * The shape clients send to create or alter a collection (REST body, schema file entry).
 * Only the shape is checked here; rules that need the rest of the schema live in `normalize-collection.ts`.
 */
const name = schemaName;

/** null: admins only; "": anyone; otherwise a filter expression, checked against the schema when saved. */
const rule = z.string().max(4000).nullable().optional();

/** A parsed field definition: its type and the options that type accepts (each type's `input`). */
export type FieldInput = { [T in FieldType]: DefinitionInput<Extract<Field, { type: T }>> }[FieldType];

type Discriminable = z.ZodObject<{ type: z.ZodLiteral<FieldType> }>;
const [firstInput, ...otherInputs] = Object.values(fieldTypeRegistry).map((type) => type.input as unknown as Discriminable);
/** A field definition: its type picks which options are accepted. */
const fieldInput = z.discriminatedUnion('type', [firstInput!, ...otherInputs]) as unknown as z.ZodType<FieldInput>;

const indexInput = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/).optional(),
  fields: z.array(name).min(1).max(16),
  unique: z.boolean().optional(),
});

export const collectionInputSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  name,
  type: z.enum(['base', 'auth']).optional(),
  fields: z.array(fieldInput).max(200).default([]),
  indexes: z.array(indexInput).max(64).default([]),
  listRule: rule,
  viewRule: rule,
  createRule: rule,
  updateRule: rule,
  deleteRule: rule,
});

export type CollectionInput = z.input<typeof collectionInputSchema>;
export type ParsedCollectionInput = z.output<typeof collectionInputSchema>;
