import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, bearer, signUp, type Account } from './support/accounts.js';
import { authorsDefinition, postsDefinition } from './support/fixtures.js';
import { registeredRoutes } from './support/registered-routes.js';
import { OpenApiResponseCheck, type Exchange, type OpenApiDocumentShape } from './support/openapi-responses.js';
import { adminEmail, adminPassword, startTestServer, type Json, type TestServer } from './support/test-server.js';

/**
 * Every response of a broad request set, checked against the live OpenAPI document by a validator nobody here
 * wrote (Ajv, JSON Schema 2020-12): the status must be declared for the operation, the content type declared for
 * the status, and the body valid. The document is fetched from the server once the schema is final.
 */
let t: TestServer;
let user: Account;
const exchanges: Exchange[] = [];

interface Call {
  body?: unknown;
  headers?: Record<string, string>;
  /** The status this request is meant to provoke: asserted, so the set keeps covering what it claims to. */
  expect?: number;
}

async function call(method: string, url: string, { body, headers, expect: status }: Call = {}): Promise<Json> {
  const response = await t.request(method, url, body, headers);
  exchanges.push({ method, url, status: response.status, contentType: response.headers.get('content-type'), body: response.body });
  if (status !== undefined) expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(status);
  return response;
}

/** A request with a raw body and content type (t.request sends JSON). */
async function callRaw(method: string, url: string, body: string, contentType: string, expected: number): Promise<void> {
  const response = await fetch(t.url + url, { method, body, headers: { 'content-type': contentType, authorization: `Bearer ${t.adminToken}` } });
  const text = await response.text();
  exchanges.push({ method, url, status: response.status, contentType: response.headers.get('content-type'), body: text === '' ? undefined : JSON.parse(text) });
  expect(response.status).toBe(expected);
}

async function liveCheck(): Promise<OpenApiResponseCheck> {
  const document = (await t.request('GET', '/api/openapi.json')).body as OpenApiDocumentShape;
  return new OpenApiResponseCheck(document);
}

/** Checks what the test's requests received against the live document, then forgets them. */
async function expectConforming(): Promise<void> {
  const check = await liveCheck();
  const problems = exchanges.splice(0).flatMap((exchange) => check.check(exchange));
  expect(problems).toEqual([]);
}

const membersDefinition = {
  name: 'members',
  type: 'auth',
  fields: [
    { name: 'nickname', type: 'text', max: 50 },
    { name: 'secret', type: 'text', hidden: true },
    { name: 'level', type: 'number', integer: true, readOnly: true },
  ],
  listRule: '',
  viewRule: '',
  createRule: '',
};

beforeAll(async () => {
  t = await startTestServer({ config: { bodyLimit: 64 * 1024 } });
  await call('POST', '/api/collections', { body: authorsDefinition, expect: 201 });
  await call('POST', '/api/collections', { body: postsDefinition, expect: 201 });
  await call('POST', '/api/collections', { body: membersDefinition, expect: 201 });
  user = await signUp(t, 'reader@example.com', { name: 'Reader' });
});
afterAll(() => t.stop());

