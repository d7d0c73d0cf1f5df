import { describe, expect, it } from 'vitest';
import { adminOnlyRules, type Collection } from '../schema/collection.js';
import type { Field } from '../schema/field.js';
import { SqlParams, type SqlDialect } from '../sql/sql-dialect.js';
import { compileCondition } from './compile-condition.js';
import type { Condition } from './filter-condition.js';
import { parseFilter } from './filter-parser.js';
import { resolveFilter } from './resolve-filter.js';

const base = { required: false, unique: false };
const collection = (name: string, fields: Field[]): Collection => ({ id: name, name, type: 'base', fields, indexes: [], ...adminOnlyRules, created: '', updated: '' });
const users = collection('users', [
  { ...base, id: 'u1', name: 'name', type: 'text' },
  { ...base, id: 'u2', name: 'boss', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
  { ...base, id: 'u3', name: 'langs', type: 'select', values: ['en'], multiple: true },
]);
const posts = collection('posts', [
  { ...base, id: 'f1', name: 'title', type: 'text' },
  { ...base, id: 'f2', name: 'published', type: 'bool' },
  { ...base, id: 'f3', name: 'owner', type: 'relation', collection: 'users', multiple: false, onDelete: 'setNull' },
  { ...base, id: 'f4', name: 'editors', type: 'relation', collection: 'users', multiple: true, onDelete: 'setNull' },
  { ...base, id: 'f5', name: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
]);
const schema = { collection: (name: string) => [users, posts].find((c) => c.name === name) };

const dialect: SqlDialect = {
  name: 'test',
  quoteIdent: (n) => `"${n.replaceAll('"', '""')}"`,
  placeholder: (i) => `$${i}`,
  encodeParam: (v) => (typeof v === 'boolean' ? Number(v) : v),
  containsInsensitive: (c, p) => `contains(${c}, ${p})`,
  jsonArrayElements: (c, a) => ({ from: `each(${c}) AS ${a}`, value: `${a}.value` }),
  rowLock: () => '',
};

function compile(filter: string | Condition): { sql: string; values: unknown[] } {
  const condition = typeof filter === 'string' ? resolveFilter(parseFilter(filter), posts, schema) : filter;
  const params = new SqlParams(dialect);
  return { sql: compileCondition(condition, 't', params, dialect), values: params.values };
}

describe('compileCondition', () => {
  it('binds every value as a parameter, never as SQL text', () => {
    const hostile = `x'; DROP TABLE posts; --`;
    const { sql, values } = compile(`title = ${JSON.stringify(hostile)} || owner.name ~ "a'b" || title in ["\\"", '$1']`);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("a'b");
    expect(values).toEqual([hostile, "a'b", '"', '$1']);
    expect(sql.match(/\$\d+/g)).toEqual(['$1', '$2', '$3', '$4']);
  });

  it.each([
    // Outside a NOT a comparison needs no null guard (NULL already acts as false there), so an index serves it.
    ['title = "x"', 't."title" = $1'],
    ['title != "x"', 'NOT (t."title" = $1 AND t."title" IS NOT NULL)'],
    ['title >= "x"', 't."title" >= $1'],
    ['title ~ "x"', 'contains(t."title", $1)'],
    ['title !~ "x"', 'NOT (contains(t."title", $1) AND t."title" IS NOT NULL)'],
    ['title in ["x", "y"]', 't."title" IN ($1, $2)'],
    // Under a NOT it is guarded, so a null column makes the negation true, as in memory.
    ['!(title = "x")', 'NOT ((t."title" = $1 AND t."title" IS NOT NULL))'],
    ['!(title in ["x"] || published = true)', 'NOT (((t."title" IN ($1) AND t."title" IS NOT NULL) OR (t."published" = $2 AND t."published" IS NOT NULL)))'],
    ['!!(title = "x")', 'NOT (NOT (t."title" = $1))'],
    ['title in []', '1=0'],
    ['title is null', 't."title" IS NULL'],
    ['title != null', 't."title" IS NOT NULL'],
    ['tags ~ "a"', 'EXISTS (SELECT 1 FROM each(t."tags") AS e1 WHERE e1.value = $1)'],
    ['tags !~ "a"', 'NOT EXISTS (SELECT 1 FROM each(t."tags") AS e1 WHERE e1.value = $1)'],
    ['"a" = "a"', '1=1'],
    ['!("a" = "b")', 'NOT (1=0)'],
    ['title = "x" && (published = true || !(title is null))', '(t."title" = $1 AND (t."published" = $2 OR NOT (t."title" IS NULL)))'],
  ])('compiles %s', (filter, expected) => {
    expect(compile(filter).sql).toBe(expected);
  });

  it('encodes values through the dialect', () => {
    expect(compile('published = true').values).toEqual([1]);
  });

  it('reaches a to-one relation through EXISTS on its target id', () => {
    expect(compile('owner.name = "x"').sql).toBe(
      'EXISTS (SELECT 1 FROM "users" AS r1 WHERE r1."id" = t."owner" AND r1."name" = $1)',
    );
  });

  it('reaches a to-many relation through its JSON elements joined to the target', () => {
    expect(compile('editors.name is null').sql).toBe(
      'EXISTS (SELECT 1 FROM each(t."editors") AS e1 JOIN "users" AS r1 ON r1."id" = e1.value WHERE r1."name" IS NULL)',
    );
  });

  it('gives every subquery fresh aliases, nested and side by side', () => {
    const { sql } = compile('editors.boss.boss.name = "x" || owner.boss.name = "y" || editors.boss = "z" || editors.langs ~ "en"');
    const aliases = [...sql.matchAll(/ AS ([re]\d+)/g)].map((m) => m[1]);
    expect(aliases).toEqual(['e1', 'r1', 'r2', 'r3', 'r4', 'r5', 'e6', 'r6', 'e7', 'r7', 'e8']);
    expect(new Set(aliases).size).toBe(aliases.length);
    expect(sql).toContain('r3."id" = r2."boss" AND r3."name" = $1');
  });

  it('compiles an empty && as true and an empty || as false', () => {
    expect(compile({ kind: 'and', items: [] }).sql).toBe('1=1');
    expect(compile({ kind: 'or', items: [] }).sql).toBe('1=0');
  });
});
