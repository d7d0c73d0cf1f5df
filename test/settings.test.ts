import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t?.stop();
});

describe('runtime settings', () => {
  it('are for admins only', async () => {
    const user = await signUp(t, 'settings-user@example.com');
    expect((await t.request('GET', '/api/settings', undefined, anonymous)).status).toBe(401);
    expect((await t.request('GET', '/api/settings', undefined, user.auth)).status).toBe(403);
    expect((await t.request('GET', '/api/settings')).body).toEqual({ accessTokenTtl: 900, refreshTokenTtl: 2592000, allowedOrigins: ['*'], accountMail: {}, requireAdminMfa: false });
  });

  it('change token lifetimes and allowed origins for the next request, and survive a restart', async () => {
    const changed = await t.request('PATCH', '/api/settings', { accessTokenTtl: 120, allowedOrigins: ['https://app.example.com'] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ accessTokenTtl: 120, allowedOrigins: ['https://app.example.com'] });
    const account = await signUp(t, 'settings-ttl@example.com');
    const signedIn = await t.request('POST', '/api/collections/users/auth/sign-in', { email: account.email, password: account.password }, anonymous);
    expect(signedIn.body.expiresIn).toBe(120);
    const allowed = await fetch(`${t.url}/api/health`, { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const refused = await fetch(`${t.url}/api/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const dataDir = t.dataDir;
    await t.stop(true);
    t = await startTestServer({ dataDir });
    expect((await t.request('GET', '/api/settings')).body.accessTokenTtl).toBe(120);
  });

  it('refuse invalid values with per-field messages', async () => {
    const bad = await t.request('PATCH', '/api/settings', { accessTokenTtl: 5, allowedOrigins: ['https://ok.example.com', 'not an origin'], extra: 1 });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['(root)', 'accessTokenTtl', 'allowedOrigins.1'].sort());
    expect((await t.request('PATCH', '/api/settings', {})).status).toBe(422);
  });
});
