import { z } from 'zod';
import type { JsonField } from '../field.js';
import { jsonDeeperThan, maxJsonDepth } from '../../values/json-depth.js';
import { jsonCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { scalarFilter } from './filter-facets.js';
import { fail, ok } from './value-checks.js';

/** Any JSON value, nesting bounded. Only `is null` filters it; it cannot be sorted, indexed or unique. */
export const jsonType: FieldTypeDescriptor<JsonField> = {
  type: 'json',
  input: z.strictObject({ ...commonDefinitionInput, type: z.literal('json'), default: z.json().optional() }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: () => undefined,

  validate: (_field, value) => (jsonDeeperThan(value, maxJsonDepth) ? fail('too_deep', `must not nest objects and arrays more than ${maxJsonDepth} levels deep`) : ok(value)),
  emptyStringIsNull: () => false,
  shape: () => 'document',

  column: () => 'json',
  codec: () => jsonCodec,

  filter: () => scalarFilter('json', 'text', new Set()),
  sortable: () => false,

  jsonSchema: () => ({ description: 'Any JSON value.' }),
  graphql: () => ({ kind: 'scalar', scalar: 'json', list: false }),
  typescript: () => 'unknown',
  editor: { input: 'json', multiple: false, default: true, unique: false, options: [] },
};
