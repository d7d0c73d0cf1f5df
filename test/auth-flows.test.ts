import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKey } from './support/signing-key.js';
import { anonymous, bearer, mailedToken, readMail, signUp } from './support/accounts.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
const auth = '/api/collections/users/auth';

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t?.stop();
});

async function token(claims: Record<string, unknown>, options: { secret?: Uint8Array; kid?: string; exp?: number; alg?: string } = {}): Promise<string> {
  const key = await signingKey(t);
  const jwt = new SignJWT({ typ: 'access', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', kid: options.kid ?? key.kid })
    .setIssuer('causeway')
    .setIssuedAt()
    .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(options.secret ?? key.secret);
}

describe('sign-up and sign-in', () => {
  it('signs up, signs in and answers me', async () => {
    const account = await signUp(t, 'Carol@Example.com', { name: 'Carol' });
    const me = await t.request('GET', `${auth}/me`, undefined, account.auth);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: account.id, email: 'carol@example.com', name: 'Carol', verified: false });
    const signedIn = await t.request('POST', `${auth}/sign-in`, { email: 'carol@example.com', password: account.password }, anonymous);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ expiresIn: 900, record: { id: account.id } });
    expect(typeof signedIn.body.refreshToken).toBe('string');
  });

  it('refuses weak passwords, a missing email and a taken email, each with its field', async () => {
    const weak = await t.request('POST', `${auth}/sign-up`, { email: 'd@example.com', password: 'password1' }, anonymous);
    expect(weak.status).toBe(422);
    expect(weak.body.errors.password.code).toBe('common_password');
    const short = await t.request('POST', `${auth}/sign-up`, { email: 'd@example.com', password: 'abc' }, anonymous);
    expect(short.body.errors.password.code).toBe('too_short');
    const missing = await t.request('POST', `${auth}/sign-up`, { password: 'a fine passphrase' }, anonymous);
    expect(missing.body.errors.email.code).toBe('required');
    await signUp(t, 'taken@example.com');
    const taken = await t.request('POST', `${auth}/sign-up`, { email: 'TAKEN@example.com', password: 'another fine passphrase' }, anonymous);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('UNIQUE_VIOLATION');
    const readOnly = await t.request('POST', `${auth}/sign-up`, { email: 'e@example.com', password: 'a fine passphrase', verified: true }, anonymous);
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.errors.verified.code).toBe('read_only');
  });

  it('answers a wrong password and an unknown account the same way', async () => {
    const account = await signUp(t, 'frank@example.com');
    const wrong = await t.request('POST', `${auth}/sign-in`, { email: account.email, password: 'not the password' }, anonymous);
    const unknown = await t.request('POST', `${auth}/sign-in`, { email: 'nobody@example.com', password: 'not the password' }, anonymous);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect({ ...wrong.body, instance: '' }).toEqual({ ...unknown.body, instance: '' });
  });

  it('refuses sign-up on a collection that is not an auth collection', async () => {
    await t.request('POST', '/api/collections', { name: 'plain', fields: [], createRule: '' });
    const response = await t.request('POST', '/api/collections/plain/auth/sign-up', { email: 'x@example.com', password: 'a fine passphrase' }, anonymous);
    expect(response.status).toBe(400);
  });
});

