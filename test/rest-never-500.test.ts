import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorsDefinition, postsDefinition } from './support/fixtures.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// Whatever a client sends, the answer is a success or a problem+json 4xx: never a 500, never a crash.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/api/collections', authorsDefinition);
  await t.request('POST', '/api/collections', postsDefinition);
  await t.request('POST', '/api/collections/posts/records', { id: 'known', title: 'Known' });
});
afterAll(() => t.stop());

const fieldNames = ['title', 'slug', 'views', 'rating', 'published', 'day', 'at', 'contact', 'link', 'status', 'tags', 'meta', 'author', 'reviewers', 'id', 'created', 'nope'];
const anyJson = fc.jsonValue({ maxDepth: 3 });
const filterText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.tuple(fc.constantFrom(...fieldNames, 'author.name', 'reviewers.email', 'a.b.c.d.e'), fc.constantFrom('=', '!=', '>', '~', '!~', 'in', 'is', '<='), fc.jsonValue({ maxDepth: 1 }))
    .map(([field, op, value]) => `${field} ${op} ${op === 'in' ? `[${JSON.stringify(value)}]` : op === 'is' ? 'null' : JSON.stringify(value)}`),
);

function expectNoServerError(response: { status: number; headers: Headers }): void {
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400) expect(response.headers.get('content-type')).toContain('application/problem+json');
}

describe('random input never produces a 500', () => {
  it('on record writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...fieldNames), anyJson, { maxKeys: 6 }), fc.constantFrom('POST', 'PATCH'), async (body, method) => {
        const path = method === 'POST' ? '/api/collections/posts/records' : '/api/collections/posts/records/known';
        expectNoServerError(await t.request(method, path, body));
      }),
      { numRuns: 300 },
    );
  });

  it('on list queries', async () => {
    const params = fc.record(
      { filter: filterText, sort: fc.string({ maxLength: 12 }), limit: fc.string({ maxLength: 4 }), after: fc.string({ maxLength: 20 }), fields: fc.string({ maxLength: 12 }), expand: fc.string({ maxLength: 12 }), count: fc.string({ maxLength: 5 }) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(params, async (query) => {
        expectNoServerError(await t.request('GET', `/api/collections/posts/records?${new URLSearchParams(query)}`));
      }),
      { numRuns: 400 },
    );
  });

  it('on collection definitions and batches', async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, anyJson, async (definition, batch) => {
        expectNoServerError(await t.request('POST', '/api/collections', definition));
        expectNoServerError(await t.request('POST', '/api/batch', batch));
        expectNoServerError(await t.request('POST', '/api/batch', { operations: [{ action: 'create', collection: 'posts', data: definition }] }));
      }),
      { numRuns: 200 },
    );
  });

  it('on raw bodies that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), async (raw) => {
        expectNoServerError(await t.request('POST', '/api/collections/posts/records', raw, { 'content-type': 'application/json' }));
      }),
      { numRuns: 200 },
    );
  });
});
