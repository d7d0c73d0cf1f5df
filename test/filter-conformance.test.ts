import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCondition, matchesCondition, parseFilter, resolveFilter } from '../packages/core/src/query/index.js';
import type { CompareOp, Condition, FilterNode, FilterVariables, LiteralValue, Operand } from '../packages/core/src/query/index.js';
import { adminOnlyRules, type Collection } from '../packages/core/src/schema/collection.js';
import type { Field, RelationField } from '../packages/core/src/schema/field.js';
import { SqlParams } from '../packages/core/src/sql/sql-dialect.js';
import { encodeValue } from '../packages/core/src/records/field-codec.js';
import { registerSqliteFunctions, sqliteDialect } from '../packages/server/src/store/sqlite/sqlite-dialect.js';
import { sqliteDdl } from '../packages/server/src/store/sqlite/sqlite-ddl.js';
import { isStorableText } from '../packages/core/src/values/storable-text.js';
import { PostgresDatabase } from '../packages/server/src/store/postgres/postgres-database.js';
import { postgresDialect } from '../packages/server/src/store/postgres/postgres-dialect.js';
import { postgresDdl } from '../packages/server/src/store/postgres/postgres-ddl.js';
import { testPostgresServer } from './support/postgres-project.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';

// SQL and the in-memory matcher must select exactly the same records for any filter over any data: realtime
// matching and access rules rely on it. Tables come from the real SQLite and PostgreSQL DDL and rows are stored
// with the real field encoder, so the comparison is with what each record store actually holds.

const field = (name: string, type: Field['type'], extra: object = {}) => ({ id: name, name, type, required: false, unique: false, ...extra }) as Field;
const collection = (name: string, fields: Field[]): Collection => ({ id: name, name, type: 'base', fields, indexes: [], ...adminOnlyRules, created: '', updated: '' });
const relation = (name: string, multiple: boolean) => field(name, 'relation', { collection: 'authors', multiple, onDelete: 'setNull' });
const authors = collection('authors', [
  field('name', 'text'), field('age', 'number', { integer: true }), field('score', 'number', { integer: false }), field('active', 'bool'),
  field('born', 'date'), field('seen', 'datetime'), field('email', 'email'), field('level', 'select', { values: ['a', 'b', 'c'], multiple: false }),
  field('langs', 'select', { values: ['en', 'fr', 'de'], multiple: true }), field('meta', 'json'), relation('mentor', false),
]);
const posts = collection('posts', [
  field('title', 'text'), field('link', 'url'), field('views', 'number', { integer: true }), field('rating', 'number', { integer: false }),
  field('published', 'bool'), field('day', 'date'), field('at', 'datetime'), field('status', 'select', { values: ['draft', 'live'], multiple: false }),
  field('tags', 'select', { values: ['x', 'y', 'z'], multiple: true }), field('meta', 'json'), relation('author', false), relation('coauthors', true),
  field('cover', 'file', { multiple: false, maxSize: 1000 }), field('files', 'file', { multiple: true, maxSize: 1000 }),
]);
const schema = { collection: (name: string) => [authors, posts].find((c) => c.name === name) };
const ddl = [authors, posts].flatMap((c) => sqliteDdl.createTable(c, c.name));

type Row = Record<string, unknown>;
const isList = (f: Field) => (f.type === 'select' || f.type === 'relation' || f.type === 'file') && f.multiple;
const fileNames = fc.constantFrom('a_0123456789.png', 'b_0123456789.txt', 'A_0123456789.png');
const encode = (f: Field, value: unknown) => encodeValue(f, value, sqliteDialect);

let dir: string;
let db: Database.Database;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'causeway-filter-'));
  db = new Database(path.join(dir, 'data.db'));
  db.pragma('journal_mode = WAL');
  registerSqliteFunctions(db);
  for (const statement of ddl) db.exec(statement);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// PostgreSQL: required under CI, skipped loudly elsewhere when nothing answers.
