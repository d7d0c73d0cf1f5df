import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';

// CORS is a step of every request's first hook (packages/server/src/http/cors.ts), ahead of authentication; these
// pin what a browser on another origin relies on beyond the allowed/refused origin and the preflight's methods
// (test/auth-flows.test.ts, test/settings.test.ts).
let t: TestServer;
const app = 'https://app.example.com';

beforeAll(async () => {
  t = await startTestServer({ config: { allowedOrigins: app } });
});

afterAll(async () => {
  await t.stop();
});

describe('CORS', () => {
  it('lets a script on an allowed origin read a 401 for a bad token (CORS runs before authentication)', async () => {
    const response = await fetch(`${t.url}/api/health`, { headers: { origin: app, authorization: 'Bearer not-a-token' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(app);
    expect(response.headers.get('access-control-expose-headers')).toBe('etag, location, x-request-id, retry-after');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('exposes the ETag and request id of a record read to an allowed origin, and varies on Origin without one', async () => {
    const created = await t.request('POST', '/api/collections', { name: 'corsnotes', viewRule: '', fields: [{ name: 'title', type: 'text' }] });
    expect(created.status).toBe(201);
    const record = await t.request('POST', '/api/collections/corsnotes/records', { title: 'hello' });
    const path = `/api/collections/corsnotes/records/${record.body.id}`;
    const fromApp = await fetch(t.url + path, { headers: { origin: app } });
    expect(fromApp.status).toBe(200);
    expect(fromApp.headers.get('access-control-allow-origin')).toBe(app);
    expect(fromApp.headers.get('access-control-expose-headers')).toContain('etag');
    const sameOrigin = await fetch(t.url + path);
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(sameOrigin.headers.get('access-control-expose-headers')).toContain('etag');
    expect(sameOrigin.headers.get('vary')).toBe('Origin');
  });

  it('answers a preflight with the requested headers reflected, a max age and a vary on them', async () => {
    const preflight = await fetch(`${t.url}/api/batch`, {
      method: 'OPTIONS',
      headers: { origin: app, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-custom' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(app);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, x-custom');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    expect(preflight.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    expect(preflight.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await preflight.text()).toBe('');
  });

  it('answers a preflight from an origin not allowed as an unknown route: 404 problem, no CORS headers', async () => {
    const preflight = await fetch(`${t.url}/api/batch`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    expect(preflight.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses an OPTIONS without Origin or without Access-Control-Request-Method with a 400 problem', async () => {
    for (const headers of [{ 'access-control-request-method': 'POST' }, { origin: app }] as Record<string, string>[]) {
      const response = await fetch(`${t.url}/api/health`, { method: 'OPTIONS', headers });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await response.json()).detail).toBe('Invalid Preflight Request');
    }
  });
});

describe('multipart bodies', () => {
  it('are refused 415 on a records route that takes no files (only creates and updates read them)', async () => {
    const form = new FormData();
    form.append('operations', '[]');
    const response = await fetch(`${t.url}/api/batch`, { method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` }, body: form });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