describe('the live OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = (await call('GET', '/api/openapi.json', { expect: 200 })).body;
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    await expectConforming();
  });

  it('describes record CRUD, lists, field selection and expansion', async () => {
    const ann = (await call('POST', '/api/collections/authors/records', { body: { name: 'Ann', email: 'ann@example.com' }, expect: 201 })).body;
    const bob = (await call('POST', '/api/collections/authors/records', { body: { name: 'Bob' }, expect: 201 })).body;
    const full = {
      title: 'Hello',
      slug: 'hello',
      views: 3,
      rating: 4.5,
      published: true,
      day: '2026-12-01',
      at: '2026-12-01T10:00:00.000Z',
      contact: 'c@example.com',
      link: 'https://example.com/a',
      status: 'live',
      tags: ['a', 'b'],
      meta: { nested: [1, 'two', null] },
      author: ann.id,
      reviewers: [ann.id, bob.id],
    };
    const post = (await call('POST', '/api/collections/posts/records', { body: full, expect: 201 })).body;
    await call('POST', '/api/collections/posts/records', { body: { title: 'Bare' }, expect: 201 });
    await call('POST', '/api/collections/posts/records', { body: { title: 'Other', slug: 'hello' }, expect: 409 });
    await call('POST', '/api/collections/posts/records', { body: { title: '', views: -1, status: 'nope' }, expect: 422 });
    await call('POST', '/api/collections/posts/records', { body: { title: 'x', author: 'missing' }, expect: 422 });
    await call('POST', '/api/collections/posts/records', { body: { title: 'x' }, headers: anonymous, expect: 403 });
    await call('POST', '/api/collections/posts/records', { body: { title: 'x' }, headers: user.auth, expect: 403 });
    await call('POST', '/api/collections/posts/records', { body: { title: 'x' }, headers: bearer('forged.token.here'), expect: 401 });
    await call('POST', '/api/collections/posts/records', { body: '{"title":', expect: 400 });
    await callRaw('POST', '/api/collections/posts/records', 'title=x', 'text/plain', 415);
    await call('POST', '/api/collections/posts/records', { body: { title: 'big', meta: 'x'.repeat(70 * 1024) }, expect: 413 });

    const base = '/api/collections/posts/records';
    await call('GET', base, { expect: 200 });
    await call('GET', `${base}?filter=${encodeURIComponent('published = true && views > 1')}&sort=-created,title&count=true`, { expect: 200 });
    await call('GET', `${base}?fields=title`, { expect: 200 });
    await call('GET', `${base}?fields=id,tags,author.name&expand=author,reviewers`, { expect: 200 });
    await call('GET', `${base}?expand=author,reviewers`, { expect: 200 });
    const page = (await call('GET', `${base}?limit=1&sort=title`, { expect: 200 })).body;
    const second = (await call('GET', `${base}?limit=1&sort=title&after=${encodeURIComponent(page.nextCursor)}`, { expect: 200 })).body;
    const back = (await call('GET', `${base}?limit=1&sort=title&before=${encodeURIComponent(second.nextCursor ?? page.nextCursor)}`, { expect: 200 })).body;
    expect(back.prevCursor === null || typeof back.prevCursor === 'string').toBe(true);
    await call('GET', `${base}?before=garbage`, { expect: 400 });
    await call('GET', `${base}?filter=${encodeURIComponent('views >')}`, { expect: 400 });
    await call('GET', `${base}?sort=nope`, { expect: 400 });
    await call('GET', `${base}?after=garbage`, { expect: 400 });
    await call('GET', `${base}?fields=nope`, { expect: 400 });
    await call('GET', `${base}?bogus=1`, { expect: 400 });
    await call('GET', base, { headers: anonymous, expect: 403 });

    const one = `${base}/${post.id}`;
    const got = await call('GET', one, { expect: 200 });
    await call('GET', `${one}?fields=title`, { expect: 200 });
    await call('GET', `${one}?expand=author,reviewers&fields=title,author.name,reviewers.id`, { expect: 200 });
    await call('GET', one, { headers: { 'if-none-match': got.headers.get('etag') }, expect: 304 });
    await call('GET', `${base}/nope`, { expect: 404 });
    await call('GET', one, { headers: anonymous, expect: 403 });
    await call('GET', `${base}/${'x'.repeat(200)}`, { expect: 414 });

    const updated = await call('PATCH', one, { body: { views: 4, meta: null, day: null }, headers: { 'if-match': got.headers.get('etag') }, expect: 200 });
    await call('PATCH', one, { body: { views: 5 }, headers: { 'if-match': got.headers.get('etag') }, expect: 412 });
    await call('PATCH', one, { body: { views: 'many' }, expect: 422 });
    await call('PATCH', `${base}/nope`, { body: { views: 1 }, expect: 404 });
    await call('DELETE', one, { headers: { 'if-match': got.headers.get('etag') }, expect: 412 });
    await call('DELETE', one, { headers: { 'if-match': updated.headers.get('etag') }, expect: 204 });
    await call('DELETE', one, { expect: 404 });
    await expectConforming();
  });

  it('describes batches and their failures', async () => {
    const ok = await call('POST', '/api/batch', {
      body: { operations: [{ action: 'create', collection: 'authors', data: { id: 'batchauthor', name: 'Cy' } }, { action: 'update', collection: 'authors', id: 'batchauthor', data: { name: 'Cyd' } }, { action: 'delete', collection: 'authors', id: 'batchauthor' }] },
      expect: 200,
    });
    expect(ok.body.results).toHaveLength(3);
    await call('POST', '/api/batch', { body: { operations: [] }, expect: 422 });
    await call('POST', '/api/batch', { body: { operations: [{ action: 'update', collection: 'authors', id: 'nope', data: { name: 'x' } }] }, expect: 404 });
    await call('POST', '/api/batch', { body: { operations: [{ action: 'create', collection: 'authors', data: { name: 'x' } }] }, headers: anonymous, expect: 403 });
    await expectConforming();
  });

  it('describes account routes of an auth collection', async () => {
    const prefix = '/api/collections/users/auth';
    const account = await call('POST', `${prefix}/sign-up`, { body: { email: 'new@example.com', password: 'long enough password', name: 'New' }, headers: anonymous, expect: 201 });
    await call('POST', `${prefix}/sign-up`, { body: { email: 'new@example.com', password: 'long enough password' }, headers: anonymous, expect: 409 });
    await call('POST', `${prefix}/sign-up`, { body: { email: 'weak@example.com', password: 'x' }, headers: anonymous, expect: 422 });
    await call('POST', `${prefix}/sign-up`, { body: [1], headers: anonymous, expect: 400 });
    const signedIn = await call('POST', `${prefix}/sign-in`, { body: { email: 'new@example.com', password: 'long enough password' }, headers: anonymous, expect: 200 });
    await call('POST', `${prefix}/sign-in`, { body: { email: 'new@example.com', password: 'wrong password here' }, headers: anonymous, expect: 401 });
    const auth = bearer(signedIn.body.token);
    await call('GET', `${prefix}/me`, { headers: auth, expect: 200 });
    await call('GET', `${prefix}/me`, { headers: anonymous, expect: 401 });
    await call('GET', `/api/collections/users/records/${account.body.record.id}?fields=email`, { headers: auth, expect: 200 });
    await call('GET', '/api/collections/users/records', { headers: auth, expect: 200 });
    const refreshed = await call('POST', `${prefix}/refresh`, { body: { refreshToken: signedIn.body.refreshToken }, headers: anonymous, expect: 200 });
    await call('POST', `${prefix}/refresh`, { body: {}, headers: anonymous, expect: 401 });
    await call('POST', `${prefix}/sign-out`, { body: {}, headers: anonymous, expect: 422 });
    const fresh = bearer(refreshed.body.token);
    await call('POST', `${prefix}/change-password`, { body: { currentPassword: 'not it at all', newPassword: 'another long password' }, headers: fresh, expect: 422 });
    await call('POST', `${prefix}/change-password`, { body: { currentPassword: 'long enough password', newPassword: 'another long password' }, headers: fresh, expect: 204 });
    // A spent refresh token is refused (and, being a replay, ends its session).
    await call('POST', `${prefix}/refresh`, { body: { refreshToken: signedIn.body.refreshToken }, headers: anonymous, expect: 401 });
    await call('POST', `${prefix}/request-password-reset`, { body: { email: 'new@example.com' }, headers: anonymous, expect: 202 });
    await call('POST', `${prefix}/confirm-password-reset`, { body: { token: 'forged', password: 'a third long password' }, headers: anonymous, expect: 401 });
    await call('POST', `${prefix}/request-verification`, { body: { email: 'new@example.com' }, headers: anonymous, expect: 202 });
    await call('POST', `${prefix}/confirm-verification`, { body: { token: 'forged' }, headers: anonymous, expect: 401 });
    const again = await call('POST', `${prefix}/sign-in`, { body: { email: 'new@example.com', password: 'another long password' }, headers: anonymous, expect: 200 });
    await call('POST', `${prefix}/sign-out`, { body: { refreshToken: again.body.refreshToken }, headers: anonymous, expect: 204 });
    const third = await call('POST', `${prefix}/sign-in`, { body: { email: 'new@example.com', password: 'another long password' }, headers: anonymous, expect: 200 });
    await call('POST', `${prefix}/sign-out-everywhere`, { headers: bearer(third.body.token), expect: 204 });
    await call('POST', `${prefix}/sign-out-everywhere`, { headers: anonymous, expect: 401 });
    await call('POST', `${prefix}/accounts/${user.id}/sign-out`, { headers: anonymous, expect: 401 });
    await call('POST', `${prefix}/accounts/${account.body.record.id}/sign-out`, { headers: user.auth, expect: 403 });
    await call('POST', `${prefix}/accounts/nope/sign-out`, { expect: 404 });
    await call('POST', `${prefix}/accounts/${account.body.record.id}/sign-out`, { expect: 204 });

    // An auth collection with a hidden and a read-only field: neither breaks the record schema.
    const member = await call('POST', '/api/collections/members/auth/sign-up', { body: { email: 'm@example.com', password: 'member password long', nickname: 'M' }, headers: anonymous, expect: 201 });
    await call('POST', '/api/collections/members/records', { body: { email: 'm2@example.com', nickname: 'M2', level: 3 }, expect: 201 });
    await call('GET', '/api/collections/members/records?fields=nickname,level', { headers: anonymous, expect: 200 });
    await call('GET', `/api/collections/members/records/${member.body.record.id}`, { headers: anonymous, expect: 200 });
    await expectConforming();
  });

  it('describes admin routes, sessions and refusals', async () => {
    await call('GET', '/api/admins/status', { headers: anonymous, expect: 200 });
    await call('POST', '/api/admins/first-run', { body: { email: 'x@example.com', password: 'long enough password' }, headers: anonymous, expect: 403 });
    const signedIn = await call('POST', '/api/admins/auth/sign-in', { body: { email: adminEmail, password: adminPassword }, headers: anonymous, expect: 200 });
    await call('POST', '/api/admins/auth/sign-in', { body: { email: adminEmail, password: 'wrong password' }, headers: anonymous, expect: 401 });
    await call('GET', '/api/admins/auth/me', { headers: bearer(signedIn.body.token), expect: 200 });
    await call('POST', '/api/admins/auth/refresh', { body: { refreshToken: signedIn.body.refreshToken }, headers: anonymous, expect: 200 });
    await call('GET', '/api/admins', { expect: 200 });
    await call('GET', '/api/admins', { headers: anonymous, expect: 401 });
    await call('GET', '/api/admins', { headers: user.auth, expect: 403 });
    const second = await call('POST', '/api/admins', { body: { email: 'second@example.com', password: 'second admin password' }, expect: 201 });
    await call('POST', '/api/admins', { body: { email: 'second@example.com', password: 'second admin password' }, expect: 409 });
    await call('POST', '/api/admins', { body: { email: 'not an email', password: 'x' }, expect: 422 });
    await call('POST', `/api/admins/${second.body.id}/password`, { body: { password: 'a new admin password' }, expect: 204 });
    await call('POST', `/api/admins/${second.body.id}/password`, { body: { password: 'x' }, expect: 422 });
    await call('POST', `/api/admins/${second.body.id}/sign-out`, { expect: 204 });
    await call('POST', '/api/admins/nope/sign-out', { expect: 404 });
    await call('DELETE', `/api/admins/${second.body.id}`, { expect: 204 });
    await call('DELETE', '/api/admins/nope', { expect: 404 });
    const self = (await call('GET', '/api/admins/auth/me', { expect: 200 })).body;
    await call('DELETE', `/api/admins/${self.id}`, { expect: 409 });
    await expectConforming();
  });

  it('describes sign-in providers: configuration by admins, the public list and the refusals of start, finish and unlink', async () => {
    const providers = '/api/collections/users/oauth-providers';
    const oauth = '/api/collections/users/auth/oauth';
    const body = { issuer: 'https://id.example.com', clientId: 'app', clientSecret: 'secret', redirectUris: ['https://app.example.com/cb'] };
    await call('PUT', `${providers}/corp`, { body, headers: anonymous, expect: 401 });
    await call('PUT', `${providers}/corp`, { body, headers: user.auth, expect: 403 });
    await call('PUT', `${providers}/corp`, { body: { ...body, issuer: 'ftp://x' }, expect: 422 });
    await call('PUT', `${providers}/corp`, { body, expect: 200 });
    await call('GET', providers, { expect: 200 });
    await call('GET', `${oauth}/providers`, { headers: anonymous, expect: 200 });
    await call('POST', `${oauth}/corp/start`, { body: { redirectUri: 'https://elsewhere.example.com/' }, headers: anonymous, expect: 422 });
    await call('POST', `${oauth}/nope/start`, { body: { redirectUri: 'https://app.example.com/cb' }, headers: anonymous, expect: 404 });
    await call('POST', `${oauth}/corp/finish`, { body: { code: 'c', state: 'never issued' }, headers: anonymous, expect: 400 });
    await call('POST', `${oauth}/corp/finish`, { body: {}, headers: anonymous, expect: 422 });
    await call('POST', `${oauth}/mfa`, { body: { ticket: 'never issued', code: '123456' }, headers: anonymous, expect: 400 });
    await call('GET', `${oauth}/identities`, { headers: user.auth, expect: 200 });
    await call('GET', `${oauth}/identities`, { headers: anonymous, expect: 401 });
    await call('DELETE', `${oauth}/identities/nope`, { headers: user.auth, expect: 404 });
    await call('DELETE', `${providers}/corp`, { expect: 204 });
    await call('DELETE', `${providers}/corp`, { expect: 404 });
    await expectConforming();
  });

  it('describes collections, the schema document, settings, the request log and health', async () => {
    await call('GET', '/api/collections', { expect: 200 });
    await call('GET', '/api/collections', { headers: anonymous, expect: 401 });
    await call('GET', '/api/collections', { headers: user.auth, expect: 403 });
    await call('GET', '/api/collections/posts', { expect: 200 });
    await call('GET', '/api/collections/nope', { expect: 404 });
    await call('POST', '/api/collections', { body: { name: 'scratch', fields: [{ name: 'note', type: 'text' }] }, expect: 201 });
    await call('POST', '/api/collections', { body: { name: 'scratch' }, expect: 409 });
    await call('POST', '/api/collections', { body: { name: '1 bad', fields: [{ name: 'x', type: 'nope' }] }, expect: 400 });
    await call('POST', '/api/collections/scratch/records', { body: { note: 'kept' }, expect: 201 });
    // Checked while the collection still exists: the document follows the schema.
    await expectConforming();
    await call('PATCH', '/api/collections/scratch', { body: { fields: [] }, expect: 409 });
    await call('PATCH', '/api/collections/scratch', { body: { listRule: '' }, expect: 200 });
    await call('PATCH', '/api/collections/scratch?confirm=maybe', { body: {}, expect: 400 });
    await call('DELETE', '/api/collections/scratch', { expect: 409 });
    await call('DELETE', '/api/collections/scratch?confirm=true', { expect: 204 });
    const exported = (await call('GET', '/api/schema', { expect: 200 })).body;
    await call('POST', '/api/schema/import', { body: exported, expect: 200 });
    await call('POST', '/api/schema/import', { body: { nope: true }, expect: 400 });

    await call('GET', '/api/settings', { expect: 200 });
    await call('GET', '/api/settings', { headers: anonymous, expect: 401 });
    await call('GET', '/api/settings', { headers: user.auth, expect: 403 });
    await call('PATCH', '/api/settings', { body: { accessTokenTtl: 600 }, expect: 200 });
    await call('PATCH', '/api/settings', { body: { accessTokenTtl: 1, allowedOrigins: ['ftp://x/y'] }, expect: 422 });

    await call('GET', '/api/logs', { expect: 200 });
    await call('GET', '/api/logs?status=4xx&limit=5', { expect: 200 });
    await call('GET', '/api/logs?limit=0', { expect: 400 });
    await call('GET', '/api/logs', { headers: anonymous, expect: 401 });

    await call('GET', '/api/health', { headers: anonymous, expect: 200 });
    await call('GET', '/api/health', { headers: { authorization: 'Bearer not-a-token' }, expect: 401 });
    await call('GET', '/api/openapi.json', { headers: anonymous, expect: 200 });
    await expectConforming();
  });

  it('names every JSON route the server registers, with its methods', async () => {
    const document = (await t.request('GET', '/api/openapi.json')).body as OpenApiDocumentShape;
    // Pages and their assets (the console, the account pages, the API reference, the GraphQL explorer) are HTML, not API; GraphQL's
    // contract is its own schema (introspection) and the GraphQL-over-HTTP specification. HEAD and OPTIONS
    // (CORS preflight) Fastify adds to every route.
    const outside = /^\/(_|auth|api\/docs|api\/graphql)?(\/|$)|\*/;
    const routes = registeredRoutes(t.server.app.printRoutes({ commonPrefix: false })).filter((r) => !outside.test(r.path) && r.method !== 'HEAD' && r.method !== 'OPTIONS');
    expect(routes.length).toBeGreaterThan(40);
    const undocumented = routes.filter(({ method, path }) => {
      // A registered parameter matches any segment of a documented path, a concrete collection name included.
      const pattern = new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}$`);
      return !Object.entries(document.paths).some(([template, item]) => pattern.test(template) && method.toLowerCase() in item);
    });
    expect(undocumented).toEqual([]);
  });

  it('answers a path the document does not name with a 404 problem', async () => {
    for (const path of ['/api/collections/nope/records', '/api/collections/posts/auth/sign-in', '/api/nowhere']) {
      const response = await t.request('POST', path, {});
      // posts is no auth collection: its auth routes answer 400 rather than 404.
      expect([400, 404]).toContain(response.status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await liveCheck()).pathOf(path)).toBeUndefined();
    }
  });
});

describe('the per-address rate limit', () => {
  it('answers 429 as every operation declares', async () => {
    const limited = await startTestServer({ admin: false, config: { rateLimit: 3 } });
    try {
      const document = (await limited.request('GET', '/api/openapi.json')).body as OpenApiDocumentShape;
      const check = new OpenApiResponseCheck(document);
      const answers: Exchange[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await limited.request('GET', '/api/health');
        answers.push({ method: 'GET', url: '/api/health', status: response.status, contentType: response.headers.get('content-type'), body: response.body });
      }
      expect(answers.map((a) => a.status)).toContain(429);
      expect(answers.flatMap((a) => check.check(a))).toEqual([]);
    } finally {
      await limited.stop();
    }
  });
});

describe('the response check', () => {
  const document: OpenApiDocumentShape = {
    paths: {
      '/things/{id}': { get: { responses: { '200': { description: 'A thing.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } }, '404': { $ref: '#/components/responses/Missing' } } } },
    },
    components: { responses: { Missing: { description: 'Missing.', content: { 'application/problem+json': { schema: { type: 'object', required: ['code'] } } } } } },
  };
  Object.assign(document.components, { schemas: { Thing: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false } } });
  const check = new OpenApiResponseCheck(document);
  const ok = { method: 'GET', url: '/things/1', status: 200, contentType: 'application/json; charset=utf-8', body: { id: '1' } };

  it('accepts a response the document describes', () => {
    expect(check.check(ok)).toEqual([]);
    expect(check.check({ ...ok, status: 404, contentType: 'application/problem+json', body: { code: 'X' } })).toEqual([]);
  });

  it('refuses an undeclared status, content type, body or path', () => {
    expect(check.check({ ...ok, status: 418 })[0]).toMatch(/status not declared/);
    expect(check.check({ ...ok, contentType: 'text/plain' })[0]).toMatch(/content type text\/plain not declared/);
    expect(check.check({ ...ok, body: { id: 1 } })[0]).toMatch(/does not match/);
    expect(check.check({ ...ok, body: { id: '1', extra: true } })[0]).toMatch(/does not match/);
    expect(check.check({ ...ok, status: 404, contentType: 'application/problem+json', body: {} })[0]).toMatch(/does not match/);
    expect(check.check({ ...ok, url: '/elsewhere' })[0]).toMatch(/not in the document/);
    expect(check.check({ ...ok, method: 'DELETE' })[0]).toMatch(/no delete operation/);
  });
});
