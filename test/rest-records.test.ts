import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorsDefinition, postsDefinition } from './support/fixtures.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
const posts = '/api/collections/posts/records';
const authors = '/api/collections/authors/records';

beforeAll(async () => {
  t = await startTestServer({ config: { bodyLimit: 64 * 1024 } });
  expect((await t.request('POST', '/api/collections', authorsDefinition)).status).toBe(201);
  expect((await t.request('POST', '/api/collections', postsDefinition)).status).toBe(201);
});
afterAll(() => t.stop());

describe('records CRUD', () => {
  it('creates, reads, updates and deletes a record', async () => {
    const created = await t.request('POST', posts, { title: 'First', views: 1 });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-z]{26}$/);
    expect(created.headers.get('location')).toBe(`${posts}/${created.body.id}`);
    expect(created.body.created).toBe(created.body.updated);

    const read = await t.request('GET', `${posts}/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const updated = await t.request('PATCH', `${posts}/${created.body.id}`, { views: 2 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ title: 'First', views: 2 });
    expect(updated.body.updated >= created.body.updated).toBe(true);

    expect((await t.request('DELETE', `${posts}/${created.body.id}`)).status).toBe(204);
    const gone = await t.request('GET', `${posts}/${created.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('RECORD_NOT_FOUND');
  });

  it('accepts a client-chosen id and refuses a duplicate one', async () => {
    expect((await t.request('POST', posts, { id: 'my-own-id', title: 'Mine' })).status).toBe(201);
    const again = await t.request('POST', posts, { id: 'my-own-id', title: 'Again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('UNIQUE_VIOLATION');
  });

  it('answers 409 with the field on a unique violation', async () => {
    expect((await t.request('POST', posts, { title: 'A', slug: 'same-slug' })).status).toBe(201);
    const clash = await t.request('POST', posts, { title: 'B', slug: 'same-slug' });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('UNIQUE_VIOLATION');
    expect(clash.body.errors.slug.code).toBe('unique');
  });

  it('ids are time-sortable', async () => {
    const a = await t.request('POST', posts, { title: 'earlier' });
    const b = await t.request('POST', posts, { title: 'later' });
    expect(a.body.id < b.body.id).toBe(true);
  });
});

describe('ETags', () => {
  it('answers 304 to If-None-Match with the current ETag', async () => {
    const created = await t.request('POST', posts, { title: 'Tagged' });
    const etag = created.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    const read = await t.request('GET', `${posts}/${created.body.id}`, undefined, { 'if-none-match': etag });
    expect(read.status).toBe(304);
    const changed = await t.request('PATCH', `${posts}/${created.body.id}`, { title: 'Changed' });
    expect(changed.headers.get('etag')).not.toBe(etag);
    const fresh = await t.request('GET', `${posts}/${created.body.id}`, undefined, { 'if-none-match': etag });
    expect(fresh.status).toBe(200);
  });

  it('answers 412 to If-Match when the record changed, and leaves it unchanged', async () => {
    const created = await t.request('POST', posts, { title: 'v1' });
    const etag = created.headers.get('etag')!;
    const ok = await t.request('PATCH', `${posts}/${created.body.id}`, { title: 'v2' }, { 'if-match': etag });
    expect(ok.status).toBe(200);
    const stale = await t.request('PATCH', `${posts}/${created.body.id}`, { title: 'v3' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('PRECONDITION_FAILED');
    const staleDelete = await t.request('DELETE', `${posts}/${created.body.id}`, undefined, { 'if-match': etag });
    expect(staleDelete.status).toBe(412);
    expect((await t.request('GET', `${posts}/${created.body.id}`)).body.title).toBe('v2');
    const current = ok.headers.get('etag')!;
    expect((await t.request('DELETE', `${posts}/${created.body.id}`, undefined, { 'if-match': current })).status).toBe(204);
  });
});

describe('errors are problem+json, never 500', () => {
  const cases: { name: string; method: string; path: string; body?: string; headers?: Record<string, string>; status: number; code: string }[] = [
    { name: 'unknown collection', method: 'GET', path: '/api/collections/nope/records', status: 404, code: 'COLLECTION_NOT_FOUND' },
    { name: 'unknown record', method: 'GET', path: `${posts}/nope`, status: 404, code: 'RECORD_NOT_FOUND' },
    { name: 'unknown route', method: 'GET', path: '/api/nothing-here', status: 404, code: 'NOT_FOUND' },
    { name: 'malformed JSON', method: 'POST', path: posts, body: '{"title": ', status: 400, code: 'MALFORMED_JSON' },
    { name: 'prototype pollution', method: 'POST', path: posts, body: '{"__proto__": {"x": 1}, "title": "p"}', status: 400, code: 'MALFORMED_JSON' },
    { name: 'body over the limit', method: 'POST', path: posts, body: JSON.stringify({ title: 'x'.repeat(70_000) }), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'not JSON', method: 'POST', path: posts, body: 'title=x', headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'bad filter', method: 'GET', path: `${posts}?filter=${encodeURIComponent('title = ')}`, status: 400, code: 'INVALID_FILTER' },
    { name: 'filter on unknown field', method: 'GET', path: `${posts}?filter=${encodeURIComponent('titel = "x"')}`, status: 400, code: 'INVALID_FILTER' },
    { name: 'bad sort', method: 'GET', path: `${posts}?sort=-nope`, status: 400, code: 'INVALID_SORT' },
    { name: 'limit too large', method: 'GET', path: `${posts}?limit=501`, status: 400, code: 'INVALID_QUERY' },
    { name: 'limit not a number', method: 'GET', path: `${posts}?limit=ten`, status: 400, code: 'INVALID_QUERY' },
    { name: 'unknown query parameter', method: 'GET', path: `${posts}?filtre=x`, status: 400, code: 'INVALID_QUERY' },
    { name: 'forged cursor', method: 'GET', path: `${posts}?after=bm9wZQ`, status: 400, code: 'INVALID_CURSOR' },
    { name: 'expand a non-relation', method: 'GET', path: `${posts}?expand=title`, status: 400, code: 'INVALID_QUERY' },
    { name: 'fields unknown', method: 'GET', path: `${posts}?fields=nope`, status: 400, code: 'INVALID_QUERY' },
    { name: 'update unknown record', method: 'PATCH', path: `${posts}/nope`, body: '{"title":"x"}', status: 404, code: 'RECORD_NOT_FOUND' },
    { name: 'delete unknown record', method: 'DELETE', path: `${posts}/nope`, status: 404, code: 'RECORD_NOT_FOUND' },
  ];
  it.each(cases)('$name → $status $code', async ({ method, path, body, headers, status, code }) => {
    const response = await t.request(method, path, body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
    expect(response.body.type).toMatch(/^urn:causeway:problem:/);
  });

  it('gives the position of a filter error', async () => {
    const response = await t.request('GET', `${posts}?filter=${encodeURIComponent('views > "many"')}`);
    expect(response.status).toBe(400);
    expect(response.body.position).toBe(8);
    expect(response.body.detail).toContain('8');
  });

  it('writes nothing when a create fails', async () => {
    const before = (await t.request('GET', `${posts}?count=true&limit=1`)).body.total;
    await t.request('POST', posts, { title: 'x', views: -5 });
    expect((await t.request('GET', `${posts}?count=true&limit=1`)).body.total).toBe(before);
  });
});

describe('relations on delete', () => {
  it('cascades to-one relations marked cascade, and records each delete in the change log', async () => {
    const author = await t.request('POST', authors, { name: 'Cascading' });
    const post = await t.request('POST', posts, { title: 'Owned', author: author.body.id });
    const seqBefore = await maxSeq();
    expect((await t.request('DELETE', `${authors}/${author.body.id}`)).status).toBe(204);
    expect((await t.request('GET', `${posts}/${post.body.id}`)).status).toBe(404);
    const changes = (await t.server.feed.since(seqBefore)).map(({ collection, recordId, op }) => ({ collection, recordId, op }));
    expect(changes).toEqual([
      { collection: 'posts', recordId: post.body.id, op: 'delete' },
      { collection: 'authors', recordId: author.body.id, op: 'delete' },
    ]);
  });

  it('removes a deleted target from to-many relations (set null)', async () => {
    const a = await t.request('POST', authors, { name: 'Reviewer A' });
    const b = await t.request('POST', authors, { name: 'Reviewer B' });
    const post = await t.request('POST', posts, { title: 'Reviewed', reviewers: [a.body.id, b.body.id] });
    await t.request('DELETE', `${authors}/${a.body.id}`);
    expect((await t.request('GET', `${posts}/${post.body.id}`)).body.reviewers).toEqual([b.body.id]);
  });

  it('refuses to delete a record a restrict relation still points at', async () => {
    await t.request('POST', '/api/collections', {
      name: 'comments',
      fields: [{ name: 'post', type: 'relation', collection: 'posts', required: true, onDelete: 'restrict' }],
    });
    const post = await t.request('POST', posts, { title: 'Commented' });
    await t.request('POST', '/api/collections/comments/records', { post: post.body.id });
    const refused = await t.request('DELETE', `${posts}/${post.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('RELATION_RESTRICT');
    expect((await t.request('GET', `${posts}/${post.body.id}`)).status).toBe(200);
  });
});

describe('batch', () => {
  it('applies every operation in one transaction', async () => {
    const response = await t.request('POST', '/api/batch', {
      operations: [
        { action: 'create', collection: 'authors', data: { id: 'batch-author', name: 'Batch' } },
        { action: 'create', collection: 'posts', data: { title: 'Batch post', author: 'batch-author' } },
        { action: 'update', collection: 'authors', id: 'batch-author', data: { name: 'Batch 2' } },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { action: string }) => r.action)).toEqual(['create', 'create', 'update']);
    expect(response.body.results[2].record.name).toBe('Batch 2');
  });

  it('rolls back everything when one operation fails, naming the operation', async () => {
    const before = (await t.request('GET', `${authors}?count=true&limit=1`)).body.total;
    const seqBefore = await maxSeq();
    const response = await t.request('POST', '/api/batch', {
      operations: [
        { action: 'create', collection: 'authors', data: { name: 'Rolled back' } },
        { action: 'create', collection: 'authors', data: { name: 'Also rolled back' } },
        { action: 'create', collection: 'posts', data: { title: '' } },
      ],
    });
    expect(response.status).toBe(422);
    expect(response.body.operation).toBe(2);
    expect(response.body.errors['operations.2.data.title'].code).toBe('required');
    expect((await t.request('GET', `${authors}?count=true&limit=1`)).body.total).toBe(before);
    expect(await maxSeq()).toBe(seqBefore);
  });

  it('rolls back on a unique violation inside the batch', async () => {
    const response = await t.request('POST', '/api/batch', {
      operations: [
        { action: 'create', collection: 'posts', data: { title: 'u1', slug: 'batch-slug' } },
        { action: 'create', collection: 'posts', data: { title: 'u2', slug: 'batch-slug' } },
      ],
    });
    expect(response.status).toBe(409);
    expect(response.body.operation).toBe(1);
    expect((await t.request('GET', `${posts}?filter=${encodeURIComponent('slug = "batch-slug"')}`)).body.items).toHaveLength(0);
  });

  it('rejects a malformed batch', async () => {
    const response = await t.request('POST', '/api/batch', { operations: [{ action: 'upsert', collection: 'posts' }] });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });
});

async function maxSeq(): Promise<number> {
  return t.server.feed.latest();
}
