import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CollectionsService,
  SchemaRegistry,
  SqlParams,
  compileCondition,
  matchesCondition,
  parseFilter,
  printFilter,
  resolveFilter,
  type Collection,
  type FilterNode,
  type LiteralValue,
  type Operand,
} from '@causeway/core';
import { encodeValue } from '../packages/core/src/records/field-codec.js';
import { SqliteDatabase } from '../packages/server/src/store/sqlite/sqlite-database.js';

// SQL (through the real SQLite store and DDL) and the in-memory matcher must select exactly the same records
// for any filter over any data. This is the contract realtime matching and access rules rely on.

let dir: string;
let db: SqliteDatabase;
const schema = new SchemaRegistry();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'causeway-filter-'));
  db = new SqliteDatabase(path.join(dir, 'data.db'));
  const collections = new CollectionsService(db, schema);
  await collections.open();
  await collections.create({
    name: 'authors',
    fields: [
      { name: 'name', type: 'text' },
      { name: 'age', type: 'number', integer: true },
      { name: 'active', type: 'bool' },
      { name: 'level', type: 'select', values: ['a', 'b', 'c'] },
      { name: 'langs', type: 'select', values: ['en', 'fr', 'de'], multiple: true },
      { name: 'mentor', type: 'relation', collection: 'authors' },
    ],
  });
  await collections.create({
    name: 'posts',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'views', type: 'number', integer: true },
      { name: 'rating', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'datetime' },
      { name: 'mail', type: 'email' },
      { name: 'status', type: 'select', values: ['draft', 'live'] },
      { name: 'tags', type: 'select', values: ['x', 'y', 'z'], multiple: true },
      { name: 'meta', type: 'json' },
      { name: 'author', type: 'relation', collection: 'authors' },
      { name: 'coauthors', type: 'relation', collection: 'authors', multiple: true },
    ],
  });
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

// Small pools make equal values, shared prefixes and case variants likely.
const texts = ['', 'a', 'A', 'ab', 'Ab', 'abc', 'b', 'İstanbul', 'istanbul', 'straße', 'STRASSE', 'ǅemal', '😀', 'a😀', '\uE000', 'Zoë', '%', '_', "it's", '"q"'];
const text = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...texts) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) });
const ints = fc.oneof(fc.constantFrom(-1, 0, 1, 2, 10), fc.integer({ min: -50, max: 50 }));
const floats = fc.oneof(fc.constantFrom(-1.5, 0, 0.1, 2.5, 10), fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }));
const dates = fc.constantFrom('2024-01-01', '2024-02-29', '1999-12-31', '2024-01-02');
const datetimes = fc.constantFrom('2024-01-01T00:00:00.000Z', '2024-01-01T10:30:00.000Z', '2023-12-31T23:59:59.999Z', '2024-06-01T12:00:00.000Z');
const authorIds = ['a1', 'a2', 'a3', 'a4'];
const ids = fc.constantFrom(...authorIds, 'missing');
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
const subset = <T>(values: readonly T[]) => fc.subarray([...values]);

const authorRecord = (id: string) =>
  fc.record({
    id: fc.constant(id),
    name: nullable(text),
    age: nullable(ints),
    active: nullable(fc.boolean()),
    level: nullable(fc.constantFrom('a', 'b', 'c')),
    langs: subset(['en', 'fr', 'de']),
    mentor: nullable(ids),
  });

const postRecord = fc.record({
  title: nullable(text),
  views: nullable(ints),
  rating: nullable(floats),
  published: nullable(fc.boolean()),
  day: nullable(dates),
  at: nullable(datetimes),
  mail: nullable(fc.constantFrom('ann@example.com', 'BOB@example.com')),
  status: nullable(fc.constantFrom('draft', 'live')),
  tags: subset(['x', 'y', 'z']),
  meta: nullable(fc.constantFrom({ a: 1 }, [1, 2], 'text', 0)),
  author: nullable(ids),
  coauthors: subset([...authorIds, 'missing']),
});

