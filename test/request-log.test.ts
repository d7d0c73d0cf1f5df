import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { RequestLogEntry } from '@causeway/wire';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ config: { requestLogSize: 50 } });
});

afterAll(async () => {
  await t?.stop();
});

type Entry = RequestLogEntry;

describe('the request log (GET /api/logs)', () => {
  it('is for admins only: 401 anonymous, 403 for an account, with problem bodies from the catalogue', async () => {
    const user = await signUp(t, 'logs-user@example.com');
    const anon = await t.request('GET', '/api/logs', undefined, anonymous);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toContain('application/problem+json');
    expect(anon.body.code).toBe('UNAUTHENTICATED');
    const account = await t.request('GET', '/api/logs', undefined, user.auth);
    expect(account.status).toBe(403);
    expect(account.body.code).toBe('FORBIDDEN');
  });

  it('lists the requests just answered, newest first, with method, path, status, duration and request id', async () => {
    const health = await t.request('GET', '/api/health');
    const missing = await t.request('GET', '/api/nowhere');
    expect(missing.status).toBe(404);
    const { status, body } = await t.request<{ items: Entry[]; capacity: number }>('GET', '/api/logs');
    expect(status).toBe(200);
    expect(body.capacity).toBe(50);
    const [first, second] = body.items;
    expect(first).toMatchObject({ method: 'GET', path: '/api/nowhere', status: 404, requestId: missing.headers.get('x-request-id') });
    expect(second).toMatchObject({ method: 'GET', path: '/api/health', status: 200, requestId: health.headers.get('x-request-id') });
    expect(typeof first!.durationMs).toBe('number');
    expect(Date.parse(first!.time)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('filters by status class and rejects unknown parameters with INVALID_QUERY', async () => {
    await t.request('GET', '/api/health');
    const errors = await t.request<{ items: Entry[] }>('GET', '/api/logs?status=error&limit=5');
    expect(errors.body.items.length).toBeGreaterThan(0);
    expect(errors.body.items.every((e) => e.status >= 400)).toBe(true);
    expect(errors.body.items.length).toBeLessThanOrEqual(5);
    for (const query of ['status=teapot', 'limit=0', 'limit=1001', 'limit=x', 'since=1']) {
      const refused = await t.request('GET', `/api/logs?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.code, query).toBe('INVALID_QUERY');
    }
  });

  it('records no query string (secrets stay out), no bodies, and not its own reads', async () => {
    await t.request('GET', '/api/collections?token=s3cret-token&filter=email%3D%22victim%40example.com%22');
    await t.request('POST', '/api/collections/users/auth/sign-in', { email: 'logs-user@example.com', password: 'a secret password' }, anonymous);
    await t.request('GET', '/api/logs');
    const { body } = await t.request<{ items: Entry[] }>('GET', '/api/logs?limit=1000');
    const text = JSON.stringify(body);
    for (const secret of ['s3cret', 'victim', 'a secret password', 'token=']) expect(text).not.toContain(secret);
    expect(body.items.some((e) => e.path === '/api/collections')).toBe(true);
    expect(body.items.some((e) => e.path === '/api/logs' && e.status === 200)).toBe(false);
    expect(body.items.length).toBeLessThanOrEqual(50);
  });
});
