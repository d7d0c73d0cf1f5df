import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, bearer, signUp } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';

/**
 * Requiring a second factor of every admin (`requireAdminMfa`): an admin without one is made to set it up at
 * sign-in, gets no session until it is on, and a session begun before stops refreshing.
 */
let t: TestServer;
const second = { email: 'second-admin@example.com', password: 'second admin passphrase' };
const signIn = (body: Record<string, unknown>) => t.request('POST', '/api/admins/auth/sign-in', body, anonymous);

beforeAll(async () => {
  t = await startTestServer();
  expect((await t.request('POST', '/api/admins', second)).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

describe('requiring a second factor of admins', () => {
  let before: { token: string; refreshToken: string };

  it('is a setting only admins change', async () => {
    before = (await signIn(second)).body;
    expect(before.token).toEqual(expect.any(String));
    const user = await signUp(t, 'user-admin-mfa@example.com');
    expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: true }, anonymous)).status).toBe(401);
    expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: true }, user.auth)).status).toBe(403);
    expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: 'yes' })).status).toBe(422);
    const on = await t.request('PATCH', '/api/settings', { requireAdminMfa: true });
    expect(on.status).toBe(200);
    expect(on.body.requireAdminMfa).toBe(true);
  });

  it('reveals no key to a wrong password', async () => {
    const wrong = await signIn({ email: second.email, password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body).not.toHaveProperty('secret');
  });

  it('ends a session begun without a second factor at its next refresh', async () => {
    const refreshed = await t.request('POST', '/api/admins/auth/refresh', { refreshToken: before.refreshToken }, anonymous);
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('INVALID_TOKEN');
  });

  it('answers the right password with a key to set up and no session, then signs in with a code from it', async () => {
    const asked = await signIn(second);
    expect(asked.status).toBe(403);
    expect(asked.body.code).toBe('MFA_SETUP_REQUIRED');
    expect(asked.body).not.toHaveProperty('token');
    expect(asked.body.uri).toMatch(/^otpauth:\/\/totp\//);
    const totp = new TOTP({ secret: Secret.fromBase32(asked.body.secret) });
    const wrongCode = await signIn({ ...second, code: totp.generate() === '123456' ? '654321' : '123456' });
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body.code).toBe('INVALID_CREDENTIALS');
    const now = Date.now();
    const done = await signIn({ ...second, code: totp.generate({ timestamp: now }) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.recoveryCodes).toHaveLength(10);
    expect((await t.request('GET', '/api/admins/auth/mfa', undefined, bearer(done.body.token))).body).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    // From now on, the ordinary second-factor sign-in; and its session refreshes.
    expect((await signIn(second)).body.code).toBe('MFA_REQUIRED');
    const again = await signIn({ ...second, code: totp.generate({ timestamp: now + 30_000 }) });
    expect(again.status).toBe(200);
    expect(again.body).not.toHaveProperty('recoveryCodes');
    expect((await t.request('POST', '/api/admins/auth/refresh', { refreshToken: again.body.refreshToken }, anonymous)).status).toBe(200);
  });

  it('does not touch users of auth collections', async () => {
    const user = await signUp(t, 'plain-user@example.com');
    expect((await t.request('POST', '/api/collections/users/auth/sign-in', { email: user.email, password: user.password }, anonymous)).status).toBe(200);
  });

  it('turned off, lets an admin without a second factor sign in with the password alone', async () => {
    expect((await t.request('PATCH', '/api/settings', { requireAdminMfa: false })).status).toBe(200);
    const admin = await signIn({ email: 'admin@example.com', password: 'correct horse battery staple' });
    expect(admin.status).toBe(200);
  });
});
