import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { SqlDialect } from '../../sql/sql-dialect.js';
import { maxJsonDepth } from '../../values/json-depth.js';
import type { Field, FieldType } from '../field.js';
import { normalizeCollection } from '../normalize-collection.js';
import type { FieldTypeDescriptor } from './field-type-descriptor.js';
import { fieldTypeOf, fieldTypeRegistry, fieldTypes } from './registry.js';

/** Per type: a definition (beside name and type), a value it accepts (and its stored form), one it refuses. */
const samples: Record<FieldType, { options?: Record<string, unknown>; good: unknown; normalised?: unknown; bad: unknown }> = {
  text: { options: { max: 5 }, good: 'hello', bad: 'too long' },
  number: { options: { integer: true }, good: 42, bad: 1.5 },
  bool: { good: true, bad: 'yes' },
  date: { good: '2026-12-02', bad: '2026-13-40' },
  datetime: { good: '2026-12-02T10:00:00+01:00', normalised: '2026-12-02T09:00:00.000Z', bad: 'yesterday' },
  email: { good: 'a@example.com', bad: 'a@' },
  url: { good: 'https://example.com/', bad: 'javascript:alert(1)' },
  select: { options: { values: ['a', 'b'], multiple: true }, good: ['a', 'b'], bad: ['c'] },
  json: { good: { nested: [1, 'two'] }, bad: JSON.parse(`${'['.repeat(maxJsonDepth + 2)}${']'.repeat(maxJsonDepth + 2)}`) },
  relation: { options: { collection: 'things' }, good: 'r1', bad: 7 },
  file: { options: { multiple: true }, good: ['photo_0123456789.png'], bad: ['../etc/passwd'] },
};

// SQLite's parameter form of a boolean (the store adapters' own codecs are exercised by the records suites).
const dialect: SqlDialect = {
  name: 'test',
  quoteIdent: (n) => `"${n}"`,
  placeholder: () => '?',
  encodeParam: (v) => (typeof v === 'boolean' ? Number(v) : v),
  containsInsensitive: (c, p) => `contains(${c}, ${p})`,
  jsonArrayElements: (c, a) => ({ from: `each(${c}) AS ${a}`, value: `${a}.value` }),
  rowLock: () => '',
};

const facets: readonly (keyof FieldTypeDescriptor<Field>)[] = [
  'type', 'input', 'normalize', 'checkDefinition', 'validate', 'shape', 'emptyStringIsNull', 'column', 'codec', 'filter', 'sortable', 'jsonSchema', 'graphql', 'typescript', 'editor',
];

/** The field as a collection definition stores it, every default filled in by its type. */
const things = normalizeCollection({ name: 'things' }, { collection: () => undefined });
const lookup = { collection: (name: string) => (name === 'things' ? things : undefined) };

function defined(type: FieldType): Field {
  const collection = normalizeCollection({ name: 'holder', fields: [{ name: 'value', type, ...samples[type].options }] }, lookup);
  return collection.fields[0]!;
}

describe('the field type registry', () => {
  it('has a sample here for every type, so each type below is checked', () => {
    expect([...fieldTypes].sort()).toEqual(Object.keys(samples).sort());
  });

  it('gives every type a descriptor with every facet, keyed by its own type', () => {
    for (const type of fieldTypes) {
      const descriptor = fieldTypeRegistry[type];
      expect(descriptor.type).toBe(type);
      for (const facet of facets) expect(descriptor[facet], `${type}.${facet}`).toBeDefined();
    }
  });

  describe.each(fieldTypes)('%s', (type) => {
    const field = defined(type);
    const descriptor = fieldTypeOf(field);
    const sample = samples[type];

    it('normalises its definition and accepts it back unchanged', () => {
      expect(field.type).toBe(type);
      expect(descriptor.checkDefinition(field, { collection: 'holder', schema: lookup })).toBeUndefined();
      expect(descriptor.input.safeParse({ ...field }).success).toBe(true);
    });

    it('accepts a good value and refuses a bad one with a code and a message', () => {
      const good = descriptor.validate(field, sample.good);
      expect(good).toEqual({ ok: true, value: sample.normalised ?? sample.good });
      const bad = descriptor.validate(field, sample.bad);
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.issue).toEqual({ code: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String) });
    });

    it('stores a value in its column kind and reads it back', () => {
      expect(['text', 'integer', 'real', 'boolean', 'json']).toContain(descriptor.column(field));
      const codec = descriptor.codec(field);
      const value = sample.normalised ?? sample.good;
      const stored = codec.encode(value, dialect);
      expect(['string', 'number']).toContain(typeof stored);
      expect(codec.decode(stored)).toEqual(value);
      expect(codec.decode(null)).toEqual(descriptor.shape(field) === 'list' ? [] : null);
    });

    it('describes its filter operators consistently with its shape and sortability', () => {
      const filter = descriptor.filter(field);
      const shape = descriptor.shape(field);
      expect(filter.list).toBe(shape === 'list');
      expect(filter.label).toMatch(new RegExp(`^${type}( list)?$`));
      for (const op of filter.operators) expect(['=', '!=', '>', '>=', '<', '<=', '~', '!~', 'in']).toContain(op);
      if (shape === 'list') expect([...filter.operators].sort()).toEqual(['!~', '~']);
      // Only single values can be sorted, indexed and unique.
      expect(descriptor.sortable(field)).toBe(shape === 'scalar');
    });

    it('describes itself to OpenAPI, GraphQL, `causeway types` and the console', () => {
      const schema = descriptor.jsonSchema(field);
      expect(typeof schema).toBe('object');
      if (descriptor.shape(field) === 'list') expect(schema.type).toBe('array');
      const graphql = descriptor.graphql(field);
      expect(['scalar', 'enum', 'reference', 'file']).toContain(graphql.kind);
      expect(graphql.list).toBe(descriptor.shape(field) === 'list');
      expect(descriptor.typescript(field)).toMatch(/\S/);
      expect(['text', 'number', 'checkbox', 'date', 'datetime', 'choice', 'json', 'relation', 'file']).toContain(descriptor.editor.input);
      // Every option the editor offers is one the definition accepts.
      const accepted = Object.keys((descriptor.input as unknown as z.ZodObject).shape);
      for (const option of descriptor.editor.options) expect(accepted).toContain(option.key);
      if (descriptor.editor.multiple) expect(accepted).toContain('multiple');
    });
  });
});
