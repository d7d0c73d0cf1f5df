import { z } from 'zod';
import type { BoolField } from '../field.js';
import { booleanCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { equalityOperators, scalarFilter } from './filter-facets.js';
import { fail, ok } from './value-checks.js';

/** true or false. */
export const boolType: FieldTypeDescriptor<BoolField> = {
  type: 'bool',
  input: z.strictObject({ ...commonDefinitionInput, type: z.literal('bool'), default: z.boolean().optional() }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: () => undefined,

  validate: (_field, value) => (typeof value === 'boolean' ? ok(value) : fail('type', 'must be true or false')),
  shape: () => 'scalar',
  emptyStringIsNull: () => true,

  column: () => 'boolean',
  codec: () => booleanCodec,

  filter: () => scalarFilter('bool', 'bool', equalityOperators),
  sortable: () => true,

  jsonSchema: () => ({ type: 'boolean' }),
  graphql: () => ({ kind: 'scalar', scalar: 'boolean', list: false }),
  typescript: () => 'boolean',
  editor: { input: 'checkbox', multiple: false, default: true, unique: true, options: [] },
};
