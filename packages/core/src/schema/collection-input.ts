import { z } from 'zod';

/**
 * The shape clients send to create or alter a collection (REST body, schema file entry).
 * Only the shape is checked here; rules that need the rest of the schema live in `normalize-collection.ts`.
 */
const name = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must start with a letter and hold only letters, digits and _ (at most 63)')
  // Databases reserve these prefixes for their own tables.
  .refine((value) => !/^(sqlite_|pg_)/i.test(value), 'must not start with sqlite_ or pg_');

const common = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  name,
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  hidden: z.boolean().optional(),
  visibility: z.enum(['everyone', 'owner', 'admins']).optional(),
  readOnly: z.boolean().optional(),
};

/** null: admins only; "": anyone; otherwise a filter expression, checked against the schema when saved. */
const rule = z.string().max(4000).nullable().optional();

const finite = z.number().finite();
const length = z.number().int().min(0);

const fieldInput = z.discriminatedUnion('type', [
  z.strictObject({
    ...common,
    type: z.literal('text'),
    min: length.optional(),
    max: length.optional(),
    pattern: z.string().max(1000).optional(),
    default: z.string().optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('number'),
    integer: z.boolean().optional(),
    min: finite.optional(),
    max: finite.optional(),
    default: finite.optional(),
  }),
  z.strictObject({ ...common, type: z.literal('bool'), default: z.boolean().optional() }),
  z.strictObject({ ...common, type: z.literal('date'), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('datetime'), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('email'), default: z.string().optional() }),
  z.strictObject({ ...common, type: z.literal('url'), default: z.string().optional() }),
  z.strictObject({
    ...common,
    type: z.literal('select'),
    values: z.array(z.string().min(1).max(200)).min(1).max(1000),
    multiple: z.boolean().optional(),
    default: z.union([z.string(), z.array(z.string())]).optional(),
  }),
  z.strictObject({ ...common, type: z.literal('json'), default: z.json().optional() }),
  z.strictObject({
    ...common,
    type: z.literal('relation'),
    collection: name,
    multiple: z.boolean().optional(),
    onDelete: z.enum(['cascade', 'restrict', 'setNull']).optional(),
    linkAny: z.boolean().optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('file'),
    multiple: z.boolean().optional(),
    maxFiles: z.number().int().min(1).max(1000).optional(),
    // 5 TB is S3's largest object; larger would only fail later.
    maxSize: z.number().int().min(1).max(5 * 1024 ** 4).optional(),
    mimeTypes: z.array(z.string().regex(/^[a-z0-9][a-z0-9.+-]*\/(?:\*|[a-z0-9][a-z0-9.+-]*)$/, 'must be a MIME type such as image/png or image/*')).max(100).optional(),
    protected: z.boolean().optional(),
    thumbs: z.array(z.string().regex(/^\d{1,4}x\d{1,4}$/, 'must be WxH, such as 100x100 or 0x300')).max(10).optional(),
  }),
]);

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
export type FieldInput = z.output<typeof fieldInput>;
