import { z } from 'zod';
import type { RelationField } from '../field.js';
import { listCodec, plainCodec } from './codecs.js';
import { commonDefinitionInput, schemaName } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { equalityOperators, listFilter, scalarFilter } from './filter-facets.js';
import { checkList, fail, ok } from './value-checks.js';

/**
 * The id of a record of another collection (or with `multiple` a list of ids). Targets are checked by the
 * writer, which sees the schema and the caller; `onDelete` is applied by the core.
 */
export const relationType: FieldTypeDescriptor<RelationField> = {
  type: 'relation',
  input: z.strictObject({
    ...commonDefinitionInput,
    type: z.literal('relation'),
    collection: schemaName,
    multiple: z.boolean().optional(),
    onDelete: z.enum(['cascade', 'restrict', 'setNull']).optional(),
    linkAny: z.boolean().optional(),
  }),
  normalize: (input, common) => {
    const { linkAny, ...rest } = input;
    const onDelete = input.onDelete ?? (common.required ? 'restrict' : 'setNull');
    return { ...rest, ...common, collection: input.collection ?? '', multiple: input.multiple ?? false, onDelete, ...(linkAny ? { linkAny: true } : {}) };
  },
  checkDefinition: (field, { collection, schema }) => {
    if (field.collection !== collection && !schema.collection(field.collection)) return { code: 'unknown_collection', message: `collection '${field.collection}' does not exist` };
    if (field.onDelete === 'setNull' && field.required) return { code: 'on_delete', message: 'a required relation cannot be set to null on delete' };
    return undefined;
  },

  validate: (field, value) => {
    if (field.multiple) return checkList(value, 'record ids');
    return typeof value === 'string' && value !== '' ? ok(value) : fail('type', 'must be a record id');
  },
  shape: (field) => (field.multiple ? 'list' : 'scalar'),
  emptyStringIsNull: (field) => !field.multiple,

  column: () => 'text',
  codec: (field) => (field.multiple ? listCodec : plainCodec),

  filter: (field) => (field.multiple ? listFilter('relation') : scalarFilter('relation', 'text', equalityOperators)),
  sortable: (field) => !field.multiple,

  jsonSchema: (field) =>
    field.multiple
      ? { type: 'array', items: { type: 'string' }, uniqueItems: true, description: `Ids of '${field.collection}' records.` }
      : { type: 'string', description: `Id of a '${field.collection}' record.` },
  graphql: (field) => ({ kind: 'reference', collection: field.collection, list: field.multiple }),
  typescript: (field) => (field.multiple ? 'string[]' : 'string'),
  editor: {
    input: 'relation',
    multiple: true,
    default: false,
    unique: true,
    options: [
      { key: 'collection', label: 'target', control: 'collection', essential: true },
      {
        key: 'onDelete',
        label: 'on delete',
        control: 'choice',
        choices: [
          { value: 'cascade', label: 'cascade' },
          { value: 'restrict', label: 'restrict' },
          { value: 'setNull', label: 'set null' },
        ],
      },
      { key: 'linkAny', label: 'link any record', control: 'flag', title: 'Let anyone who may write link any existing record, even one they may not view (invitations)' },
    ],
  },
};
