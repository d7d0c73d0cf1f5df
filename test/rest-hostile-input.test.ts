import { connect as connectTcp } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorsDefinition, postsDefinition } from './support/fixtures.js';
import { mb, retainedMemory } from './support/retained-memory.js';
import { startTestServer, type TestResponse, type TestServer } from './support/test-server.js';

// The hostile-input suite for REST, on both databases: random URLs, headers, cursors, filters, sorts, auth bodies
// and raw bytes. Whatever arrives, the answer is a success or a problem+json 4xx/503 with a catalogue code, never
// a 500 and never an empty error body, and it comes within a bound. (test/rest-never-500.test.ts covers record
// bodies, list parameters, definitions and batches.)
let t: TestServer;
const answerBoundMs = 5_000;
/** What the server held after seeding; every property below runs against it, and it must not keep their input. */
let memoryBefore = 0;

beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/api/collections', authorsDefinition);
  await t.request('POST', '/api/collections', { ...postsDefinition, listRule: '', viewRule: '' });
  const operations = Array.from({ length: 30 }, (_, n) => ({ action: 'create', collection: 'posts', data: { title: `post ${n}`, views: n, rating: n % 5, published: n % 2 === 0, day: '2026-01-0' + ((n % 9) + 1) } }));
  await t.request('POST', '/api/batch', { operations });
  memoryBefore = retainedMemory();
});
afterAll(() => t.stop());

/** A request the way a client would make it, timed; an error answer must be a whole problem. */
async function expectBounded(send: () => Promise<TestResponse>, method = 'GET'): Promise<TestResponse> {
  const started = performance.now();
  const response = await send();
  expect(performance.now() - started).toBeLessThan(answerBoundMs);
  expect(response.status).not.toBe(500);
  expect(response.status).toBeLessThan(600);
  if (response.status >= 400) {
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    // HEAD answers carry headers only.
    if (response.body !== undefined || method !== 'HEAD') expect(response.body).toMatchObject({ status: response.status, code: expect.stringMatching(/^[A-Z_]+$/) });
  }
  return response;
}

// Text with every kind of trouble: NUL, lone surrogates, control characters, astral characters, quotes.
const nastyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '%00', '%zz', '..', '../..', '\\', '"', "'", '${x}', '\r\n', '💥', ''.padEnd(300, 'x')),
);

/** Percent-encodes every byte (a lone surrogate, which encodeURIComponent refuses, as UTF-8's replacement). */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const segments = ['api', 'collections', 'posts', 'authors', 'users', 'records', 'auth', 'batch', 'schema', 'settings', 'admins', 'health', 'docs', 'openapi.json', '_', 'nope'];
const pathSegment = fc.oneof(fc.constantFrom(...segments), nastyText.map(encode), fc.constantFrom('%', '%2', '%ff', '%c0%af', '%ed%a0%80', '%2e%2e', ';', '?', '#'));
const method = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD');