const pgSchema = `cw_filter_${process.pid}_${Date.now()}`;
const pgAvailable = await serviceAvailable('PostgreSQL (filter conformance)', '127.0.0.1', 5432);
let pg: PostgresDatabase;
beforeAll(async () => {
  if (!pgAvailable) return;
  pg = new PostgresDatabase({ url: postgresUrlWithSchema(testPostgresServer, pgSchema), maxConnections: 2 });
  const statements = [`CREATE SCHEMA ${postgresDialect.quoteIdent(pgSchema)}`, ...[authors, posts].flatMap((c) => postgresDdl(pgSchema).createTable(c, c.name))];
  await pg.transaction(async (tx) => {
    for (const statement of statements) await tx.run(statement);
  });
});
afterAll(async () => {
  if (!pgAvailable) return;
  await pg.close();
  await dropSchema(testPostgresServer, pgSchema);
});

async function storePostgres(tables: Readonly<Record<'authors' | 'posts', readonly Row[]>>): Promise<void> {
  await pg.transaction(async (tx) => {
    for (const c of [authors, posts]) {
      await tx.run(`DELETE FROM ${c.name}`);
      const rows = tables[c.name as 'authors' | 'posts'];
      if (rows.length === 0) continue;
      const columns = ['id', 'created', 'updated', ...c.fields.map((f) => f.name)].map(postgresDialect.quoteIdent);
      const params = new SqlParams(postgresDialect);
      const values = rows.map((row) => `(${[row.id, row.created, row.updated].map((v) => params.addRaw(v)).concat(c.fields.map((f) => params.addRaw(encodeValue(f, row[f.name], postgresDialect)))).join(', ')})`);
      await tx.run(`INSERT INTO ${c.name} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params.values);
    }
  });
}

/**
 * The condition a filter means, with every relation hop bounded by `view` (the caller's view of `authors`, the
 * target of every relation here), as `AccessRules.bounded` would bound a client's filter.
 */
function conditionOf(base: Collection, filter: string, variables: FilterVariables, view?: string): Condition {
  const condition = resolveFilter(parseFilter(filter), base, schema, { variables });
  if (view === undefined) return condition;
  const bound = resolveFilter(parseFilter(view), authors, schema, { variables });
  const visit = (c: Condition): Condition => {
    switch (c.kind) {
      case 'and':
      case 'or':
        return { kind: c.kind, items: c.items.map(visit) };
      case 'not':
        return { kind: 'not', item: visit(c.item) };
      case 'const':
        return c;
      default:
        return { ...c, path: { ...c.path, hops: c.path.hops.map((hop) => ({ ...hop, view: bound })) } };
    }
  };
  return visit(condition);
}

/** The ids PostgreSQL selects for a filter, sorted like `select`'s. */
async function selectPostgres(base: Collection, filter: string, variables: FilterVariables = {}, view?: string): Promise<string[]> {
  const condition = conditionOf(base, filter, variables, view);
  const params = new SqlParams(postgresDialect);
  const where = compileCondition(condition, 't', params, postgresDialect);
  const rows = await pg.all(`SELECT id FROM ${base.name} AS t WHERE ${where}`, params.values);
  return rows.map((r) => String(r.id)).sort();
}

function store(tables: Readonly<Record<'authors' | 'posts', readonly Row[]>>): void {
  db.transaction(() => {
    for (const c of [authors, posts]) {
      db.exec(`DELETE FROM ${c.name}`);
      const columns = ['id', 'created', 'updated', ...c.fields.map((f) => f.name)];
      const insert = db.prepare(`INSERT INTO ${c.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const row of tables[c.name as 'authors' | 'posts']) insert.run(row.id, row.created, row.updated, ...c.fields.map((f) => encode(f, row[f.name])));
    }
  })();
}

/** Both evaluations of one filter, as sorted id lists. */
function select(base: Collection, filter: string, tables: Readonly<Record<string, readonly Row[]>>, variables: FilterVariables = {}, view?: string) {
  const condition = conditionOf(base, filter, variables, view);
  const params = new SqlParams(sqliteDialect);
  const where = compileCondition(condition, 't', params, sqliteDialect);
  const sql = db.prepare(`SELECT id FROM ${base.name} AS t WHERE ${where}`).all(...params.values) as { id: string }[];
  const byId = new Map(Object.entries(tables).map(([name, rows]) => [name, new Map(rows.map((r) => [r.id as string, r]))]));
  const memory = (tables[base.name] ?? []).filter((r) => matchesCondition(condition, r, (name, id) => byId.get(name)?.get(id)));
  return { sql: sql.map((r) => r.id).sort(), memory: memory.map((r) => r.id as string).sort() };
}

// Value pools: small, so equal values, shared prefixes and case variants are likely.
const texts = ['', 'a', 'A', 'ab', 'Ab', 'abc', 'b', 'İstanbul', 'istanbul', 'i̇', 'I', 'ß', 'STRASSE', 'straße', 'ǅemal', 'ΣΊΣΥΦΟΣ', 'σίσυφος', '😀', 'a😀', '\uE000', '\uFFFF', 'Zoë', '%', '_', "it's", '"q"', '\\', ' ', 'A\nB'];
// Only text the API accepts (no NUL, no lone surrogate): what a record can hold and a filter can say.
const text = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...texts) }, fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })).filter(isStorableText);
const ints = fc.oneof(fc.constantFrom(-3, 0, 1, 2, 10, Number.MAX_SAFE_INTEGER), fc.integer({ min: -20, max: 20 }));
const floats = fc.oneof(fc.constantFrom(-1.5, -0, 0.1, 0.30000000000000004, 2.5, 10, 1e-300), fc.double({ noNaN: true, noDefaultInfinity: true }));
const dates = fc.constantFrom('2024-01-01', '2024-02-29', '1999-12-31', '2024-01-02', '1000-01-01');
const datetimes = fc.constantFrom('2024-01-01T00:00:00.000Z', '2024-01-01T10:30:00.000Z', '2023-12-31T23:59:59.999Z', '2024-06-01T12:00:00.000Z');
const datetimeLiterals = fc.oneof(datetimes, dates, fc.constantFrom('2024-01-01T11:30:00+01:00', '2024-01-01 10:30', '2024-06-01T12:00:00.0009Z'));
const emails = fc.constantFrom('ann@example.com', 'ANN@Example.com', 'bob@example.org', 'zoë@exämple.de');
const urls = fc.constantFrom('https://example.com/a', 'HTTPS://EXAMPLE.COM/A', 'https://ü.de/😀');
const authorIds = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
const relationIds = fc.constantFrom(...authorIds, 'zz');
const jsons = fc.constantFrom<unknown>({ a: 1 }, [1, 2], 'text', 0, false, '', {}, []);

