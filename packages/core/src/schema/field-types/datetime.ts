import { z } from 'zod';
import type { DateTimeField } from '../field.js';
import { normalizeDateTime } from '../../values/dates.js';
import { plainCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { scalarFilter, textOperators } from './filter-facets.js';
import { fail, ok } from './value-checks.js';

/** An instant, stored as an ISO 8601 date-time in UTC with milliseconds (so text order is time order). */
export const datetimeType: FieldTypeDescriptor<DateTimeField> = {
  type: 'datetime',
  input: z.strictObject({ ...commonDefinitionInput, type: z.literal('datetime'), default: z.string().optional() }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: () => undefined,

  validate: (_field, value) => {
    const datetime = typeof value === 'string' ? normalizeDateTime(value) : undefined;
    return datetime === undefined ? fail('datetime', 'must be an ISO 8601 date-time') : ok(datetime);
  },
  shape: () => 'scalar',
  emptyStringIsNull: () => true,

  column: () => 'text',
  codec: () => plainCodec,

  filter: () => scalarFilter('datetime', 'datetime', textOperators),
  sortable: () => true,

  jsonSchema: () => ({ type: 'string', format: 'date-time' }),
  graphql: () => ({ kind: 'scalar', scalar: 'dateTime', list: false }),
  typescript: () => 'string',
  editor: { input: 'datetime', multiple: false, default: true, unique: true, options: [] },
};