type Leaf = { path: string; ops: readonly string[]; value: fc.Arbitrary<LiteralValue> };
const ordering = ['=', '!=', '>', '>=', '<', '<=', 'in'];
const textOps = [...ordering, '~', '!~'];
const leaves: Leaf[] = [
  { path: 'title', ops: textOps, value: text },
  { path: 'views', ops: ordering, value: ints },
  { path: 'rating', ops: ordering, value: fc.oneof(floats, ints) },
  { path: 'published', ops: ['=', '!=', 'in'], value: fc.boolean() },
  { path: 'day', ops: textOps, value: dates },
  { path: 'at', ops: [...ordering], value: fc.oneof(datetimes, dates) },
  { path: 'at', ops: ['~', '!~'], value: fc.constantFrom('2024', 'T10', '00.000Z', '') },
  { path: 'mail', ops: textOps, value: fc.constantFrom('ann', 'bob@example.com', 'EXAMPLE', 'ann@example.com') },
  { path: 'status', ops: ['=', '!=', 'in', '>', '<'], value: fc.constantFrom('draft', 'live') },
  { path: 'status', ops: ['~', '!~'], value: fc.constantFrom('DR', 'i', 'x') },
  { path: 'tags', ops: ['~', '!~'], value: fc.constantFrom('x', 'y', 'z', 'X') },
  { path: 'author', ops: ['=', '!=', 'in'], value: ids },
  { path: 'coauthors', ops: ['~', '!~'], value: ids },
  { path: 'id', ops: textOps, value: fc.constantFrom('p1', 'p2', 'p', 'P1') },
  { path: 'created', ops: ordering, value: datetimes },
  { path: 'author.name', ops: textOps, value: text },
  { path: 'author.age', ops: ordering, value: ints },
  { path: 'author.active', ops: ['=', '!='], value: fc.boolean() },
  { path: 'author.langs', ops: ['~', '!~'], value: fc.constantFrom('en', 'fr') },
  { path: 'coauthors.name', ops: textOps, value: text },
  { path: 'coauthors.level', ops: ['=', '!=', 'in'], value: fc.constantFrom('a', 'b', 'c') },
  { path: 'author.mentor.name', ops: textOps, value: text },
  { path: 'coauthors.mentor.age', ops: ordering, value: ints },
];
const nullablePaths = ['title', 'views', 'published', 'day', 'at', 'tags', 'meta', 'author', 'coauthors', 'author.name', 'coauthors.mentor', 'author.langs'];

const pathOperand = (path: string): Operand => ({ kind: 'path', segments: path.split('.'), pos: 0 });
const literal = (value: LiteralValue): Operand => ({ kind: 'literal', value, pos: 0 });

const leafNode: fc.Arbitrary<FilterNode> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...leaves).chain((leaf) =>
    fc.tuple(fc.constantFrom(...leaf.ops), leaf.value, fc.array(leaf.value, { maxLength: 3 }), fc.boolean()).map(([op, value, list, flip]): FilterNode => {
      if (op === 'in') return { kind: 'in', left: pathOperand(leaf.path), items: list.map(literal), pos: 0 };
      const canFlip = flip && op !== '~' && op !== '!~';
      return canFlip
        ? { kind: 'compare', op: ({ '>': '<', '>=': '<=', '<': '>', '<=': '>=' } as Record<string, string>)[op] ?? op, left: literal(value), right: pathOperand(leaf.path), pos: 0 } as FilterNode
        : { kind: 'compare', op: op as '=', left: pathOperand(leaf.path), right: literal(value), pos: 0 };
    })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...nullablePaths), fc.boolean(), fc.constantFrom('is', '=')).map(([path, negated, form]): FilterNode =>
    form === 'is'
      ? { kind: 'isNull', operand: pathOperand(path), negated, pos: 0 }
      : { kind: 'compare', op: negated ? '!=' : '=', left: pathOperand(path), right: literal(null), pos: 0 }) },
  { weight: 1, arbitrary: fc.tuple(text, text, fc.constantFrom('=', '!=', '~')).map(([a, b, op]): FilterNode => ({ kind: 'compare', op: op as '=', left: literal(a), right: literal(b), pos: 0 })) },
);

