import { z } from 'zod';
import type { SelectField } from '../field.js';
import { listCodec, plainCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { listFilter, scalarFilter, textOperators } from './filter-facets.js';
import { checkList, fail, ok } from './value-checks.js';

/** One of a fixed set of strings, or with `multiple` a list of distinct ones. */
export const selectType: FieldTypeDescriptor<SelectField> = {
  type: 'select',
  input: z.strictObject({
    ...commonDefinitionInput,
    type: z.literal('select'),
    values: z.array(z.string().min(1).max(200)).min(1).max(1000),
    multiple: z.boolean().optional(),
    default: z.union([z.string(), z.array(z.string())]).optional(),
  }),
  normalize: (input, common) => ({ ...input, ...common, values: input.values ?? [], multiple: input.multiple ?? false }),
  checkDefinition: (field) => (new Set(field.values).size !== field.values.length ? { code: 'duplicate', message: 'values must be unique' } : undefined),

  validate: (field, value) => {
    if (field.multiple) return checkList(value, 'strings', field.values);
    if (typeof value !== 'string') return fail('type', 'must be a string');
    return field.values.includes(value) ? ok(value) : fail('not_allowed', `must be one of: ${field.values.join(', ')}`);
  },
  shape: (field) => (field.multiple ? 'list' : 'scalar'),
  emptyStringIsNull: (field) => !field.multiple,

  column: () => 'text',
  codec: (field) => (field.multiple ? listCodec : plainCodec),

  // Ordering by an arbitrary bound (`status < "m"`) is meaningful, so only equality must name a value.
  filter: (field) => (field.multiple ? listFilter('select', field.values) : scalarFilter('select', 'text', textOperators, field.values)),
  sortable: (field) => !field.multiple,

  jsonSchema: (field) => (field.multiple ? { type: 'array', items: { type: 'string', enum: field.values }, uniqueItems: true } : { type: 'string', enum: field.values }),
  graphql: (field) => ({ kind: 'enum', values: field.values, list: field.multiple }),
  typescript: (field) => {
    const union = field.values.map((v) => JSON.stringify(v)).join(' | ');
    return field.multiple ? `(${union})[]` : union;
  },
  editor: {
    input: 'choice',
    multiple: true,
    default: true,
    unique: true,
    options: [{ key: 'values', label: 'values', control: 'list', placeholder: 'a, b, c', essential: true }],
  },
};