describe('hostile REST input', () => {
  it('random URLs and methods', async () => {
    await fc.assert(
      fc.asyncProperty(method, fc.array(pathSegment, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(nastyText, nastyText), { maxLength: 4 }), async (verb, path, query) => {
        const search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
        const url = `/${path.join('/')}${search ? `?${search}` : ''}`;
        const body = verb === 'POST' || verb === 'PATCH' ? {} : undefined;
        await expectBounded(() => t.request(verb, url, body), verb);
      }),
      { numRuns: 200 },
    );
  });

  it('random headers', async () => {
    const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, ''));
    const headers = fc.record(
      {
        authorization: fc.oneof(headerValue, headerValue.map((v) => `Bearer ${v}`), fc.constantFrom('Bearer', 'Bearer ', 'Basic abc', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.e30.')),
        'content-type': fc.oneof(headerValue, fc.constantFrom('application/json', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'text/plain', 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/merge-patch+json')),
        accept: fc.oneof(headerValue, fc.constantFrom('application/xml', '*/*', 'text/html')),
        'if-match': fc.oneof(headerValue, fc.constantFrom('*', '"1.x"', 'W/"x"', '"')),
        'if-none-match': headerValue,
        origin: fc.oneof(headerValue, fc.constantFrom('null', 'http://evil.example')),
        'x-request-id': headerValue,
        'accept-encoding': fc.oneof(headerValue, fc.constantFrom('gzip', 'br', 'identity;q=0')),
      },
      { requiredKeys: [] },
    );
    const target = fc.constantFrom(
      ['GET', '/api/collections/posts/records'],
      ['POST', '/api/collections/posts/records'],
      ['PATCH', '/api/collections/posts/records/unknown'],
      ['DELETE', '/api/collections/posts/records/unknown'],
      ['GET', '/api/collections'],
      ['POST', '/api/batch'],
      ['GET', '/api/collections/users/auth/me'],
    );
    await fc.assert(
      fc.asyncProperty(target, headers, fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), async ([verb, url], chosen, body) => {
        const withBody = verb === 'POST' || verb === 'PATCH';
        await expectBounded(() => t.request(verb, url, withBody ? (body ?? {}) : undefined, { authorization: '', ...chosen }));
      }),
      { numRuns: 150 },
    );
  });

  it('forged cursors: random bytes, random JSON and real sorts with random values', async () => {
    const sorts = ['', 'views', '-created', 'title', '-published,rating', 'day,-views', 'id'];
    const cursorValue = fc.oneof(fc.jsonValue({ maxDepth: 1 }), nastyText, fc.double(), fc.constantFrom(1e308, -0, Number.MAX_SAFE_INTEGER + 2, '2026-13-45', 'NaN'));
    const cursor = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
      fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
      fc.tuple(fc.constantFrom('views,id', '-created,-id', 'title,id', '-published,rating,id', 'day,-views,id', 'id'), fc.array(cursorValue, { maxLength: 4 })).map(([s, v]) => Buffer.from(JSON.stringify({ s, v })).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sorts), cursor, fc.boolean(), async (sort, after, anonymous) => {
        const query = new URLSearchParams({ sort, after, limit: '5' });
        await expectBounded(() => t.request('GET', `/api/collections/posts/records?${query}`, undefined, anonymous ? { authorization: '' } : {}));
      }),
      { numRuns: 200 },
    );
  });

  it('filters and sorts with hostile text', async () => {
    const fields = ['title', 'views', 'rating', 'published', 'day', 'at', 'status', 'tags', 'meta', 'author', 'author.name', 'reviewers.email', 'id', 'created'];
    const filter = fc.oneof(
      nastyText,
      fc.tuple(fc.constantFrom(...fields), fc.constantFrom('=', '!=', '>', '>=', '<', '~', '!~', '?=', '?~'), fc.oneof(nastyText.map((s) => JSON.stringify(s)), fc.double().map(String), fc.constantFrom('true', 'null', '1e999', '-1e999', '"2026-02-30"', '[]', '@request.auth.id'))).map(([f, op, v]) => `${f} ${op} ${v}`),
      fc.array(fc.constantFrom('(', ')', '&&', '||', '!', 'title', '=', '"a"', ' '), { maxLength: 30 }).map((parts) => parts.join('')),
    );
    const sort = fc.oneof(nastyText, fc.array(fc.constantFrom(...fields, '-title', '+views', '--id', ''), { maxLength: 10 }).map((s) => s.join(',')));
    await fc.assert(
      fc.asyncProperty(filter, sort, async (f, s) => {
        await expectBounded(() => t.request('GET', `/api/collections/posts/records?${new URLSearchParams({ filter: f, sort: s })}`, undefined, { authorization: '' }));
      }),
      { numRuns: 200 },
    );
  });

  it('record bodies with hostile text in every field, alone and in batches', async () => {
    const fieldNames = ['title', 'slug', 'views', 'rating', 'published', 'day', 'at', 'contact', 'link', 'status', 'tags', 'meta', 'author', 'reviewers', 'id'];
    const value = fc.oneof(nastyText, fc.array(nastyText, { maxLength: 3 }), fc.dictionary(nastyText, nastyText, { maxKeys: 3 }), fc.double(), fc.constantFrom(1e308, -1e308, Number.MIN_VALUE, 2 ** 53 + 1));
    const body = fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames), nastyText), value, { maxKeys: 5 });
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('POST', 'PATCH', 'BATCH'), async (data, how) => {
        if (how === 'BATCH') {
          await expectBounded(() => t.request('POST', '/api/batch', { operations: [{ action: 'create', collection: 'posts', data }, { action: 'update', collection: 'posts', id: data.id ?? 'x', data }] }));
        } else {
          await expectBounded(() => t.request(how, how === 'POST' ? '/api/collections/posts/records' : `/api/collections/posts/records/${encode(typeof data.id === 'string' ? data.id : 'x')}`, data));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('auth bodies with hostile values', async () => {
    const value = fc.oneof(nastyText, fc.jsonValue({ maxDepth: 2 }));
    const route = fc.constantFrom('sign-in', 'sign-up', 'refresh', 'sign-out', 'request-password-reset', 'confirm-password-reset', 'request-verification', 'confirm-verification');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('users', 'posts', 'nope'), route, fc.dictionary(fc.constantFrom('email', 'password', 'refreshToken', 'token', 'name', 'newPassword'), value, { maxKeys: 4 }), async (realm, action, body) => {
        await expectBounded(() => t.request('POST', `/api/collections/${realm}/auth/${action}`, body, { authorization: '' }));
      }),
      { numRuns: 120 },
    );
    await expectBounded(() => t.request('POST', '/api/admins/sign-in', { email: 'a\u0000@b.c', password: '\ud800' }, { authorization: '' }));
  });

  it('raw bytes on the socket', async () => {
    const { port, hostname } = new URL(t.url);
    const line = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 80 }),
      fc.tuple(fc.constantFrom('GET', 'POST', 'BREW', 'G ET', ''), fc.oneof(pathSegment.map((s) => `/${s}`), fc.string({ maxLength: 20 })), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', '')).map((parts) => parts.join(' ')),
    );
    const header = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.constantFrom('content-length: -1', 'content-length: 99999999999', 'transfer-encoding: chunked', 'transfer-encoding: gzip, chunked', 'host:', ': x', 'x-a\u0000: b'));
    await fc.assert(
      fc.asyncProperty(line, fc.array(header, { maxLength: 4 }), fc.string({ maxLength: 40 }), async (requestLine, headers, body) => {
        const bytes = `${requestLine}\r\nhost: x\r\n${headers.join('\r\n')}${headers.length ? '\r\n' : ''}connection: close\r\n\r\n${body}`;
        const started = performance.now();
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connectTcp(Number(port), hostname, () => socket.end(Buffer.from(bytes, 'latin1')));
          let text = '';
          socket.setEncoding('latin1');
          socket.setTimeout(answerBoundMs, () => reject(new Error(`no answer within ${answerBoundMs} ms to ${JSON.stringify(bytes)}`)));
          socket.on('data', (chunk: string) => (text += chunk));
          socket.on('error', () => resolve(text));
          socket.on('close', () => resolve(text));
        });
        expect(performance.now() - started).toBeLessThan(answerBoundMs);
        // Every response on the connection (a pipelined request can get two): no 500, errors as problem+json.
        for (const match of answer.matchAll(/HTTP\/1\.[01] (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/g)) {
          const status = Number(match[1]);
          expect(status, bytes).not.toBe(500);
          if (status >= 400) expect(match[2]!.toLowerCase(), bytes).toContain('content-type: application/problem+json');
        }
      }),
      { numRuns: 200 },
    );
    expect((await t.request('GET', '/api/health')).status).toBe(200);
  });

  it('a stream of distinct large filters', { timeout: 60_000 }, async () => {
    // Each is new (no cache helps) and as long as a filter may be; the server's caches of parsed filters and
    // prepared statements must forget the oldest rather than grow (the memory check below).
    const terms = ['title = "x"', 'views > 1', 'rating < 2', 'views != 3', 'title ~ "y"', 'published = true'];
    for (let n = 0; n < 600; n++) {
      const parts: string[] = [];
      for (let k = n; parts.join(' || ').length < 4000; k = Math.floor(k / 6) + parts.length * 7 + n) parts.push(terms[k % terms.length]!);
      parts.pop();
      await expectBounded(() => t.request('GET', `/api/collections/posts/records?filter=${encodeURIComponent(parts.join(' || '))}`, undefined, { authorization: '' }));
    }
  });

  // Last, on purpose: after every property above, the server holds no more than its caches' worth, whatever the
  // input was: parsed filters (8 MB by their estimate), prepared statements (500 on SQLite; on PostgreSQL 1,000 or
  // 1 MB of text per connection), and what the test itself holds.
  it('leaves server memory bounded after all of the above', () => {
    expect(retainedMemory() - memoryBefore).toBeLessThan(24 * mb);
  });
});
