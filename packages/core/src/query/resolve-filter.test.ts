import { describe, expect, it } from 'vitest';
import { causewayErrorOf, expectFilterError } from '../../../../test/support/causeway-error-of.js';
import { adminOnlyRules, type Collection } from '../schema/collection.js';
import type { Field } from '../schema/field.js';
import { collectionsTouched } from './filter-condition.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter, type FilterVariables } from './resolve-filter.js';

const base = { required: false, unique: false };
const collection = (name: string, fields: Field[]): Collection => ({ id: name, name, type: 'base', fields, indexes: [], ...adminOnlyRules, created: '', updated: '' });
const users = collection('users', [
  { ...base, id: 'u1', name: 'name', type: 'text' },
  { ...base, id: 'u2', name: 'boss', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
  { ...base, id: 'u3', name: 'born', type: 'date' },
]);
const posts = collection('posts', [
  { ...base, id: 'f1', name: 'title', type: 'text' },
  { ...base, id: 'f2', name: 'views', type: 'number', integer: true },
  { ...base, id: 'f3', name: 'published', type: 'bool' },
  { ...base, id: 'f4', name: 'at', type: 'datetime' },
  { ...base, id: 'f5', name: 'status', type: 'select', values: ['draft', 'live'], multiple: false },
  { ...base, id: 'f6', name: 'meta', type: 'json' },
  { ...base, id: 'f7', name: 'owner', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
  { ...base, id: 'f8', name: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
  { ...base, id: 'f9', name: 'editors', type: 'relation', collection: 'users', multiple: true, onDelete: 'setNull' },
  { ...base, id: 'f10', name: 'day', type: 'date' },
  { ...base, id: 'f11', name: 'dangling', type: 'relation', collection: 'gone', multiple: false, onDelete: 'setNull' },
]);
const schema = { collection: (name: string) => [users, posts].find((c) => c.name === name) };
const resolve = (text: string, variables?: FilterVariables) => resolveFilter(parseFilter(text), posts, schema, variables ? { variables } : {});
const failure = (text: string, variables?: FilterVariables) => causewayErrorOf(() => resolve(text, variables));

describe('resolveFilter rejects', () => {
  it.each([
    ['titel = "x"', 0, "unknown field 'titel' in collection 'posts'"],
    ['owner.nme = "x"', 6, "unknown field 'nme' in collection 'users'"],
    ['title.length = 1', 0, "'title' is a text field, not a relation"],
    ['id.x = 1', 0, "'id' is a system field, not a relation"],
    ['owner.boss.boss.boss.boss.name = "x"', 21, 'at most 4 relations'],
    ['dangling.name = "x"', 0, "points at missing collection 'gone'"],
    ['views > "many"', 8, 'expected a number'],
    ['views in [1, "2"]', 13, 'expected a number'],
    ['published > true', 10, "operator '>' is not supported on bool field 'published'"],
    ['published = 1', 12, 'expected true or false'],
    ['title = 5', 8, 'expected a string'],
    ['at > "last week"', 5, 'expected an ISO 8601 date-time'],
    ['day = "2024-02-30"', 6, 'expected a date as "YYYY-MM-DD"'],
    ['owner.born < "2024-01-01T00:00:00Z"', 13, 'expected a date'],
    ['status = "gone"', 9, 'expected one of "draft", "live"'],
    ['status in ["live", "gone"]', 19, 'expected one of "draft", "live"'],
    ['tags ~ "c"', 7, 'expected one of "a", "b"'],
    ['meta = "x"', 5, "operator '=' is not supported on json field 'meta'"],
    ['meta ~ "x"', 5, "operator '~' is not supported on json field 'meta'"],
    ['tags = "a"', 5, "operator '=' is not supported on select list field 'tags'"],
    ['tags in ["a"]', 5, "operator 'in' is not supported on select list field 'tags'"],
    ['editors > "u1"', 8, "operator '>' is not supported on relation list field 'editors'"],
    ['owner ~ "u1"', 6, "operator '~' is not supported on relation field 'owner'"],
    ['views ~ "1"', 6, "operator '~' is not supported on number field 'views'"],
    ['views = title', 8, 'comparing two fields'],
    ['published = True', 12, 'keywords are lowercase: true'],
    ['views > null', 8, 'null can only be compared'],
    ['views in [1, null]', 13, "cannot hold null"],
    ['views in [title]', 10, 'expected a value, not a field'],
    ['owner = @request.auth.id', 8, "unknown variable '@request.auth.id'"],
    ['"x" ~ title', 4, "the field must be on the left of '~'"],
    ['5 > "a"', 2, 'cannot order number and string'],
  ])('%j at %i', (text, position, message) => {
    expectFilterError(failure(text), position, message);
  });

  it('a variable without a usable value', () => {
    expectFilterError(failure('views = @n', { '@n': Number.NaN }), 8, "variable '@n' has no usable value");
    expectFilterError(failure('title = @s', { '@s': '\ud800' }), 8, "variable '@s' has no usable value");
  });
});

describe('resolveFilter', () => {
  it('normalises dates to their stored form', () => {
    expect(resolve('at >= "2024-05-06T07:08:09+02:00"')).toMatchObject({ kind: 'compare', value: '2024-05-06T05:08:09.000Z' });
    expect(resolve('at < "2024-05-06"')).toMatchObject({ value: '2024-05-06T00:00:00.000Z' });
    expect(resolve('created in ["2024-05-06 10:00"]')).toMatchObject({ kind: 'in', values: ['2024-05-06T10:00:00.000Z'] });
    expect(resolve('day = "2024-02-29"')).toMatchObject({ value: '2024-02-29' });
  });

  it('leaves the needle of ~ on a date as written, since it looks for a piece of the text', () => {
    expect(resolve('at ~ "T10"')).toMatchObject({ op: '~', value: 'T10' });
  });

  it('turns comparisons with null into null checks and flips literals to the right', () => {
    expect(resolve('title = null')).toMatchObject({ kind: 'isNull', negated: false });
    expect(resolve('null != title')).toMatchObject({ kind: 'isNull', negated: true });
    expect(resolve('meta = null')).toMatchObject({ kind: 'isNull', negated: false });
    expect(resolve('10 < views')).toMatchObject({ kind: 'compare', op: '>', value: 10 });
    expect(resolve('10 >= views')).toMatchObject({ kind: 'compare', op: '<=', value: 10 });
    expect(resolve('"x" != title')).toMatchObject({ kind: 'compare', op: '!=', value: 'x' });
  });

  it('substitutes variables, keyed with or without their @', () => {
    expect(resolve('owner = @request.auth.id', { '@request.auth.id': 'u9' })).toMatchObject({ kind: 'compare', value: 'u9' });
    expect(resolve('owner = @request.auth.id', { 'request.auth.id': 'u9' })).toMatchObject({ kind: 'compare', value: 'u9' });
    expect(resolve('owner = @me', { '@me': null })).toMatchObject({ kind: 'isNull', negated: false });
    expect(resolve('views in [@n, 2]', { '@n': 1 })).toMatchObject({ kind: 'in', values: [1, 2] });
  });

  it('makes a comparison with a variable that cannot match its field false (true for !=), never an error', () => {
    expect(resolve('views > @n', { '@n': null })).toEqual({ kind: 'const', value: false });
    expect(resolve('views = @n', { '@n': 'many' })).toEqual({ kind: 'const', value: false });
    expect(resolve('views != @n', { '@n': 'many' })).toEqual({ kind: 'const', value: true });
    expect(resolve('status = @s', { '@s': 'gone' })).toEqual({ kind: 'const', value: false });
    expect(resolve('views in [@n, 2]', { '@n': 'x' })).toMatchObject({ kind: 'in', values: [2] });
    // A literal of the wrong type is still the author's mistake, and an error.
    expect(failure('views = "many"').code).toBe('INVALID_FILTER');
  });

  it('takes variables from a lookup function, which names unknown ones by answering undefined', () => {
    const lookup = (name: string) => (name === 'request.auth.id' ? 'u1' : undefined);
    expect(resolve('title = @request.auth.id', lookup)).toMatchObject({ kind: 'compare', value: 'u1' });
    expectFilterError(failure('title = @request.user', lookup), 8, "unknown variable '@request.user'");
  });

  it('hides hidden fields from client filters when asked', () => {
    const secret = { ...posts, fields: [...posts.fields, { ...base, id: 'h1', name: 'secret', type: 'text' as const, hidden: true }] };
    expect(resolveFilter(parseFilter('secret = "x"'), secret, schema)).toMatchObject({ kind: 'compare' });
    expectFilterError(causewayErrorOf(() => resolveFilter(parseFilter('secret = "x"'), secret, schema, { queryable: (_, field) => !field.hidden })), 0, "unknown field 'secret'");
  });

  it('folds value-against-value comparisons to constants with the meaning a field would give', () => {
    const folded = (text: string, variables?: FilterVariables) => (resolve(text, variables) as { value: unknown }).value;
    expect(resolve('@request.auth.id != ""', { '@request.auth.id': '' })).toEqual({ kind: 'const', value: false });
    expect(folded('1 = 1.0')).toBe(true);
    expect(folded('"1" = 1')).toBe(false);
    expect(folded('null = null')).toBe(true);
    expect(folded('null != 5')).toBe(true);
    expect(folded('null ~ "a"')).toBe(false);
    expect(folded('null !~ "a"')).toBe(true);
    expect(folded('"ABC" ~ "b"')).toBe(true);
    expect(folded('"\uE000" < "😀"')).toBe(true);
    expect(folded('null < 1')).toBe(false);
    expect(folded('@role in ["admin", "editor"]', { '@role': 'editor' })).toBe(true);
    expect(folded('@role in []', { '@role': 'editor' })).toBe(false);
    expect(folded('@role in ["admin"]', { '@role': null })).toBe(false);
    expect(folded('@me is null', { '@me': null })).toBe(true);
    expect(folded('5 is not null')).toBe(true);
  });

  it('flattens chains of && and || into one node each', () => {
    const condition = resolve('views = 1 && views = 2 && (views = 3 && views = 4) && (views = 5 || views = 6 || views = 7)');
    expect(condition).toMatchObject({ kind: 'and', items: [{}, {}, {}, {}, { kind: 'or', items: [{}, {}, {}] }] });
  });

  it('follows relation paths to the field they end at', () => {
    expect(resolve('owner.boss.boss.boss.name = "x"')).toMatchObject({
      path: { hops: [{ target: { name: 'users' } }, {}, {}, {}], field: { name: 'name', type: 'text', multiple: false } },
    });
    expect(resolve('editors.boss = "x"', {})).toMatchObject({ kind: 'compare', path: { hops: [{ field: { name: 'editors' } }] } });
    expect(resolve('editors ~ "u1"')).toMatchObject({ path: { hops: [], field: { type: 'relation', multiple: true } } });
    expect(resolve('owner.id in ["u1"]')).toMatchObject({ path: { field: { name: 'id', type: 'system' } } });
  });

  it('allows ordering a select field by any bound, but equality only with its values', () => {
    expect(resolve('status < "m"')).toMatchObject({ op: '<', value: 'm' });
    expect(resolve('status ~ "LI"')).toMatchObject({ op: '~', value: 'LI' });
  });

  it('lists the other collections a condition reads', () => {
    expect(collectionsTouched(resolve('title = "x" || !(owner.boss.name = "y") && editors.name ~ "z"'))).toEqual(new Set(['users']));
    expect(collectionsTouched(resolve('title = "x"'))).toEqual(new Set());
  });
});
