import { z } from 'zod';
import type { DateField } from '../field.js';
import { normalizeDate } from '../../values/dates.js';
import { plainCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { scalarFilter, textOperators } from './filter-facets.js';
import { fail, ok } from './value-checks.js';

/** A calendar date, stored as YYYY-MM-DD (so text order is date order). */
export const dateType: FieldTypeDescriptor<DateField> = {
  type: 'date',
  input: z.strictObject({ ...commonDefinitionInput, type: z.literal('date'), default: z.string().optional() }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: () => undefined,

  validate: (_field, value) => {
    const date = typeof value === 'string' ? normalizeDate(value) : undefined;
    return date === undefined ? fail('date', 'must be a date as YYYY-MM-DD') : ok(date);
  },
  shape: () => 'scalar',
  emptyStringIsNull: () => true,

  column: () => 'text',
  codec: () => plainCodec,

  filter: () => scalarFilter('date', 'date', textOperators),
  sortable: () => true,

  jsonSchema: () => ({ type: 'string', format: 'date' }),
  graphql: () => ({ kind: 'scalar', scalar: 'date', list: false }),
  typescript: () => 'string',
  editor: { input: 'date', multiple: false, default: true, unique: true, options: [] },
};
