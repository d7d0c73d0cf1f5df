import { describe, expect, it } from 'vitest';
import { causewayErrorOf, expectFilterError } from '../../../../test/support/causeway-error-of.js';
import type { Collection } from '../schema/collection.js';
import type { Field } from '../schema/field.js';
import { SqlParams, type SqlDialect } from '../sql/sql-dialect.js';
import { compileCondition } from './compile-condition.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter, type FilterVariables } from './resolve-filter.js';

const base = { required: false, unique: false };
const collection = (name: string, fields: Field[]): Collection => ({ id: name, name, type: 'base', fields, indexes: [], created: '', updated: '' });
const users = collection('users', [{ ...base, id: 'u1', name: 'name', type: 'text' }]);
const posts = collection('posts', [
  { ...base, id: 'f1', name: 'title', type: 'text' },
  { ...base, id: 'f2', name: 'views', type: 'number', integer: true },
  { ...base, id: 'f3', name: 'published', type: 'bool' },
  { ...base, id: 'f4', name: 'at', type: 'datetime' },
  { ...base, id: 'f5', name: 'status', type: 'select', values: ['draft', 'live'], multiple: false },
  { ...base, id: 'f6', name: 'meta', type: 'json' },
  { ...base, id: 'f7', name: 'owner', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
  { ...base, id: 'f8', name: 'tags', type: 'select', values: ['a'], multiple: true },
]);
const schema = { collection: (name: string) => [users, posts].find((c) => c.name === name) };
const resolve = (text: string, variables?: FilterVariables) => resolveFilter(parseFilter(text), posts, schema, variables);

const failure = (text: string) => causewayErrorOf(() => resolve(text));

const dialect: SqlDialect = {
  name: 'test',
  quoteIdent: (n) => `"${n}"`,
  placeholder: (i) => `$${i}`,
  encodeParam: (v) => v,
  containsInsensitive: (c, p) => `lower(${c}) LIKE ${p}`,
  jsonArrayElements: (c, a) => ({ from: `each(${c}) ${a}`, value: `${a}.value` }),
};

describe('resolveFilter', () => {
  it.each([
    ['titel = "x"', 0, "unknown field 'titel' in collection 'posts'"],
    ['owner.nme = "x"', 0, "unknown field 'nme' in collection 'users'"],
    ['title.length = 1', 0, "'title' is a text field, not a relation"],
    ['views > "many"', 8, 'expected a number'],
    ['published > true', 10, "operator '>' is not supported on bool field 'published'"],
    ['published = 1', 12, 'expected true or false'],
    ['at > "last week"', 5, 'expected an ISO 8601 date-time'],
    ['status = "gone"', 9, 'expected one of "draft", "live"'],
    ['meta = "x"', 5, "operator '=' is not supported on json field 'meta'"],
    ['tags = "a"', 5, "operator '=' is not supported on select list field 'tags'"],
    ['views = title', 8, 'comparing two fields'],
    ['views > null', 8, 'null can only be compared'],
    ['owner = @request.auth.id', 8, "unknown variable '@request.auth.id'"],
    ['"x" ~ title', 4, "the field must be on the left of '~'"],
  ])('rejects %j at %i', (text, position, message) => {
    expectFilterError(failure(text), position, message);
  });

  it('normalises dates to their stored form', () => {
    expect(resolve('at >= "2024-05-06T07:08:09+02:00"')).toMatchObject({ kind: 'compare', value: '2024-05-06T05:08:09.000Z' });
    expect(resolve('at < "2024-05-06"')).toMatchObject({ value: '2024-05-06T00:00:00.000Z' });
  });

  it('turns comparisons with null into null checks and flips literals to the right', () => {
    expect(resolve('title = null')).toMatchObject({ kind: 'isNull', negated: false });
    expect(resolve('title != null')).toMatchObject({ kind: 'isNull', negated: true });
    expect(resolve('10 < views')).toMatchObject({ kind: 'compare', op: '>', value: 10 });
  });

  it('substitutes variables and folds constant comparisons', () => {
    expect(resolve('owner = @request.auth.id', { '@request.auth.id': 'u9' })).toMatchObject({ kind: 'compare', value: 'u9' });
    expect(resolve('@request.auth.id != ""', { '@request.auth.id': '' })).toEqual({ kind: 'const', value: false });
  });
});

describe('compileCondition', () => {
  it('binds every value as a parameter, never as SQL text', () => {
    const hostile = `x'; DROP TABLE posts; --`;
    const params = new SqlParams(dialect);
    const sql = compileCondition(resolve(`title = ${JSON.stringify(hostile)} || owner.name ~ "a'b"`), 't', params, dialect);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("a'b");
    expect(params.values).toEqual([hostile, "a'b"]);
    expect(sql).toContain('EXISTS (SELECT 1 FROM "users" AS r1 WHERE r1."id" = t."owner"');
  });
});
