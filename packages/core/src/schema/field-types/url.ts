import { z } from 'zod';
import type { UrlField } from '../field.js';
import { plainCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { scalarFilter, textOperators } from './filter-facets.js';
import { fail, ok } from './value-checks.js';

/** An absolute http or https URL (filtered and sorted as text). */
export const urlType: FieldTypeDescriptor<UrlField> = {
  type: 'url',
  input: z.strictObject({ ...commonDefinitionInput, type: z.literal('url'), default: z.string().optional() }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: () => undefined,

  validate: (_field, value) => {
    if (typeof value !== 'string' || !URL.canParse(value)) return fail('url', 'must be an absolute URL');
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:' ? ok(value) : fail('url', 'must be an http or https URL');
  },
  shape: () => 'scalar',
  emptyStringIsNull: () => true,

  column: () => 'text',
  codec: () => plainCodec,

  filter: () => scalarFilter('url', 'text', textOperators),
  sortable: () => true,

  jsonSchema: () => ({ type: 'string', format: 'uri' }),
  graphql: () => ({ kind: 'scalar', scalar: 'string', list: false }),
  typescript: () => 'string',
  editor: { input: 'text', multiple: false, default: true, unique: true, options: [] },
};
