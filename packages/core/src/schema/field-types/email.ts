import { z } from 'zod';
import type { EmailField } from '../field.js';
import { plainCodec } from './codecs.js';
import { commonDefinitionInput } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { scalarFilter, textOperators } from './filter-facets.js';
import { fail, ok } from './value-checks.js';

// A pragmatic address check: one @, no spaces, a dot in the domain. Deliverability is the mailer's business.
const emailPattern = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** An email address (filtered and sorted as text). */
export const emailType: FieldTypeDescriptor<EmailField> = {
  type: 'email',
  input: z.strictObject({ ...commonDefinitionInput, type: z.literal('email'), default: z.string().optional() }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: () => undefined,

  validate: (_field, value) => (typeof value !== 'string' || value.length > 254 || !emailPattern.test(value) ? fail('email', 'must be an email address') : ok(value)),
  shape: () => 'scalar',
  emptyStringIsNull: () => true,

  column: () => 'text',
  codec: () => plainCodec,

  filter: () => scalarFilter('email', 'text', textOperators),
  sortable: () => true,

  jsonSchema: () => ({ type: 'string', format: 'email' }),
  graphql: () => ({ kind: 'scalar', scalar: 'string', list: false }),
  typescript: () => 'string',
  editor: { input: 'text', multiple: false, default: true, unique: true, options: [] },
};
