import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCaller } from '@causeway/core';
import { PostgresDatabase } from '../packages/server/src/store/postgres/postgres-database.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// The statements Causeway runs for the common reads use the indexes a hand-written query would: the database's
// own plan (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN) shows an index search, never a scan of the table
// or a sort of its rows. The statements are the ones the REST routes really run, captured with their parameters.
let t: TestServer;
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

beforeAll(async () => {
  t = await startTestServer();
  const define = async (definition: object) => expect((await t.request('POST', '/api/collections', definition)).status).toBe(201);
  await define({ name: 'authors', ...open, fields: [{ name: 'name', type: 'text' }] });
  await define({
    name: 'posts',
    ...open,
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number', integer: true }, { name: 'author', type: 'relation', collection: 'authors' }],
    indexes: [{ fields: ['views'] }],
  });
  await t.server.records.batch(systemCaller, { operations: Array.from({ length: 20 }, (_, i) => ({ action: 'create', collection: 'authors', data: { id: `author${i}`, name: `Author ${i}` } })) });
  const posts = Array.from({ length: 2000 }, (_, i) => ({ action: 'create', collection: 'posts', data: { id: `post${i}`, title: `Post ${i}`, views: (i * 7919) % 2000, author: `author${i % 20}` } }));
  for (let at = 0; at < posts.length; at += 1000) await t.server.records.batch(systemCaller, { operations: posts.slice(at, at + 1000) });
  if (t.server.db instanceof PostgresDatabase) await t.server.db.run('ANALYZE');
});
afterAll(() => t.stop());

type Statement = { sql: string; params: readonly unknown[] };

/** The reads `path` makes of the database (the statements the reader connection or pool runs). */
async function statementsOf(path: string): Promise<Statement[]> {
  type Read = (sql: string, params?: readonly unknown[]) => Promise<unknown>;
  // Own properties shadowing the class's methods for the length of one request, then removed.
  const db = t.server.db as unknown as Record<'all' | 'get', Read>;
  const seen: Statement[] = [];
  for (const method of ['all', 'get'] as const) {
    const original = db[method];
    db[method] = (sql, params = []) => {
      seen.push({ sql, params });
      return original.call(t.server.db, sql, params);
    };
  }
  try {
    const response = await t.request('GET', path, undefined, { authorization: '' });
    expect(response.status).toBe(200);
  } finally {
    const shadowed: Partial<typeof db> = db;
    delete shadowed.all;
    delete shadowed.get;
  }
  return seen.filter((s) => /"(posts|authors)"/.test(s.sql));
}

/** The plan's lines, as the database prints them. */
async function plan({ sql, params }: Statement): Promise<string[]> {
  const db = t.server.db;
  if (db instanceof PostgresDatabase) {
    // A tiny table is cheaper to scan than to search; what matters is that the index can serve the statement.
    return db.transaction(async (tx) => {
      await tx.run('SET LOCAL enable_seqscan = off');
      return (await tx.all(`EXPLAIN ${sql}`, params)).map((row) => String(row['QUERY PLAN']));
    });
  }
  return (await db.all(`EXPLAIN QUERY PLAN ${sql}`, params)).map((row) => String(row.detail));
}

function expectIndexed(lines: string[], index: RegExp): void {
  const text = lines.join('\n');
  if (t.server.db instanceof PostgresDatabase) {
    expect(text, text).toMatch(new RegExp(`(Index (Only )?Scan( Backward)? using|Bitmap Index Scan on) ${index.source}`));
    expect(text, text).not.toMatch(/Seq Scan|Sort {2}\(|Sort Key/);
  } else {
    expect(text, text).toMatch(new RegExp(`SEARCH \\w+ USING (COVERING )?INDEX ${index.source}`));
    // The ids of an expand come as a JSON array, read by a scan of json_each (a virtual table over the list, not a table).
    expect(text, text).not.toMatch(/\bSCAN (?!\w+ VIRTUAL TABLE)|TEMP B-TREE/);
  }
}

const records = '/api/collections/posts/records';
const filtered = `filter=${encodeURIComponent('views >= 1500')}&sort=-views`;

describe('query plans of the common reads', () => {
  it('get by id searches the primary key', async () => {
    const [statement] = await statementsOf(`${records}/post1234`);
    expectIndexed(await plan(statement!), /("?sqlite_autoindex_posts_1|"?posts__pkey)/);
  });

  it('a filtered, sorted page reads the filter field’s index in order, without sorting', async () => {
    const [page] = await statementsOf(`${records}?${filtered}&limit=20`);
    expectIndexed(await plan(page!), /"?posts__idx_posts_views/);
  });

  it('a count with an indexed filter counts from the index', async () => {
    const statements = await statementsOf(`${records}?${filtered}&limit=1&count=true`);
    const count = statements.find((s) => /COUNT\(\*\)/.test(s.sql))!;
    expect(count.sql).not.toMatch(/IS NOT NULL/);
    expectIndexed(await plan(count), /"?posts__idx_posts_views/);
  });

  it('expand loads the related records by primary key', async () => {
    const statements = await statementsOf(`${records}?${filtered}&limit=20&expand=author`);
    const authors = statements.find((s) => /"authors"/.test(s.sql))!;
    expectIndexed(await plan(authors), /("?sqlite_autoindex_authors_1|"?authors__pkey)/);
  });
});
