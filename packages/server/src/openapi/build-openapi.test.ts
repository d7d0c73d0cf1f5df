import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { adminOnlyRules, type Collection, type Field } from '@causeway/core';
import { buildOpenApi } from './build-openapi.js';

const base = { required: false, unique: false };
const fields: Field[] = [
  { ...base, id: '1', name: 'title', type: 'text', required: true, min: 1, max: 200, pattern: '^[a-z]+$' },
  { ...base, id: '2', name: 'views', type: 'number', integer: true, min: 0 },
  { ...base, id: '3', name: 'rating', type: 'number', integer: false, max: 5 },
  { ...base, id: '4', name: 'published', type: 'bool', default: false, required: true },
  { ...base, id: '5', name: 'day', type: 'date' },
  { ...base, id: '6', name: 'at', type: 'datetime' },
  { ...base, id: '7', name: 'mail', type: 'email' },
  { ...base, id: '8', name: 'link', type: 'url' },
  { ...base, id: '9', name: 'status', type: 'select', values: ['draft', 'live'], multiple: false },
  { ...base, id: '10', name: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
  { ...base, id: '11', name: 'meta', type: 'json' },
  { ...base, id: '12', name: 'author', type: 'relation', collection: 'authors', multiple: false, onDelete: 'setNull' },
  { ...base, id: '13', name: 'reviewers', type: 'relation', collection: 'authors', multiple: true, onDelete: 'setNull' },
];
const collection = (name: string, f: Field[]): Collection => ({ id: name, name, type: 'base', fields: f, indexes: [], ...adminOnlyRules, created: '', updated: '' });
const posts = collection('posts', fields);
const authors = collection('authors', [{ ...base, id: 'n', name: 'name', type: 'text' }]);

async function expectValid(document: unknown): Promise<void> {
  const result = await new Validator().validate(document as Parameters<Validator['validate']>[0]);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
}

describe('buildOpenApi', () => {
  it('produces a valid OpenAPI 3.1 document for every field type', async () => {
    const document = buildOpenApi([authors, posts]);
    await expectValid(document);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/collections/posts/records', '/api/collections/posts/records/{id}', '/api/batch']));
  });

  it('is valid with no collections', async () => {
    await expectValid(buildOpenApi([]));
  });

  it('maps field types precisely', () => {
    const { properties } = buildOpenApi([authors, posts]).components.schemas.postsRecord!;
    expect(properties!.status).toEqual({ type: ['string', 'null'], enum: ['draft', 'live', null] });
    expect(properties!.tags).toMatchObject({ type: 'array', items: { enum: ['a', 'b'] } });
    expect(properties!.views).toEqual({ type: ['integer', 'null'], minimum: 0 });
    expect(properties!.title).toEqual({ type: 'string', minLength: 1, maxLength: 200, pattern: '^[a-z]+$' });
    expect(properties!.at).toMatchObject({ format: 'date-time' });
  });

  it('requires on create only the required fields without a default', () => {
    const create = buildOpenApi([authors, posts]).components.schemas.postsCreate!;
    expect(create.required).toEqual(['title']);
    expect(create.additionalProperties).toBe(false);
  });

  it('requires every property of a whole record, none of a selected one, and expands to selected records', () => {
    const { schemas } = buildOpenApi([authors, posts]).components;
    expect(schemas.postsRecord!.required).toEqual(expect.arrayContaining(['id', 'created', 'updated', 'title', 'reviewers']));
    expect(schemas.postsSelected!.required).toBeUndefined();
    expect(schemas.postsSelected!.properties!.expand!.properties).toEqual({
      author: { $ref: '#/components/schemas/authorsSelected' },
      reviewers: { type: 'array', items: { $ref: '#/components/schemas/authorsSelected' } },
    });
  });

  it('leaves out of expand a relation whose collection does not exist', () => {
    expect(buildOpenApi([posts]).components.schemas.postsSelected!.properties!.expand).toBeUndefined();
  });

  it('declares on every operation the answers any request can get', () => {
    const { paths } = buildOpenApi([authors, posts]);
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const statuses = Object.keys(operation!.responses);
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '429', '500', '503']));
        if (method !== 'get') expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '413', '415']));
        if (path.includes('{')) expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['400', '414']));
      }
    }
  });
});