describe('access tokens', () => {
  it('refuses expired, forged, tampered, wrongly signed and malformed tokens with 401', async () => {
    const account = await signUp(t, 'grace@example.com');
    const { sessionId } = (await t.server.auth.authenticate(account.token)) as { sessionId: string };
    const claims = { sub: account.id, realm: 'users', sid: sessionId };
    const valid = await token(claims);
    expect((await t.request('GET', `${auth}/me`, undefined, bearer(valid))).status).toBe(200);
    const [header, payload, signature] = account.token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), realm: '_admins' })).toString('base64url');
    const cases: Record<string, string> = {
      expired: await token(claims, { exp: Math.floor(Date.now() / 1000) - 5 }),
      forged: await token(claims, { secret: new Uint8Array(32).fill(7) }),
      'unknown key': await token(claims, { kid: 'nope' }),
      tampered: `${header}.${otherPayload}.${signature}`,
      'wrong algorithm': await token(claims, { alg: 'HS512' }),
      unsigned: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      garbage: 'not-a-token',
    };
    for (const [name, bad] of Object.entries(cases)) {
      const response = await t.request('GET', `${auth}/me`, undefined, bearer(bad));
      expect(response.status, name).toBe(401);
      expect(response.body.code, name).toBe('INVALID_TOKEN');
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
      // A bad token is refused on public routes too, rather than silently treated as anonymous.
      expect((await t.request('GET', '/api/collections/users/records', undefined, bearer(bad))).status, name).toBe(401);
    }
    const expired = await t.request('GET', `${auth}/me`, undefined, bearer(cases.expired!));
    expect(expired.body.detail).toContain('expired');
  });

  it('needs a signed-in caller for me', async () => {
    const response = await t.request('GET', `${auth}/me`, undefined, anonymous);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('authenticated callers', () => {
  it('see their own account changes at once in rules, and lose access when the account is deleted', async () => {
    await t.request('POST', '/api/collections', { name: 'boardroom', fields: [{ name: 'topic', type: 'text' }], listRule: '@request.auth.name = "Boss"' });
    await t.request('POST', '/api/collections/boardroom/records', { topic: 'budget' });
    const account = await signUp(t, 'olga@example.com', { name: 'Olga' });
    const list = () => t.request('GET', '/api/collections/boardroom/records', undefined, account.auth);
    expect((await list()).body.items).toHaveLength(0);
    expect((await t.request('PATCH', `/api/collections/users/records/${account.id}`, { name: 'Boss' }, account.auth)).status).toBe(200);
    expect((await list()).body.items).toHaveLength(1);
    expect((await t.request('DELETE', `/api/collections/users/records/${account.id}`, undefined, account.auth)).status).toBe(204);
    expect((await list()).status).toBe(401);
  });
});

describe('refresh tokens', () => {
  it('rotate on every refresh and revoke the whole session when a spent one is reused', async () => {
    const account = await signUp(t, 'heidi@example.com');
    const first = await t.request('POST', `${auth}/refresh`, { refreshToken: account.refreshToken }, anonymous);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(account.refreshToken);
    const second = await t.request('POST', `${auth}/refresh`, { refreshToken: first.body.refreshToken }, anonymous);
    expect(second.status).toBe(200);
    // The first token again: a copy is in someone else's hands.
    const reused = await t.request('POST', `${auth}/refresh`, { refreshToken: account.refreshToken }, anonymous);
    expect(reused.status).toBe(401);
    expect(reused.body.detail).toContain('revoked');
    expect((await t.request('POST', `${auth}/refresh`, { refreshToken: second.body.refreshToken }, anonymous)).status).toBe(401);
    expect((await t.request('GET', `${auth}/me`, undefined, bearer(second.body.token))).status).toBe(401);
  });

  it('are refused for another realm and when unknown', async () => {
    const account = await signUp(t, 'ivan@example.com');
    expect((await t.request('POST', '/api/admins/auth/refresh', { refreshToken: account.refreshToken }, anonymous)).status).toBe(401);
    expect((await t.request('POST', `${auth}/refresh`, { refreshToken: 'made-up' }, anonymous)).status).toBe(401);
  });

  it('sign-out ends the session: its refresh and access tokens stop working', async () => {
    const account = await signUp(t, 'judy@example.com');
    expect((await t.request('POST', `${auth}/sign-out`, { refreshToken: account.refreshToken }, anonymous)).status).toBe(204);
    expect((await t.request('POST', `${auth}/refresh`, { refreshToken: account.refreshToken }, anonymous)).status).toBe(401);
    expect((await t.request('GET', `${auth}/me`, undefined, account.auth)).status).toBe(401);
  });
});

describe('passwords', () => {
  it('change-password checks the current one and ends the other sessions', async () => {
    const account = await signUp(t, 'ken@example.com');
    const other = await t.request('POST', `${auth}/sign-in`, { email: account.email, password: account.password }, anonymous);
    const wrong = await t.request('POST', `${auth}/change-password`, { currentPassword: 'nope nope nope', newPassword: 'a brand new passphrase' }, account.auth);
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors.currentPassword.code).toBe('wrong_password');
    const changed = await t.request('POST', `${auth}/change-password`, { currentPassword: account.password, newPassword: 'a brand new passphrase' }, account.auth);
    expect(changed.status).toBe(204);
    expect((await t.request('GET', `${auth}/me`, undefined, account.auth)).status).toBe(200);
    expect((await t.request('GET', `${auth}/me`, undefined, bearer(other.body.token))).status).toBe(401);
    expect((await t.request('POST', `${auth}/refresh`, { refreshToken: other.body.refreshToken }, anonymous)).status).toBe(401);
    expect((await t.request('POST', `${auth}/sign-in`, { email: account.email, password: account.password }, anonymous)).status).toBe(401);
    expect((await t.request('POST', `${auth}/sign-in`, { email: account.email, password: 'a brand new passphrase' }, anonymous)).status).toBe(200);
  });

  it('reset goes through the mailer, sets the password once and verifies the address', async () => {
    const account = await signUp(t, 'liam@example.com');
    const unknown = await t.request('POST', `${auth}/request-password-reset`, { email: 'nobody@example.com' }, anonymous);
    const known = await t.request('POST', `${auth}/request-password-reset`, { email: account.email }, anonymous);
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const reset = await mailedToken(t, account.email, /reset/i);
    expect((await readMail(t)).some((m) => m.to === 'nobody@example.com')).toBe(false);
    const weak = await t.request('POST', `${auth}/confirm-password-reset`, { token: reset, password: 'password' }, anonymous);
    expect(weak.status).toBe(422);
    const done = await t.request('POST', `${auth}/confirm-password-reset`, { token: reset, password: 'a reset passphrase' }, anonymous);
    expect(done.status).toBe(204);
    expect((await t.request('POST', `${auth}/confirm-password-reset`, { token: reset, password: 'another passphrase' }, anonymous)).status).toBe(401);
    expect((await t.request('GET', `${auth}/me`, undefined, account.auth)).status).toBe(401);
    const signedIn = await t.request('POST', `${auth}/sign-in`, { email: account.email, password: 'a reset passphrase' }, anonymous);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.record.verified).toBe(true);
  });

  it('verification mails a token on sign-up that marks the account verified once', async () => {
    const account = await signUp(t, 'mia@example.com');
    const token = await mailedToken(t, account.email, /confirm your email/i);
    const verified = await t.request('POST', `${auth}/confirm-verification`, { token }, anonymous);
    expect(verified.status).toBe(200);
    expect(verified.body.verified).toBe(true);
    expect((await t.request('POST', `${auth}/confirm-verification`, { token }, anonymous)).status).toBe(401);
    expect((await t.request('POST', `${auth}/request-verification`, { email: account.email }, anonymous)).status).toBe(202);
  });
});

