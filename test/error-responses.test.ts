import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postsDefinition, authorsDefinition } from './support/fixtures.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// Every error a client can get is problem+json with a code from the catalogue, whoever produced it: a route,
// Fastify before the route, or Node's HTTP parser before Fastify.
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/api/collections', authorsDefinition);
  await t.request('POST', '/api/collections', { ...postsDefinition, listRule: '' });
  await t.request('POST', '/api/collections/posts/records', { title: 'One', views: 1 });
});
afterAll(() => t.stop());

function cursor(sort: string, values: unknown[]): string {
  return Buffer.from(JSON.stringify({ s: sort, v: values })).toString('base64url');
}

/** Sends raw bytes and reads the whole answer (the server closes the connection after a parse error). */
function raw(bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const { port, hostname } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
  });
}

function expectProblem(answer: { status: number; headers: string; body: string }, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.toLowerCase()).toContain('content-type: application/problem+json');
  expect(JSON.parse(answer.body)).toMatchObject({ status, code });
}

describe('values the database cannot take', () => {
  it('refuses a forged cursor whose values do not fit the sort fields, anonymous, with 400', async () => {
    await t.request('POST', '/api/collections/posts/records', { title: 'Two', views: 2 });
    for (const sort of ['views', '-created', 'title', 'published', '']) {
      // A real cursor names the sort it was made for; a forger keeps that and changes the values.
      const page = await t.request('GET', `/api/collections/posts/records?limit=1&sort=${sort}`, undefined, { authorization: '' });
      const made = JSON.parse(Buffer.from(page.body.nextCursor, 'base64url').toString()) as { s: string; v: unknown[] };
      for (const value of ['abc', 'a\u0000b', '\ud800', true, 12.5, 1e308]) {
        const response = await t.request('GET', `/api/collections/posts/records?limit=1&sort=${sort}&after=${cursor(made.s, made.v.map(() => value))}`, undefined, { authorization: '' });
        expect(response.status, `${made.s} ${JSON.stringify(value)}`).toBeLessThan(500);
        if (response.status >= 400) expect(response.body.code).toMatch(/^(INVALID_CURSOR|BAD_REQUEST)$/);
      }
    }
    const forged = cursor('views,id', ['abc', 'x']);
    const response = await t.request('GET', `/api/collections/posts/records?sort=views&after=${forged}`, undefined, { authorization: '' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_CURSOR');
  });

  it('answers a sign-in with a NUL character in the email 400 or 401, never 500', async () => {
    const response = await t.request('POST', '/api/collections/users/auth/sign-in', { email: 'a\u0000@example.com', password: 'whatever it is' }, { authorization: '' });
    expect([400, 401]).toContain(response.status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a json value PostgreSQL cannot store (an escaped NUL) with 4xx', async () => {
    const response = await t.request('POST', '/api/collections/posts/records', { title: 'x', meta: { a: 'b\u0000c' } });
    expect(response.status).toBeLessThan(500);
  });
});

describe('errors before a route runs are problem+json', () => {
  it('answers a malformed URL 400', async () => {
    expectProblem(await raw('GET /api/collections/%zz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('answers a URI too long 414', async () => {
    expectProblem(await raw(`GET /api/health?${'a'.repeat(70_000)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`), 414, 'URI_TOO_LONG');
  });

  it('answers headers too large 431', async () => {
    expectProblem(await raw(`GET /api/health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\nconnection: close\r\n\r\n`), 431, 'HEADERS_TOO_LARGE');
  });

  it('answers a path segment longer than the router reads 414', async () => {
    const response = await t.request('GET', `/api/collections/posts/records/${'x'.repeat(200)}`);
    expect(response.status).toBe(414);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('URI_TOO_LONG');
  });

  it('answers a malformed request line 400', async () => {
    expectProblem(await raw('THIS IS NOT HTTP\r\n\r\n'), 400, 'BAD_REQUEST');
    expectProblem(await raw('GET /api/health HTTP/1.1\r\nbad header line\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('answers an unknown method with problem+json', async () => {
    const answer = await raw('BREW /api/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.headers.toLowerCase()).toContain('content-type: application/problem+json');
  });

  it('answers a bad Content-Length with problem+json', async () => {
    const answer = await raw('POST /api/collections/posts/records HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: abc\r\nconnection: close\r\n\r\n{}');
    expect(answer.status).toBe(400);
    expect(answer.headers.toLowerCase()).toContain('content-type: application/problem+json');
  });

  it('answers WebSocket upgrades that cannot be served with problem+json', async () => {
    const upgrade = (method: string, path: string, key = 'dGhlIHNhbXBsZSBub25jZQ==', version = '13') =>
      raw(`${method} ${path} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: ${version}\r\n\r\n`);
    expectProblem(await upgrade('GET', '/api/nowhere'), 404, 'NOT_FOUND');
    expectProblem(await upgrade('GET', '/api/realtime', 'short'), 400, 'BAD_REQUEST');
    expectProblem(await upgrade('GET', '/api/graphql', undefined, '99'), 400, 'BAD_REQUEST');
    expectProblem(await upgrade('POST', '/api/realtime'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('keeps serving after parse errors', async () => {
    expect((await t.request('GET', '/api/health')).status).toBe(200);
  });
});

describe('unexpected errors', () => {
  it('answer 500 with a whole problem and the request id, never an empty body', async () => {
    const own = await startTestServer();
    try {
      await own.request('POST', '/api/collections', authorsDefinition);
      // The database going away under a running server is a fault no request could cause.
      await own.server.db.close();
      const response = await own.request('GET', '/api/collections/authors/records');
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.body).toMatchObject({ status: 500, code: 'INTERNAL' });
      expect(response.body.detail).not.toMatch(/sqlite|postgres|database/i);
    } finally {
      await own.stop().catch(() => undefined);
    }
  });

  it('answer a request during shutdown 503 SHUTTING_DOWN as problem+json', async () => {
    const own = await startTestServer();
    const { port, hostname } = new URL(own.url);
    // One connection kept open with a request still being received, so the server cannot close it as idle.
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /api/collections/authors/records HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = own.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write('{}GET /api/health HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    await stopping;
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses.at(-1)).toBe(503);
    expect(text).toContain('"code":"SHUTTING_DOWN"');
    for (const head of text.split('HTTP/1.1 ').slice(1)) {
      if (Number(head.slice(0, 3)) >= 400) expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    }
  });
});