type Op = CompareOp | 'in';
const allOps: readonly Op[] = ['=', '!=', '>', '>=', '<', '<=', '~', '!~', 'in'];
const orderOps: readonly Op[] = ['=', '!=', '>', '>=', '<', '<=', 'in'];
/** How a field is stored, and which operators and literals a filter may use on it. */
interface Spec { ops: readonly Op[]; stored: fc.Arbitrary<unknown>; literal: fc.Arbitrary<LiteralValue>; needle?: fc.Arbitrary<LiteralValue>; bound?: fc.Arbitrary<LiteralValue> }
const datetimeSpec: Spec = { ops: allOps, stored: datetimes, literal: datetimeLiterals, needle: fc.constantFrom('2024', 'T10', '.000Z', '', 't10') };

function specOf(f: Field | 'id' | 'created' | 'updated'): Spec {
  if (f === 'id') return { ops: allOps, stored: fc.constant(''), literal: fc.constantFrom('a1', 'p1', 'p10', 'P1', 'zz'), needle: fc.constantFrom('a', 'P', '1', '') };
  if (typeof f === 'string') return datetimeSpec;
  switch (f.type) {
    case 'text':
      return { ops: allOps, stored: text, literal: text, needle: text };
    case 'email':
      return { ops: allOps, stored: emails, literal: emails, needle: fc.oneof(fc.constantFrom('ann', 'EXAMPLE', 'ë', 'Ë', ''), text) };
    case 'url':
      return { ops: allOps, stored: urls, literal: urls, needle: fc.constantFrom('example', 'https', '😀', '/', '') };
    case 'number':
      return { ops: orderOps, stored: f.integer ? ints : floats, literal: fc.oneof(ints, floats) };
    case 'bool':
      return { ops: ['=', '!=', 'in'], stored: fc.boolean(), literal: fc.boolean() };
    case 'date':
      return { ops: allOps, stored: dates, literal: dates, needle: fc.constantFrom('2024', '-02-', '', '31') };
    case 'datetime':
      return datetimeSpec;
    case 'select': {
      const values = fc.constantFrom(...f.values);
      if (f.multiple) return { ops: ['~', '!~'], stored: values, literal: values, needle: values };
      return { ops: allOps, stored: values, literal: values, bound: fc.oneof(values, text), needle: fc.oneof(fc.constantFrom('A', 'i', 'RAF', ''), text) };
    }
    case 'relation':
      return f.multiple ? { ops: ['~', '!~'], stored: relationIds, literal: relationIds, needle: relationIds } : { ops: ['=', '!=', 'in'], stored: relationIds, literal: relationIds };
    case 'json':
      return { ops: [], stored: jsons, literal: fc.constant(null) };
    case 'file':
      return f.multiple ? { ops: ['~', '!~'], stored: fileNames, literal: fileNames, needle: fileNames } : { ops: allOps, stored: fileNames, literal: fileNames, needle: fc.constantFrom('a_', 'PNG', '.', '') };
  }
}