describe('admins', () => {
  it('sign in to their own realm, not to users', async () => {
    const signedIn = await t.request('POST', '/api/admins/auth/sign-in', { email: 'admin@example.com', password: 'correct horse battery staple' }, anonymous);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.record).toEqual({ id: expect.any(String), email: 'admin@example.com', created: expect.any(String), updated: expect.any(String) });
    expect((await t.request('GET', '/api/admins/auth/me', undefined, bearer(signedIn.body.token))).status).toBe(200);
    expect((await t.request('GET', `${auth}/me`, undefined, bearer(signedIn.body.token))).status).toBe(401);
    const user = await signUp(t, 'nina@example.com');
    expect((await t.request('GET', '/api/admins/auth/me', undefined, user.auth)).status).toBe(401);
    expect((await t.request('POST', '/api/admins/auth/sign-in', { email: user.email, password: user.password }, anonymous)).status).toBe(401);
  });
});

describe('before the first admin exists', () => {
  it('admin routes say so, and the first-run endpoint creates the admin once', async () => {
    const fresh = await startTestServer({ admin: false });
    try {
      const refused = await fresh.request('GET', '/api/collections');
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('NO_ADMIN');
      expect(refused.body.detail).toContain('causeway admin create');
      expect((await fresh.request('GET', '/api/admins/status')).body).toEqual({ hasAdmin: false });
      const weak = await fresh.request('POST', '/api/admins/first-run', { email: 'root@example.com', password: 'short' });
      expect(weak.status).toBe(422);
      const created = await fresh.request('POST', '/api/admins/first-run', { email: 'root@example.com', password: 'a long admin passphrase' });
      expect(created.status).toBe(201);
      expect((await fresh.request('GET', '/api/collections', undefined, bearer(created.body.token))).status).toBe(200);
      expect((await fresh.request('POST', '/api/admins/first-run', { email: 'evil@example.com', password: 'a long admin passphrase' })).status).toBe(403);
      expect((await fresh.request('GET', '/api/collections')).body.code).toBe('UNAUTHENTICATED');
    } finally {
      await fresh.stop();
    }
  });
});

describe('abuse limits and headers', () => {
  it('rate-limits sign-in per account and per IP with Retry-After', async () => {
    const limited = await startTestServer({ config: { authRateLimit: 3 } });
    try {
      const attempt = (email: string) => limited.request('POST', `${auth}/sign-in`, { email, password: 'wrong password here' }, anonymous);
      for (let i = 0; i < 3; i++) expect((await attempt('victim@example.com')).status).toBe(401);
      const blocked = await attempt('victim@example.com');
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('RATE_LIMITED');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // The IP's own budget is spent too, whatever account it tries next.
      expect((await attempt('someone-else@example.com')).status).toBe(429);
    } finally {
      await limited.stop();
    }
  });

  it('sends security headers and CORS headers for allowed origins', async () => {
    const response = await fetch(`${t.url}/api/health`, { headers: { origin: 'http://localhost:5173' } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
    expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
    const restricted = await startTestServer({ config: { allowedOrigins: 'https://app.example.com' } });
    try {
      const allowed = await fetch(`${restricted.url}/api/health`, { headers: { origin: 'https://app.example.com' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      const other = await fetch(`${restricted.url}/api/health`, { headers: { origin: 'https://evil.example.com' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await restricted.stop();
    }
  });

  it('lets other origins update and delete (preflight)', async () => {
    const preflight = await fetch(`${t.url}/api/collections/users/records/x`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type, if-match' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-match');
  });

  it('refuses oversized headers', async () => {
    const response = await fetch(`${t.url}/api/health`, { headers: { 'x-filler': 'a'.repeat(20_000) } });
    expect(response.status).toBe(431);
  });
});
