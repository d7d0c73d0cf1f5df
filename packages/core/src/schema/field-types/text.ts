import { z } from 'zod';
import type { TextField } from '../field.js';
import { maxPatternInputLength, unsafePatternReason } from '../../values/pattern-safety.js';
import { plainCodec } from './codecs.js';
import { commonDefinitionInput, length } from './common-definition.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { scalarFilter, textOperators } from './filter-facets.js';
import { checkRange, fail, ok } from './value-checks.js';

const patternCache = new Map<string, RegExp>();

function compiledPattern(pattern: string): RegExp {
  let regex = patternCache.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    patternCache.set(pattern, regex);
  }
  return regex;
}

/** Free text, with optional length bounds (in code points) and a pattern. */
export const textType: FieldTypeDescriptor<TextField> = {
  type: 'text',
  input: z.strictObject({
    ...commonDefinitionInput,
    type: z.literal('text'),
    min: length.optional(),
    max: length.optional(),
    pattern: z.string().max(1000).optional(),
    default: z.string().optional(),
  }),
  normalize: (input, common) => ({ ...input, ...common }),
  checkDefinition: (field) => {
    const range = checkRange(field);
    if (range) return range;
    if (field.pattern === undefined) return undefined;
    try {
      new RegExp(field.pattern, 'u');
    } catch {
      return { code: 'pattern', message: 'pattern is not a valid regular expression' };
    }
    const unsafe = unsafePatternReason(field.pattern);
    return unsafe ? { code: 'unsafe_pattern', message: `pattern could take exponential time on some values: ${unsafe}` } : undefined;
  },

  validate: (field, value) => {
    if (typeof value !== 'string') return fail('type', 'must be a string');
    const length = [...value].length;
    if (field.min !== undefined && value !== '' && length < field.min) return fail('too_short', `must be at least ${field.min} characters`);
    if (field.max !== undefined && length > field.max) return fail('too_long', `must be at most ${field.max} characters`);
    // Patterns are checked for catastrophic backtracking when defined; the cap bounds what remains (polynomial).
    if (field.pattern !== undefined && value.length > maxPatternInputLength) return fail('pattern', `must be at most ${maxPatternInputLength} characters to be checked against the pattern`);
    if (field.pattern !== undefined && value !== '' && !compiledPattern(field.pattern).test(value)) return fail('pattern', `must match the pattern ${field.pattern}`);
    return ok(value);
  },
  emptyStringIsNull: () => false,
  shape: () => 'scalar',

  column: () => 'text',
  codec: () => plainCodec,

  filter: () => scalarFilter('text', 'text', textOperators),
  sortable: () => true,

  jsonSchema: (field) => ({
    type: 'string',
    ...(field.min !== undefined && { minLength: field.min }),
    ...(field.max !== undefined && { maxLength: field.max }),
    ...(field.pattern !== undefined && { pattern: field.pattern }),
  }),
  graphql: () => ({ kind: 'scalar', scalar: 'string', list: false }),
  typescript: () => 'string',
  editor: {
    input: 'text',
    multiple: false,
    default: true,
    unique: true,
    options: [
      { key: 'min', label: 'min length', control: 'number' },
      { key: 'max', label: 'max length', control: 'number' },
      { key: 'pattern', label: 'pattern', control: 'text' },
    ],
  },
};