const recordOf = (c: Collection, id: string): fc.Arbitrary<Row> =>
  fc.record({
    id: fc.constant(id),
    created: datetimes,
    updated: datetimes,
    ...Object.fromEntries(c.fields.map((f) => [f.name, isList(f) ? fc.array(specOf(f).stored, { maxLength: 3 }) : fc.option(specOf(f).stored, { nil: null, freq: 4 })])),
  });
const dataset = fc.record({
  authors: fc.tuple(...authorIds.map((id) => fc.option(recordOf(authors, id), { nil: null, freq: 5 }))).map((rows) => rows.filter((r) => r !== null)),
  posts: fc.array(recordOf(posts, ''), { minLength: 20, maxLength: 60, size: 'max' }).map((rows) => rows.map((row, i) => ({ ...row, id: `p${i}` }))),
});

// Variables stand in for some literals; the map is fixed, so a filter's text names them.
const variables: FilterVariables = { '@request.auth.id': 'a1', '@s.empty': '', '@s.a': 'a', '@s.dotted': 'İstanbul', '@n.zero': 0, '@n.ten': 10, '@n.half': 2.5, '@b.yes': true, '@b.no': false, '@nil': null, '@d.leap': '2024-02-29', '@dt.noon': '2024-06-01T12:00:00.000Z', '@sel.x': 'x' };
const variableFor = new Map(Object.entries(variables).map(([name, value]) => [`${typeof value}:${String(value)}`, name]));
const operand = (value: fc.Arbitrary<LiteralValue>): fc.Arbitrary<Operand> =>
  fc.tuple(value, fc.nat(3)).map(([v, coin]): Operand => {
    const name = coin === 0 ? variableFor.get(`${typeof v}:${String(v)}`) : undefined;
    return name ? { kind: 'variable', name, pos: 0 } : { kind: 'literal', value: v, pos: 0 };
  });
const mirrored: Partial<Record<CompareOp, CompareOp>> = { '=': '=', '!=': '!=', '>': '<', '>=': '<=', '<': '>', '<=': '>=' };

function leafOf(segments: string[], spec: Spec): fc.Arbitrary<FilterNode> {
  const path: Operand = { kind: 'path', segments, pos: 0 };
  const nullCheck = fc.tuple(fc.constantFrom('is', '=', 'left'), fc.boolean()).map(([form, negated]): FilterNode => {
    if (form === 'is') return { kind: 'isNull', operand: path, negated, pos: 0 };
    const nil: Operand = { kind: 'literal', value: null, pos: 0 };
    return { kind: 'compare', op: negated ? '!=' : '=', left: form === 'left' ? nil : path, right: form === 'left' ? path : nil, pos: 0 };
  });
  if (spec.ops.length === 0) return nullCheck;
  const comparison = fc.constantFrom(...spec.ops).chain((op): fc.Arbitrary<FilterNode> => {
    if (op === 'in') return fc.array(operand(spec.literal), { maxLength: 4 }).map((items) => ({ kind: 'in', left: path, items, pos: 0 }));
    const values = op === '~' || op === '!~' ? spec.needle! : op === '=' || op === '!=' ? spec.literal : (spec.bound ?? spec.literal);
    return fc.tuple(operand(values), fc.boolean()).map(([value, flip]): FilterNode => {
      const flipped = flip ? mirrored[op] : undefined;
      return flipped ? { kind: 'compare', op: flipped, left: value, right: path, pos: 0 } : { kind: 'compare', op, left: path, right: value, pos: 0 };
    });
  });
  return fc.oneof({ weight: 1, arbitrary: nullCheck }, { weight: 4, arbitrary: comparison });
}