const filterNode: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafNode,
    fc.tuple(tie('node'), tie('node')).map(([left, right]): FilterNode => ({ kind: 'and', left, right })),
    fc.tuple(tie('node'), tie('node')).map(([left, right]): FilterNode => ({ kind: 'or', left, right })),
    tie('node').map((operand): FilterNode => ({ kind: 'not', operand, pos: 0 })),
  ),
})).node;

async function replaceRows(collection: Collection, rows: readonly Record<string, unknown>[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run(`DELETE FROM ${collection.name}`);
    for (const row of rows) {
      const params = new SqlParams(db.dialect);
      const columns = ['id', 'created', 'updated', ...collection.fields.map((f) => f.name)];
      const values = [row.id, row.created, row.created, ...collection.fields.map((f) => encodeValue(f, row[f.name], db.dialect))].map((v) => params.addRaw(v));
      await tx.run(`INSERT INTO ${collection.name} (${columns.join(', ')}) VALUES (${values.join(', ')})`, params.values);
    }
  });
}

function selectInMemory(filter: string, posts: readonly Record<string, unknown>[], authors: ReadonlyMap<string, Record<string, unknown>>): string[] {
  const condition = resolveFilter(parseFilter(filter), schema.collection('posts')!, schema);
  return posts.filter((post) => matchesCondition(condition, post, (collection, id) => (collection === 'authors' ? authors.get(id) : undefined))).map((p) => p.id as string).sort();
}

async function selectInSql(filter: string): Promise<string[]> {
  const condition = resolveFilter(parseFilter(filter), schema.collection('posts')!, schema);
  const params = new SqlParams(db.dialect);
  const where = compileCondition(condition, 't', params, db.dialect);
  const rows = await db.all(`SELECT id FROM posts AS t WHERE ${where}`, params.values);
  return rows.map((r) => r.id as string).sort();
}

