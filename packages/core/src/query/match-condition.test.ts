import { describe, expect, it } from 'vitest';
import { adminOnlyRules, type Collection } from '../schema/collection.js';
import type { Field } from '../schema/field.js';
import { parseFilter } from './filter-parser.js';
import { matchesCondition, type RecordValues } from './match-condition.js';
import { resolveFilter } from './resolve-filter.js';

const base = { required: false, unique: false };
const collection = (name: string, fields: Field[]): Collection => ({ id: name, name, type: 'base', fields, indexes: [], ...adminOnlyRules, created: '', updated: '' });
const users = collection('users', [
  { ...base, id: 'u1', name: 'name', type: 'text' },
  { ...base, id: 'u2', name: 'boss', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
]);
const posts = collection('posts', [
  { ...base, id: 'f1', name: 'title', type: 'text' },
  { ...base, id: 'f2', name: 'views', type: 'number', integer: false },
  { ...base, id: 'f3', name: 'published', type: 'bool' },
  { ...base, id: 'f4', name: 'owner', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
  { ...base, id: 'f5', name: 'editors', type: 'relation', collection: 'users', multiple: true, onDelete: 'setNull' },
  { ...base, id: 'f6', name: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
  { ...base, id: 'f7', name: 'meta', type: 'json' },
]);
const schema = { collection: (name: string) => [users, posts].find((c) => c.name === name) };
const people: Record<string, RecordValues> = {
  u1: { id: 'u1', name: 'Ann', boss: 'u2' },
  u2: { id: 'u2', name: 'Bob', boss: null },
};
const lookup = (name: string, id: string) => (name === 'users' ? people[id] : undefined);
const matches = (filter: string, record: RecordValues) => matchesCondition(resolveFilter(parseFilter(filter), posts, schema), record, lookup);

const empty: RecordValues = { id: 'p0', title: null, views: null, published: null, owner: null, editors: [], tags: [], meta: null };
const full: RecordValues = { id: 'p1', title: 'Hello', views: 2.5, published: false, owner: 'u1', editors: ['u2', 'gone'], tags: ['a'], meta: { x: 1 } };

describe('matchesCondition', () => {
  it.each([
    ['title = "Hello"', false, true],
    ['title != "Hello"', true, false],
    ['views != 5', true, true],
    ['views > 2', false, true],
    ['views <= 2', false, false],
    ['!(views > 2)', true, false],
    ['title ~ "ELL"', false, true],
    ['title !~ "ELL"', true, false],
    ['title ~ ""', false, true],
    ['views in [2.5, 3]', false, true],
    ['title in []', false, false],
    ['published = false', false, true],
    ['published != false', true, false],
    ['title is null', true, false],
    ['tags is null', true, false],
    ['tags ~ "a"', false, true],
    ['tags !~ "a"', true, false],
    ['editors ~ "gone"', false, true],
    ['meta is not null', false, true],
  ])('%s: empty record %s, full record %s', (filter, onEmpty, onFull) => {
    expect([matches(filter, empty), matches(filter, full)]).toEqual([onEmpty, onFull]);
  });

  it('treats a missing key like null', () => {
    expect(matches('title is null', { id: 'p9' })).toBe(true);
    expect(matches('tags is null', { id: 'p9' })).toBe(true);
    expect(matches('title != "x"', { id: 'p9' })).toBe(true);
  });

  it('is existential through relations: some reached record must satisfy the leaf', () => {
    expect(matches('owner.name = "Ann"', full)).toBe(true);
    expect(matches('owner.boss.name = "Bob"', full)).toBe(true);
    expect(matches('editors.name = "Bob"', full)).toBe(true);
    // The dangling id reaches nothing, so only Bob counts.
    expect(matches('editors.name != "Bob"', full)).toBe(false);
    expect(matches('editors.boss is null', full)).toBe(true);
  });

  it('is false for every leaf through a null relation, a dangling id or an empty list, negated leaves too', () => {
    for (const filter of ['owner.name = "Ann"', 'owner.name != "Ann"', 'owner.name is null', 'owner.name is not null', 'editors.name !~ "x"']) {
      expect(matches(filter, empty)).toBe(false);
      expect(matches(filter, { ...empty, owner: 'gone', editors: ['gone'] })).toBe(false);
    }
    expect(matches('!(owner.name = "Ann")', empty)).toBe(true);
  });

  it('orders strings by code point, not by UTF-16 unit', () => {
    expect(matches('title > "\uE000"', { ...empty, title: '😀' })).toBe(true);
    expect(matches('title < "\uE000"', { ...empty, title: '😀' })).toBe(false);
  });
});