/** Leaves over every path from `c` (reached through `via`): its own fields, or a relation followed, four hops at most. */
function leavesFrom(c: Collection, via: readonly string[] = []): fc.Arbitrary<FilterNode> {
  const ends = [...c.fields, 'id' as const, 'created' as const, 'updated' as const];
  const own = fc.constantFrom(...ends).chain((end) => leafOf([...via, typeof end === 'string' ? end : end.name], specOf(end)));
  if (via.length === 4) return own;
  const onward = c.fields.filter((f): f is RelationField => f.type === 'relation').map((r) => ({ weight: 1, arbitrary: leavesFrom(schema.collection(r.collection)!, [...via, r.name]) }));
  return fc.oneof({ weight: 3, arbitrary: own }, ...onward);
}

/** Value against value, folded by the resolver. */
const constant: fc.Arbitrary<FilterNode> = fc.oneof(
  fc.tuple(operand(text), operand(text), fc.constantFrom<CompareOp>('=', '!=', '~', '!~', '<', '>=')).map(([left, right, op]): FilterNode => ({ kind: 'compare', op, left, right, pos: 0 })),
  fc.tuple(operand(fc.oneof(ints, floats)), operand(ints), fc.constantFrom<CompareOp>('=', '!=', '<', '>')).map(([left, right, op]): FilterNode => ({ kind: 'compare', op, left, right, pos: 0 })),
  fc.tuple(operand(fc.oneof(text, fc.constant(null))), fc.array(operand(text), { maxLength: 3 })).map(([left, items]): FilterNode => ({ kind: 'in', left, items, pos: 0 })),
  fc.tuple(operand(fc.constantFrom(null, 1, 'a')), fc.boolean()).map(([value, negated]): FilterNode => ({ kind: 'isNull', operand: value, negated, pos: 0 })),
);

const filterOver = (c: Collection): fc.Arbitrary<FilterNode> =>
  fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof({ weight: 12, arbitrary: leavesFrom(c) }, { weight: 1, arbitrary: constant }),
      fc.tuple(tie('node'), tie('node')).map(([left, right]): FilterNode => ({ kind: 'and', left, right })),
      fc.tuple(tie('node'), tie('node')).map(([left, right]): FilterNode => ({ kind: 'or', left, right })),
      tie('node').map((inner): FilterNode => ({ kind: 'not', operand: inner, pos: 0 })),
    ),
  })).node;

/** Prints a tree as a person might type it: minimal or extra parentheses, any spacing, either quote, escapes. */
function print(node: FilterNode, tape: readonly number[]): string {
  let i = 0;
  const pick = <T>(options: readonly T[]): T => options[(tape[i++ % tape.length] ?? 0) % options.length]!;
  const ws = () => pick(['', ' ', ' ', '  ', '\n\t']);
  const gap = () => pick([' ', ' ', '\n', ' \t ']);
  const quoted = (s: string) => {
    const q = pick(['"', "'"]);
    const escaped = [...s].map((ch) => {
      if (ch === q || ch === '\\') return `\\${ch}`;
      if (ch === '\n' || ch === '\t') return pick([ch, ch === '\n' ? '\\n' : '\\t']);
      return pick([0, 0, 0, 1]) ? ch.split('').map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join('') : ch;
    });
    return q + escaped.join('') + q;
  };
  const value = (o: Operand): string => {
    if (o.kind === 'path') return o.segments.join('.');
    if (o.kind === 'variable') return o.name;
    if (typeof o.value === 'string') return quoted(o.value);
    return Object.is(o.value, -0) ? '-0' : String(o.value);
  };
  const rank = { or: 1, and: 2, not: 3, compare: 4, in: 4, isNull: 4 } as const;
  const wrap = (n: FilterNode, needs: boolean) => (needs || pick([0, 0, 0, 0, 1]) ? `(${ws()}${go(n)}${ws()})` : go(n));
  const go = (n: FilterNode): string => {
    switch (n.kind) {
      case 'or':
      case 'and': {
        const own = rank[n.kind];
        return `${wrap(n.left, rank[n.left.kind] < own)}${ws()}${n.kind === 'or' ? '||' : '&&'}${ws()}${wrap(n.right, rank[n.right.kind] <= own)}`;
      }
      case 'not':
        return `!${ws()}${wrap(n.operand, rank[n.operand.kind] < rank.not)}`;
      case 'compare':
        return `${value(n.left)}${ws()}${n.op}${ws()}${value(n.right)}`;
      case 'in':
        return `${value(n.left)}${gap()}in${gap()}[${ws()}${n.items.map(value).join(`${ws()},${ws()}`)}${ws()}]`;
      case 'isNull':
        return `${value(n.operand)}${gap()}is${gap()}${n.negated ? `not${gap()}` : ''}null`;
    }
  };
  return ws() + go(node) + ws();
}
const withoutPositions = (node: FilterNode): unknown => JSON.parse(JSON.stringify(node, (key, v: unknown) => (key === 'pos' ? undefined : v)));