describe('filter conformance: SQL and in-memory evaluation agree', () => {
  it('selects the same records for random filters over random records', async () => {
    const data = fc.record({
      authors: fc.tuple(...authorIds.map(authorRecord)).chain((all) => subset(all)),
      posts: fc.array(postRecord, { maxLength: 14 }),
    });
    await fc.assert(
      fc.asyncProperty(data, fc.array(filterNode, { minLength: 1, maxLength: 4 }), async ({ authors, posts }, filters) => {
        const stamped = <T extends { id: string }>(r: T, i: number) => ({ ...r, created: ['2023-12-31T23:59:59.999Z', '2024-01-01T10:30:00.000Z'][i % 2]! });
        const postRows = posts.map((p, i) => stamped({ ...p, id: `p${i}` }, i));
        const authorRows = authors.map(stamped);
        await replaceRows(schema.collection('authors')!, authorRows);
        await replaceRows(schema.collection('posts')!, postRows);
        const byId = new Map<string, Record<string, unknown>>(authorRows.map((a) => [a.id, a]));
        for (const node of filters) {
          const filter = printFilter(node);
          expect(printFilter(parseFilter(filter))).toBe(filter);
          expect({ filter, ids: await selectInSql(filter) }).toEqual({ filter, ids: selectInMemory(filter, postRows, byId) });
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('filter operators on a fixed data set, in SQL and in memory', () => {
  const authors = [
    { id: 'a1', name: 'Ann', age: 30, active: true, level: 'a', langs: ['en'], mentor: 'a2' },
    { id: 'a2', name: 'Bob', age: 50, active: false, level: 'b', langs: ['en', 'fr'], mentor: null },
  ].map((a) => ({ ...a, created: '2024-01-01T00:00:00.000Z' }));
  const posts = [
    { id: 'p1', title: 'Hello World', views: 10, rating: 4.5, published: true, day: '2024-01-01', at: '2024-01-01T10:30:00.000Z', mail: 'ann@example.com', status: 'live', tags: ['x', 'y'], meta: { a: 1 }, author: 'a1', coauthors: ['a2'] },
    { id: 'p2', title: 'İstanbul', views: 0, rating: null, published: false, day: '2024-02-29', at: null, mail: null, status: 'draft', tags: [], meta: null, author: 'a2', coauthors: [] },
    { id: 'p3', title: '😀 smile', views: null, rating: 1, published: null, day: null, at: '2023-12-31T23:59:59.999Z', mail: 'BOB@example.com', status: null, tags: ['z'], meta: [1], author: 'missing', coauthors: ['a1', 'missing'] },
    { id: 'p4', title: '\uE000 private use', views: 10, rating: 2.5, published: true, day: '1999-12-31', at: null, mail: null, status: 'live', tags: ['x'], meta: null, author: null, coauthors: ['a1', 'a2'] },
  ].map((p) => ({ ...p, created: '2024-01-01T00:00:00.000Z' }));

  const cases: [string, string[]][] = [
    ['views = 10', ['p1', 'p4']],
    ['views != 10', ['p2', 'p3']],
    ['views > 0', ['p1', 'p4']],
    ['views >= 0', ['p1', 'p2', 'p4']],
    ['views < 10', ['p2']],
    ['views <= 10', ['p1', 'p2', 'p4']],
    ['10 > views', ['p2']],
    ['!(views > 0)', ['p2', 'p3']],
    ['title ~ "world"', ['p1']],
    ['title ~ "i̇stanbul"', ['p2']],
    ['title !~ "o"', ['p2', 'p3', 'p4']],
    ['title < "\uE000"', ['p1', 'p2']],
    ['title > "\uE000"', ['p3', 'p4']],
    ['mail ~ "EXAMPLE.com"', ['p1', 'p3']],
    ['status in ["live"]', ['p1', 'p4']],
    ['status in []', []],
    ['status = null', ['p3']],
    ['status is not null', ['p1', 'p2', 'p4']],
    ['published = false', ['p2']],
    ['published != true', ['p2', 'p3']],
    ['day >= "2024-01-01"', ['p1', 'p2']],
    ['day ~ "-02-"', ['p2']],
    ['at > "2024-01-01"', ['p1']],
    ['at < "2024-01-01T10:30:00+01:00"', ['p3']],
    ['tags ~ "x"', ['p1', 'p4']],
    ['tags !~ "x"', ['p2', 'p3']],
    ['tags is null', ['p2']],
    ['meta is not null', ['p1', 'p3']],
    ['author = "a1"', ['p1']],
    ['author.name = "Bob"', ['p2']],
    ['author.name != "Bob"', ['p1']],
    ['!(author.name = "Bob")', ['p1', 'p3', 'p4']],
    ['author.mentor.name = "Bob"', ['p1']],
    ['coauthors ~ "missing"', ['p3']],
    ['coauthors.name ~ "ann"', ['p3', 'p4']],
    ['coauthors.langs ~ "fr"', ['p1', 'p4']],
    ['author.langs ~ "en" && views = 10', ['p1']],
    ['views = 0 || rating < 2', ['p2', 'p3']],
    ['id in ["p1", "p3"] && !(title ~ "hello")', ['p3']],
    ['"a" = "a" && views = 0', ['p2']],
    ['"a" = "b" || views = 0', ['p2']],
  ];

  beforeAll(async () => {
    await replaceRows(schema.collection('authors')!, authors);
    await replaceRows(schema.collection('posts')!, posts);
  });

  it.each(cases)('%s', async (filter, expected) => {
    const byId = new Map(authors.map((a) => [a.id, a as Record<string, unknown>]));
    expect(await selectInSql(filter)).toEqual(expected);
    expect(selectInMemory(filter, posts, byId)).toEqual(expected);
  });
});
