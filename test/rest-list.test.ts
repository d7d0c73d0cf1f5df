import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorsDefinition, postsDefinition } from './support/fixtures.js';
import { startTestServer, type TestResponse, type TestServer } from './support/test-server.js';
import { countStatements } from './support/statements.js';

let t: TestServer;
const posts = '/api/collections/posts/records';
const q = (params: Record<string, string>) => `${posts}?${new URLSearchParams(params)}`;
const authorIds: string[] = [];

beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/api/collections', authorsDefinition);
  await t.request('POST', '/api/collections', postsDefinition);
  const batch = await t.request('POST', '/api/batch', {
    operations: ['Ann', 'Bob', 'Cy'].map((name) => ({ action: 'create', collection: 'authors', data: { name } })),
  });
  authorIds.push(...batch.body.results.map((r: { record: { id: string } }) => r.record.id));
  const operations = Array.from({ length: 60 }, (_, i) => ({
    action: 'create',
    collection: 'posts',
    data: {
      title: `Post ${String(i).padStart(2, '0')}`,
      views: i % 10,
      published: i % 2 === 0,
      status: ['draft', 'live', 'archived'][i % 3],
      rating: i % 7 === 0 ? null : (i % 5) + 0.5,
      author: authorIds[i % 3],
      reviewers: [authorIds[(i + 1) % 3]],
    },
  }));
  expect((await t.request('POST', '/api/batch', { operations })).status).toBe(200);
});
afterAll(() => t.stop());

describe('filter, sort, count and fields', () => {
  it('filters with the query language', async () => {
    const { body } = await t.request('GET', q({ filter: 'published = true && views >= 5', limit: '500' }));
    expect(body.items.length).toBe(12);
    expect(body.items.every((p: { published: boolean; views: number }) => p.published && p.views >= 5)).toBe(true);
  });

  it('filters through a relation', async () => {
    const { body } = await t.request('GET', q({ filter: 'author.name = "Bob"', limit: '500', count: 'true' }));
    expect(body.total).toBe(20);
    expect(body.items.every((p: { author: string }) => p.author === authorIds[1])).toBe(true);
  });

  it('sorts by several keys', async () => {
    const { body } = await t.request('GET', q({ sort: '-views,title', limit: '5' }));
    expect(body.items.map((p: { title: string }) => p.title)).toEqual(['Post 09', 'Post 19', 'Post 29', 'Post 39', 'Post 49']);
  });

  it('counts all matches, not just the page', async () => {
    const { body } = await t.request('GET', q({ filter: 'status = "live"', limit: '2', count: 'true' }));
    expect(body.items).toHaveLength(2);
    expect(body.total).toBe(20);
  });

  it('selects fields', async () => {
    const { body } = await t.request('GET', q({ fields: 'id,title', limit: '1' }));
    expect(Object.keys(body.items[0]).sort()).toEqual(['id', 'title']);
  });

  it('defaults to 30 records a page', async () => {
    const { body } = await t.request('GET', posts);
    expect(body.items).toHaveLength(30);
    expect(body.nextCursor).toEqual(expect.any(String));
  });
});

describe('cursor pagination', () => {
  async function walk(params: Record<string, string>, between?: (page: number) => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const response: TestResponse = await t.request('GET', q({ ...params, ...(after ? { after } : {}) }));
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((p: { id: string }) => p.id));
      after = response.body.nextCursor;
      if (!after) break;
      await between?.(page);
    }
    return seen;
  }

  it('walks every record exactly once, with nulls in the sort key', async () => {
    for (const sort of ['rating', '-rating', '-views,title', 'published,-created']) {
      const ids = await walk({ sort, limit: '7' });
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(60);
    }
  });

  it('stays correct while records are inserted and deleted concurrently', async () => {
    const all = (await t.request('GET', q({ limit: '500', sort: 'title' }))).body.items.map((p: { id: string }) => p.id);
    const deleted = new Set<string>();
    const inserted: string[] = [];
    const seen = await walk({ sort: 'title', limit: '6' }, async (page) => {
      // Delete a record further ahead and insert records both before and after the cursor position.
      const victim = all[all.length - 1 - page];
      await t.request('DELETE', `${posts}/${victim}`);
      deleted.add(victim);
      const early = await t.request('POST', posts, { title: `Post 00 concurrent ${page}` });
      const late = await t.request('POST', posts, { title: `Post 99 concurrent ${page}` });
      inserted.push(early.body.id, late.body.id);
    });
    expect(new Set(seen).size).toBe(seen.length);
    // Every record that existed throughout is seen once; deleted ones never after deletion; late inserts are seen.
    for (const id of all) if (!deleted.has(id)) expect(seen).toContain(id);
    const titles = new Map((await t.request('GET', q({ limit: '500' }))).body.items.map((p: { id: string; title: string }) => [p.id, p.title]));
    for (const id of inserted) if (String(titles.get(id)).startsWith('Post 99')) expect(seen).toContain(id);
  });

  it('refuses a cursor made for another sort', async () => {
    const first = await t.request('GET', q({ sort: 'title', limit: '2' }));
    const response = await t.request('GET', q({ sort: '-title', limit: '2', after: first.body.nextCursor }));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_CURSOR');
  });
});

describe('expand', () => {
  it('expands to-one and to-many relations', async () => {
    const { body } = await t.request('GET', q({ expand: 'author,reviewers', limit: '3', sort: 'title', filter: 'author is not null' }));
    for (const post of body.items) {
      expect(post.expand.author.id).toBe(post.author);
      expect(post.expand.reviewers.map((r: { id: string }) => r.id)).toEqual(post.reviewers);
    }
  });

  it('expands on a single record too, with fields of the expanded record', async () => {
    const first = (await t.request('GET', q({ limit: '1' }))).body.items[0];
    const { body } = await t.request('GET', `${posts}/${first.id}?expand=author&fields=title,author.name`);
    expect(body).toEqual({ title: first.title, expand: { author: { name: expect.any(String) } } });
  });

  it('runs the same number of SQL statements for 5 and for 50 records', async () => {
    const count = async (limit: string) => {
      const { statements, result: response } = await countStatements(t.server.db, () => t.request('GET', q({ expand: 'author,reviewers', limit })));
      expect(response.body.items.length).toBe(Number(limit));
      return statements;
    };
    // Warm: the admin's token is then authenticated from the cache, without statements of its own.
    await t.request('GET', q({ limit: '1' }));
    const few = await count('5');
    const many = await count('50');
    expect(many).toBe(few);
    // The page and one load per relation.
    expect(few).toBe(3);
  });
});