describe('filter conformance', () => {
  it('SQL and in-memory evaluation select the same records', () => {
    const over = (c: Collection) => filterOver(c).map((node) => [c.name, node] as const);
    const filters = fc.array(fc.tuple(fc.oneof(over(posts), over(authors)), fc.array(fc.nat(), { minLength: 1, maxLength: 24 })), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(dataset, filters, (tables, cases) => {
        store(tables);
        for (const [[base, node], tape] of cases) {
          const filter = print(node, tape);
          expect(withoutPositions(parseFilter(filter)), filter).toEqual(withoutPositions(node));
          const { sql, memory } = select(schema.collection(base)!, filter, tables, variables);
          expect({ filter, ids: sql }).toEqual({ filter, ids: memory });
        }
      }),
      { numRuns: 1000 },
    );
  });

  // A client's filter through relations reaches only the related records its caller may view: each hop carries
  // that view condition (itself a filter over the target, possibly through relations again), in SQL and in memory.
  it('agree when every relation hop is bounded by a view condition', async () => {
    const cases = fc.array(fc.tuple(filterOver(posts), filterOver(authors), fc.array(fc.nat(), { minLength: 1, maxLength: 24 })), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(dataset, cases, async (tables, list) => {
        store(tables);
        if (pgAvailable) await storePostgres(tables);
        for (const [node, viewNode, tape] of list) {
          const filter = print(node, tape);
          const view = print(viewNode, tape);
          const { sql, memory } = select(posts, filter, tables, variables, view);
          expect({ filter, view, ids: sql }).toEqual({ filter, view, ids: memory });
          if (pgAvailable) expect({ filter, view, postgres: await selectPostgres(posts, filter, variables, view) }).toEqual({ filter, view, postgres: memory });
        }
      }),
      { numRuns: pgAvailable ? 100 : 300 },
    );
  }, 120_000);

  it.skipIf(!pgAvailable)('PostgreSQL, SQLite and in-memory evaluation select the same records', async () => {
    const over = (c: Collection) => filterOver(c).map((node) => [c.name, node] as const);
    const filters = fc.array(fc.tuple(fc.oneof(over(posts), over(authors)), fc.array(fc.nat(), { minLength: 1, maxLength: 24 })), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(dataset, filters, async (tables, cases) => {
        store(tables);
        await storePostgres(tables);
        for (const [[base, node], tape] of cases) {
          const filter = print(node, tape);
          const { sql, memory } = select(schema.collection(base)!, filter, tables, variables);
          const postgres = await selectPostgres(schema.collection(base)!, filter, variables);
          expect({ filter, sqlite: sql, postgres }).toEqual({ filter, sqlite: memory, postgres: memory });
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('filter operators on a fixed data set, in SQL and in memory', () => {
  const nulls = (c: Collection) => Object.fromEntries(c.fields.map((f) => [f.name, isList(f) ? [] : null]));
  const author = (id: string, values: Row): Row => ({ ...nulls(authors), id, created: '2024-01-01T00:00:00.000Z', updated: '2024-01-01T00:00:00.000Z', ...values });
  const post = (n: number, values: Row): Row => ({ ...nulls(posts), id: `p${n}`, created: `2024-01-0${n}T00:00:00.000Z`, updated: '2024-02-01T00:00:00.000Z', ...values });
  const tables = {
    authors: [
      author('a1', { name: 'Ann', age: 30, score: 4.5, active: true, born: '1990-05-01', seen: '2024-01-01T10:30:00.000Z', email: 'ann@example.com', level: 'a', langs: ['en'], meta: { x: 1 }, mentor: 'a2' }),
      author('a2', { name: 'Bob', age: 50, active: false, email: 'BOB@Example.org', level: 'b', langs: ['en', 'fr'] }),
      author('a3', { name: 'İlker', score: -1, born: '2000-02-29', seen: '2023-12-31T23:59:59.999Z', langs: [], meta: [1], mentor: 'zz' }),
    ],
    posts: [
      post(1, { title: 'Hello World', link: 'https://example.com/a', views: 10, rating: 4.5, published: true, day: '2024-01-01', at: '2024-01-01T10:30:00.000Z', status: 'live', tags: ['x', 'y'], meta: { a: 1 }, author: 'a1', coauthors: ['a2'] }),
      post(2, { title: 'İstanbul', views: 0, published: false, day: '2024-02-29', status: 'draft', author: 'a2' }),
      post(3, { title: '😀 smile', rating: 1, at: '2023-12-31T23:59:59.999Z', tags: ['z'], meta: [], author: 'zz', coauthors: ['a1', 'zz'] }),
      post(4, { title: '\uE000 private', views: 10, rating: 2.5, published: true, day: '1999-12-31', status: 'live', tags: ['x'], coauthors: ['a1', 'a2'] }),
      post(5, { title: '', views: -3, rating: 0, published: false, day: '2024-01-01', at: '2024-06-01T12:00:00.000Z', status: 'draft', tags: ['y', 'y'], meta: false, author: 'a3', coauthors: ['a3'] }),
    ],
  };
  const cases: [string, string][] = [
    ['views = 10', 'p1 p4'], ['views != 10', 'p2 p3 p5'], ['views > 0', 'p1 p4'], ['views >= 0', 'p1 p2 p4'], ['views < 10', 'p2 p5'],
    ['views <= -3', 'p5'], ['10 > views', 'p2 p5'], ['views = 10.0', 'p1 p4'], ['rating = 1', 'p3'], ['rating > 2', 'p1 p4'],
    ['!(views > 0)', 'p2 p3 p5'], ['views in [0, -3, 7]', 'p2 p5'], ['views in []', ''], ['views = @n.ten', 'p1 p4'],
    ['title ~ "WORLD"', 'p1'], ['title ~ "i̇stanbul"', 'p2'], ['title ~ "ISTANBUL"', ''], ['title ~ ""', 'p1 p2 p3 p4 p5'], ['title !~ "o"', 'p2 p3 p4 p5'],
    ['title < "\\uE000"', 'p1 p2 p5'], ['title > "\\uE000"', 'p3 p4'], ['title = ""', 'p5'], ["title = 'Hello World'", 'p1'],
    ['link ~ "EXAMPLE"', 'p1'], ['link !~ "EXAMPLE"', 'p2 p3 p4 p5'],
    ['status in ["live"]', 'p1 p4'], ['status = null', 'p3'], ['null != status', 'p1 p2 p4 p5'], ['status is not null', 'p1 p2 p4 p5'],
    ['status < "e"', 'p2 p5'], ['status ~ "RAF"', 'p2 p5'],
    ['published = false', 'p2 p5'], ['published != true', 'p2 p3 p5'], ['published in [true, false]', 'p1 p2 p4 p5'], ['published = @b.yes', 'p1 p4'],
    ['day >= "2024-01-01"', 'p1 p2 p5'], ['day ~ "-02-"', 'p2'], ['day in ["1999-12-31", "2024-02-29"]', 'p2 p4'],
    ['at > "2024-01-01"', 'p1 p5'], ['at < "2024-01-01T10:30:00+01:00"', 'p3'], ['at = "2024-01-01T11:30:00+01:00"', 'p1'], ['at ~ "t10"', 'p1'],
    ['created > "2024-01-03"', 'p4 p5'], ['updated = "2024-02-01"', 'p1 p2 p3 p4 p5'], ['id >= "p4"', 'p4 p5'], ['id ~ "P"', 'p1 p2 p3 p4 p5'],
    ['tags ~ "x"', 'p1 p4'], ['tags !~ "x"', 'p2 p3 p5'], ['tags ~ "y"', 'p1 p5'], ['tags is null', 'p2'], ['tags is not null', 'p1 p3 p4 p5'],
    ['meta is not null', 'p1 p3 p5'], ['meta = null', 'p2 p4'],
    ['author = "a1"', 'p1'], ['author != "a1"', 'p2 p3 p4 p5'], ['author in ["a2", "zz"]', 'p2 p3'], ['author = @request.auth.id', 'p1'],
    ['author.name = "Bob"', 'p2'], ['author.name != "Bob"', 'p1 p5'], ['!(author.name = "Bob")', 'p1 p3 p4 p5'], ['author.name ~ "i̇lker"', 'p5'],
    ['author.id = "zz"', ''], ['author.mentor.name = "Bob"', 'p1'], ['author.mentor is null', 'p2'], ['author.mentor.name is null', ''],
    ['coauthors ~ "zz"', 'p3'], ['coauthors !~ "a1"', 'p1 p2 p5'], ['coauthors is null', 'p2'], ['coauthors.name ~ "ann"', 'p3 p4'],
    ['coauthors.langs ~ "fr"', 'p1 p4'], ['coauthors.langs !~ "fr"', 'p3 p4 p5'], ['coauthors.id = "a2"', 'p1 p4'], ['coauthors.score < 0', 'p5'],
    ['author.langs ~ "en" && views = 10', 'p1'], ['views = 0 || rating < 2', 'p2 p3 p5'], ['id in ["p1", "p3"] && !(title ~ "hello")', 'p3'],
    ['views = 10 || views = 0 && published = true', 'p1 p4'], ['(views = 10 || views = 0) && published = false', 'p2'],
    ['"a" = "a" && views = 0', 'p2'], ['"a" = "b" || views = 0', 'p2'], ['@nil is null && views = 0', 'p2'], ['@s.a in ["a"] && views < 0', 'p5'],
  ];
  const authorCases: [string, string][] = [
    ['mentor.name = "Bob"', 'a1'], ['email ~ "example.ORG"', 'a2'], ['langs is null', 'a3'], ['score >= -1', 'a1 a3'], ['born < "2000-01-01"', 'a1'],
    ['seen <= "2023-12-31T23:59:59.999Z"', 'a3'], ['level != "a"', 'a2 a3'], ['mentor.mentor is null', 'a1'], ['age > 40 || active = false', 'a2'],
    ['meta is not null', 'a1 a3'], ['langs ~ "fr" || langs ~ "de"', 'a2'],
  ];

  beforeAll(async () => {
    store(tables);
    if (pgAvailable) await storePostgres(tables);
  });

  // The caller may view only authors older than 40 (a2): paths through relations reach no one else.
  const boundedCases: [string, string][] = [
    ['author.name = "Bob"', 'p2'], ['author.name = "Ann"', ''], ['!(author.name = "Ann")', 'p1 p2 p3 p4 p5'], ['author.name != "Bob"', ''],
    ['coauthors.name ~ "ann"', ''], ['coauthors.name ~ "bob"', 'p1 p4'], ['author.mentor.name = "Bob"', ''], ['author.age > 0', 'p2'],
    ['author.mentor is null', 'p2'], ['coauthors.id = "a2"', 'p1 p4'],
  ];
  it.each(boundedCases)('through relations bounded by the view "age > 40": %s → %s', async (filter, ids) => {
    const expected = ids.split(' ').filter(Boolean);
    expect(select(posts, filter, tables, variables, 'age > 40')).toEqual({ sql: expected, memory: expected });
    if (pgAvailable) expect(await selectPostgres(posts, filter, variables, 'age > 40')).toEqual(expected);
  });

  it.each([...cases.map(([f, ids]) => ['posts', f, ids]), ...authorCases.map(([f, ids]) => ['authors', f, ids])])('%s: %s → %s', async (base, filter, ids) => {
    const expected = ids.split(' ').filter(Boolean);
    expect(select(schema.collection(base)!, filter, tables, variables)).toEqual({ sql: expected, memory: expected });
    if (pgAvailable) expect(await selectPostgres(schema.collection(base)!, filter, variables)).toEqual(expected);
  });
});
