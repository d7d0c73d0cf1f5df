import { z } from 'zod';
import type { NumberField } from '../field.js';
import { numberCodec } from './codecs.js';
import { commonDefinitionInput, finite } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { orderedOperators, scalarFilter } from './filter-facets.js';
import { checkRange, fail, ok } from './value-checks.js';

const int32 = 2 ** 31;

/** A finite number, optionally whole and bounded. */
export const numberType: FieldTypeDescriptor<NumberField> = {
  type: 'number',
  input: z.strictObject({
    ...commonDefinitionInput,
    type: z.literal('number'),
    integer: z.boolean().optional(),
    min: finite.optional(),
    max: finite.optional(),
    default: finite.optional(),
  }),
  normalize: (input, common) => ({ ...input, ...common, integer: input.integer ?? false }),
  checkDefinition: (field) => checkRange(field),

  validate: (field, value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return fail('type', 'must be a number');
    if (field.integer && !Number.isSafeInteger(value)) return fail('integer', 'must be a whole number');
    if (field.min !== undefined && value < field.min) return fail('too_small', `must be at least ${field.min}`);
    if (field.max !== undefined && value > field.max) return fail('too_large', `must be at most ${field.max}`);
    return ok(value);
  },
  shape: () => 'scalar',
  emptyStringIsNull: () => true,

  column: (field) => (field.integer ? 'integer' : 'real'),
  codec: () => numberCodec,

  filter: () => scalarFilter('number', 'number', orderedOperators),
  sortable: () => true,

  jsonSchema: (field) => ({
    type: field.integer ? 'integer' : 'number',
    ...(field.min !== undefined && { minimum: field.min }),
    ...(field.max !== undefined && { maximum: field.max }),
  }),
  // GraphQL's Int is 32-bit: only a field bounded within it can promise to fit.
  graphql: (field) => {
    const fits = field.integer && field.min !== undefined && field.max !== undefined && field.min >= -int32 && field.max < int32;
    return { kind: 'scalar', scalar: fits ? 'int' : 'float', list: false };
  },
  typescript: () => 'number',
  editor: {
    input: 'number',
    multiple: false,
    default: true,
    unique: true,
    options: [
      { key: 'integer', label: 'integer', control: 'flag' },
      { key: 'min', label: 'min', control: 'number' },
      { key: 'max', label: 'max', control: 'number' },
    ],
  },
};
