import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createClient, UnauthorizedError, type AuthResult } from '@causeway/client';
import { anonymous, bearer, mailedToken, signUp, type Account } from './support/accounts.js';
import { startOidcProvider, type TestOidcProvider } from './support/oidc-provider.js';
import { startTestServer, type Json, type TestResponse, type TestServer } from './support/test-server.js';

/**
 * Sign-in with an OpenID Connect provider, against a real one (`oidc-provider` on loopback): configuration by admins
 * only with a write-only secret, sign-up and sign-in, linking by verified email only, state, code and PKCE checks,
 * the second factor, identities and their unlinking.
 */
let t: TestServer;
let idp: TestOidcProvider;
const clientSecret = 'client-secret-that-must-never-come-back';
const appCallback = 'http://127.0.0.1:5173/auth/callback';
const oauth = (path: string) => `/api/collections/users/auth/oauth${path}`;
const providers = (path = '') => `/api/collections/users/oauth-providers${path}`;

const providerBody = (extra: Record<string, unknown> = {}) => ({ issuer: idp.issuer, clientId: 'causeway-app', clientSecret, redirectUris: [appCallback], displayName: 'Test ID', ...extra });

async function start(provider = 'testid'): Promise<string> {
  const started = await t.request('POST', oauth(`/${provider}/start`), { redirectUri: appCallback }, anonymous);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return started.body.url;
}

/** What the app's callback page receives after `sub` signs in at the provider. */
async function callbackFor(sub: string, provider = 'testid'): Promise<{ code: string; state: string; iss: string }> {
  const back = await idp.authorize(await start(provider), sub);
  expect(back.origin + back.pathname).toBe(appCallback);
  return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')!, iss: back.searchParams.get('iss')! };
}

const finish = (answer: Record<string, unknown>, provider = 'testid'): Promise<TestResponse<Json>> => t.request('POST', oauth(`/${provider}/finish`), answer, anonymous);

async function signInWith(sub: string): Promise<TestResponse<Json>> {
  return finish(await callbackFor(sub));
}

beforeAll(async () => {
  t = await startTestServer();
  idp = await startOidcProvider({ clientId: 'causeway-app', clientSecret, redirectUris: [appCallback] });
  idp.accounts.set('alice-at-idp', { sub: 'alice-at-idp', email: 'alice@example.com', emailVerified: true });
  idp.accounts.set('bob-at-idp', { sub: 'bob-at-idp', email: 'bob@example.com', emailVerified: true });
  idp.accounts.set('vera-at-idp', { sub: 'vera-at-idp', email: 'vera@example.com', emailVerified: true });
  idp.accounts.set('dave-at-idp', { sub: 'dave-at-idp', email: 'dave@example.com', emailVerified: false });
  idp.accounts.set('nora-at-idp', { sub: 'nora-at-idp', email: 'nora@example.com', emailVerified: false });
  idp.accounts.set('carol-at-idp', { sub: 'carol-at-idp', email: 'carol@example.com', emailVerified: true });
  idp.accounts.set('kim-at-idp', { sub: 'kim-at-idp', email: 'kim@example.com', emailVerified: true });
  idp.accounts.set('mia-at-idp', { sub: 'mia-at-idp', email: 'mia@example.com', emailVerified: true });
});

afterAll(async () => {
  await t?.stop();
  await idp?.stop();
});

describe('configuring providers', () => {
  it('is for admins only: an anonymous caller and a signed-in user are refused', async () => {
    const user = await signUp(t, 'not-an-admin@example.com');
    const asAnonymous = await t.request('PUT', providers('/testid'), providerBody(), anonymous);
    expect(asAnonymous.status).toBe(401);
    expect(asAnonymous.body.code).toBe('UNAUTHENTICATED');
    const asUser = await t.request('PUT', providers('/testid'), providerBody(), user.auth);
    expect(asUser.status).toBe(403);
    expect((await t.request('GET', providers(), undefined, anonymous)).status).toBe(401);
    expect((await t.request('GET', providers(), undefined, user.auth)).status).toBe(403);
    expect((await t.request('GET', providers())).body).toEqual([]);
  });

  it('refuses an incomplete or unsafe definition with per-field messages', async () => {
    const bad = await t.request('PUT', providers('/testid'), { clientId: 'x', redirectUris: ['javascript:alert(1)'], issuer: 'http://evil.example.com' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.errors)).toEqual(expect.arrayContaining(['redirectUris.0', 'issuer']));
    const noSecret = await t.request('PUT', providers('/testid'), { ...providerBody(), clientSecret: undefined });
    expect(noSecret.status).toBe(422);
    expect(noSecret.body.errors.clientSecret.code).toBe('required');
    const badName = await t.request('PUT', providers('/Not_A_Name'), providerBody());
    expect(badName.status).toBe(422);
    expect(badName.body.errors.name.code).toBe('invalid');
    const microsoft = await t.request('PUT', providers('/ms'), { preset: 'microsoft', clientId: 'x', clientSecret: 'y', redirectUris: [appCallback] });
    expect(microsoft.body.errors.tenant.code).toBe('required');
  });

  it('never returns the client secret, and stores it sealed', async () => {
    const put = await t.request('PUT', providers('/testid'), providerBody());
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ name: 'testid', preset: 'oidc', displayName: 'Test ID', issuer: idp.issuer, clientId: 'causeway-app', hasClientSecret: true, scopes: ['openid', 'email', 'profile'], redirectUris: [appCallback], enabled: true });
    const listed = await t.request('GET', providers());
    expect(listed.body).toEqual([put.body]);
    expect(JSON.stringify(listed.body)).not.toContain(clientSecret);
    // A change without the secret keeps the stored one.
    const renamed = await t.request('PUT', providers('/testid'), { ...providerBody({ displayName: 'Test Identity' }), clientSecret: undefined });
    expect(renamed.body.hasClientSecret).toBe(true);
    const row = await t.server.db.get("SELECT secret FROM _oauth_providers WHERE key = 'users/testid'", []);
    expect(String(row?.secret)).toMatch(/^v1\./);
    expect(String(row?.secret)).not.toContain(clientSecret);
  });

  it('lists enabled providers to anyone, by name and display name only', async () => {
    const listed = await t.request('GET', oauth('/providers'), undefined, anonymous);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([{ name: 'testid', displayName: 'Test Identity' }]);
  });
});

describe('starting a sign-in', () => {
  it('refuses a redirect URI the admin did not allow, and an unknown provider', async () => {
    const elsewhere = await t.request('POST', oauth('/testid/start'), { redirectUri: 'https://attacker.example.com/steal' }, anonymous);
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.errors.redirectUri.code).toBe('not_allowed');
    expect((await t.request('POST', oauth('/testid/start'), {}, anonymous)).status).toBe(422);
    expect((await t.request('POST', oauth('/nope/start'), { redirectUri: appCallback }, anonymous)).status).toBe(404);
  });

  it('sends the browser to the provider with PKCE (S256), a state and a nonce', async () => {
    const url = new URL(await start());
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toBe(appCallback);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
  });
});

describe('signing up and in with a provider', () => {
  let alice: Json;

  it('creates a verified account without a password on first sign-in', async () => {
    const signedIn = await signInWith('alice-at-idp');
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    alice = signedIn.body;
    expect(alice.record).toMatchObject({ email: 'alice@example.com', verified: true });
    expect(alice.record).not.toHaveProperty('passwordHash');
    const me = await t.request('GET', '/api/collections/users/auth/me', undefined, bearer(alice.token));
    expect(me.body.id).toBe(alice.record.id);
    // No password works for it.
    const withPassword = await t.request('POST', '/api/collections/users/auth/sign-in', { email: 'alice@example.com', password: '' }, anonymous);
    expect(withPassword.status).toBe(401);
  });

  it('signs the same account in again', async () => {
    const again = await signInWith('alice-at-idp');
    expect(again.status).toBe(200);
    expect(again.body.record.id).toBe(alice.record.id);
    expect(again.body.refreshToken).not.toBe(alice.refreshToken);
  });

  it('lists the identity, and refuses to unlink the only way an account without a password signs in', async () => {
    const identities = await t.request('GET', oauth('/identities'), undefined, bearer(alice.token));
    expect(identities.body).toEqual([{ id: expect.any(String), provider: 'testid', email: 'alice@example.com', created: expect.any(String) }]);
    const unlink = await t.request('DELETE', oauth(`/identities/${identities.body[0].id}`), undefined, bearer(alice.token));
    expect(unlink.status).toBe(409);
    expect(unlink.body.code).toBe('LAST_SIGN_IN_METHOD');
    expect((await t.request('GET', oauth('/identities'), undefined, bearer(alice.token))).body).toHaveLength(1);
    expect((await t.request('GET', oauth('/identities'), undefined, anonymous)).status).toBe(401);
  });

  it("an ended session no longer reads the account's identities", async () => {
    const session = (await signInWith('alice-at-idp')).body;
    expect((await t.request('POST', '/api/collections/users/auth/sign-out', { refreshToken: session.refreshToken }, anonymous)).status).toBe(204);
    const after = await t.request('GET', oauth('/identities'), undefined, bearer(session.token));
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('INVALID_TOKEN');
  });

  it('a deleted account takes its identities along: the next sign-in makes a new account', async () => {
    const mia = (await signInWith('mia-at-idp')).body;
    expect((await t.request('DELETE', `/api/collections/users/records/${mia.record.id}`)).status).toBe(204);
    await expect.poll(async () => (await t.server.db.get("SELECT COUNT(*) AS n FROM _identities WHERE email = 'mia@example.com'", []))?.n).toEqual(expect.toSatisfy((n) => Number(n) === 0));
    const again = await signInWith('mia-at-idp');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.record.id).not.toBe(mia.record.id);
  });
});

describe('linking by email', () => {
  it('links a verified account to an identity whose email the provider verified, keeping its password', async () => {
    const vera = await signUp(t, 'vera@example.com');
    const token = await mailedToken(t, 'vera@example.com', /verify|confirm/i);
    expect((await t.request('POST', '/api/collections/users/auth/confirm-verification', { token }, anonymous)).status).toBe(200);
    const linked = await signInWith('vera-at-idp');
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body.record.id).toBe(vera.id);
    expect((await t.request('POST', '/api/collections/users/auth/sign-in', { email: vera.email, password: vera.password }, anonymous)).status).toBe(200);
    // With a password left, the identity can go.
    const [identity] = (await t.request('GET', oauth('/identities'), undefined, bearer(linked.body.token))).body;
    expect((await t.request('DELETE', oauth(`/identities/${identity.id}`), undefined, bearer(linked.body.token))).status).toBe(204);
    expect((await t.request('GET', oauth('/identities'), undefined, bearer(linked.body.token))).body).toEqual([]);
  });

  it('takes an unverified account from whoever set its password: the password is removed and its sessions end', async () => {
    // Someone signed bob@example.com up without owning the mailbox; the owner then signs in with the provider.
    const squatter: Account = await signUp(t, 'bob@example.com');
    const linked = await signInWith('bob-at-idp');
    expect(linked.status).toBe(200);
    expect(linked.body.record).toMatchObject({ id: squatter.id, verified: true });
    expect((await t.request('POST', '/api/collections/users/auth/sign-in', { email: squatter.email, password: squatter.password }, anonymous)).status).toBe(401);
    expect((await t.request('GET', '/api/collections/users/auth/me', undefined, squatter.auth)).status).toBe(401);
    expect((await t.request('POST', '/api/collections/users/auth/refresh', { refreshToken: squatter.refreshToken }, anonymous)).status).toBe(401);
  });

  it('never links or creates an account from an email the provider did not verify', async () => {
    const dave = await signUp(t, 'dave@example.com');
    const refused = await signInWith('dave-at-idp');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('EMAIL_NOT_VERIFIED');
    expect(refused.body).not.toHaveProperty('token');
    // Dave's account is untouched: his password still works, and no identity was linked.
    expect((await t.request('POST', '/api/collections/users/auth/sign-in', { email: dave.email, password: dave.password }, anonymous)).status).toBe(200);
    expect((await t.request('GET', oauth('/identities'), undefined, dave.auth)).body).toEqual([]);
    // Nor is an account made for an unverified email nobody has.
    expect((await signInWith('nora-at-idp')).body.code).toBe('EMAIL_NOT_VERIFIED');
    expect((await t.request('GET', `/api/collections/users/records?filter=${encodeURIComponent("email = 'nora@example.com'")}`)).body.items).toEqual([]);
  });
});

describe('the state, the code and PKCE', () => {
  it('refuses a state this server never issued', async () => {
    const { code } = await callbackFor('carol-at-idp');
    const forged = await finish({ code, state: 'made-up-state-value' });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('OAUTH_FAILED');
  });

  it('refuses a replayed answer: the state works once', async () => {
    const answer = await callbackFor('carol-at-idp');
    expect((await finish(answer)).status).toBe(200);
    const replay = await finish(answer);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('OAUTH_FAILED');
  });

  it('lets one of two concurrent finishes with the same answer through, and refuses the other', async () => {
    const answer = await callbackFor('carol-at-idp');
    const statuses = (await Promise.all([finish(answer), finish(answer)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
  });

  it("refuses a code injected into another flow (the other flow's PKCE verifier does not match)", async () => {
    const victim = await callbackFor('carol-at-idp');
    const attackerState = new URL(await start()).searchParams.get('state')!;
    const injected = await finish({ code: victim.code, state: attackerState, iss: victim.iss });
    expect(injected.status).toBe(400);
    expect(injected.body.code).toBe('OAUTH_FAILED');
    expect(injected.body.detail).toMatch(/did not accept the code/);
  });

  it('refuses a replayed code with a fresh state', async () => {
    const answer = await callbackFor('carol-at-idp');
    expect((await finish(answer)).status).toBe(200);
    const freshState = new URL(await start()).searchParams.get('state')!;
    expect((await finish({ ...answer, state: freshState })).body.code).toBe('OAUTH_FAILED');
  });

  it("refuses a state from another provider's flow", async () => {
    expect((await t.request('PUT', providers('/other'), providerBody())).status).toBe(200);
    const answer = await callbackFor('carol-at-idp', 'other');
    const crossed = await finish(answer, 'testid');
    expect(crossed.body.code).toBe('OAUTH_FAILED');
    expect((await t.request('DELETE', providers('/other'))).status).toBe(204);
  });

  it('answers bad input with per-field messages, never a 500', async () => {
    const empty = await finish({});
    expect(empty.status).toBe(422);
    expect(Object.keys(empty.body.errors).sort()).toEqual(['code', 'state']);
    expect((await finish({ code: 1, state: ['x'], iss: 5 })).status).toBe(422);
    expect((await t.request('POST', oauth('/testid/finish'), 'not json object', { authorization: '' })).status).toBeLessThan(500);
  });
});

describe("a collection closed to sign-up (createRule null)", () => {
  it('creates no account by a provider either, but signs in an account an admin made', async () => {
    expect((await t.request('POST', '/api/collections', { name: 'staff', type: 'auth', createRule: null })).status).toBe(201);
    expect((await t.request('PUT', '/api/collections/staff/oauth-providers/testid', providerBody())).status).toBe(200);
    const begin = async (sub: string) => {
      const started = await t.request('POST', '/api/collections/staff/auth/oauth/testid/start', { redirectUri: appCallback }, anonymous);
      const back = await idp.authorize(started.body.url, sub);
      return t.request('POST', '/api/collections/staff/auth/oauth/testid/finish', { code: back.searchParams.get('code'), state: back.searchParams.get('state'), iss: back.searchParams.get('iss') }, anonymous);
    };
    const refused = await begin('kim-at-idp');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await t.request('GET', '/api/collections/staff/records')).body.items).toEqual([]);
    // An account the admin created (verified) is linked by its verified email and signed in.
    expect((await t.request('POST', '/api/collections/staff/records', { email: 'kim@example.com', verified: true })).status).toBe(201);
    const signedIn = await begin('kim-at-idp');
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(signedIn.body.record.email).toBe('kim@example.com');
    // A state of one collection does not finish in another.
    const started = await t.request('POST', '/api/collections/staff/auth/oauth/testid/start', { redirectUri: appCallback }, anonymous);
    const back = await idp.authorize(started.body.url, 'kim-at-idp');
    expect((await finish({ code: back.searchParams.get('code'), state: back.searchParams.get('state') })).body.code).toBe('OAUTH_FAILED');
  });
});

describe('a provider that cannot be reached', () => {
  it('answers 502 OAUTH_PROVIDER_UNAVAILABLE, not a 500, and works once it answers again', async () => {
    // Nothing listens on port 9 (discard) of loopback: discovery fails at once.
    expect((await t.request('PUT', providers('/down'), providerBody({ issuer: 'http://127.0.0.1:9' }))).status).toBe(200);
    const down = await t.request('POST', oauth('/down/start'), { redirectUri: appCallback }, anonymous);
    expect(down.status).toBe(502);
    expect(down.body.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(down.body.detail).not.toContain('127.0.0.1');
    // The failed discovery is not kept: pointed at a provider that answers, the next start works.
    expect((await t.request('PUT', providers('/down'), { ...providerBody(), clientSecret: undefined })).status).toBe(200);
    expect((await t.request('POST', oauth('/down/start'), { redirectUri: appCallback }, anonymous)).status).toBe(200);
    expect((await t.request('DELETE', providers('/down'))).status).toBe(204);
  });
});

describe('a disabled provider', () => {
  it('is not listed, and refuses to start or finish', async () => {
    const pending = await callbackFor('carol-at-idp');
    expect((await t.request('PUT', providers('/testid'), { ...providerBody({ enabled: false }), clientSecret: undefined })).body.enabled).toBe(false);
    expect((await t.request('GET', oauth('/providers'), undefined, anonymous)).body).toEqual([]);
    expect((await t.request('POST', oauth('/testid/start'), { redirectUri: appCallback }, anonymous)).status).toBe(404);
    expect((await finish(pending)).status).toBe(404);
    expect((await t.request('PUT', providers('/testid'), { ...providerBody(), clientSecret: undefined })).body.enabled).toBe(true);
  });
});

describe('with a second factor', () => {
  it('answers MFA_REQUIRED with a ticket, and signs in with the ticket and a current code once', async () => {
    const carol = (await signInWith('carol-at-idp')).body;
    const auth = bearer(carol.token);
    const setup = await t.request('POST', '/api/collections/users/auth/mfa/setup', undefined, auth);
    const totp = new TOTP({ secret: Secret.fromBase32(setup.body.secret) });
    expect((await t.request('POST', '/api/collections/users/auth/mfa/enable', { code: totp.generate() }, auth)).status).toBe(200);

    const asked = await signInWith('carol-at-idp');
    expect(asked.status).toBe(401);
    expect(asked.body.code).toBe('MFA_REQUIRED');
    expect(asked.body).not.toHaveProperty('token');
    const ticket = asked.body.ticket;
    expect(ticket).toEqual(expect.any(String));

    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    const wrong = await t.request('POST', oauth('/mfa'), { ticket, code: next === '123456' ? '654321' : '123456' }, anonymous);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    const right = await t.request('POST', oauth('/mfa'), { ticket, code: next }, anonymous);
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(right.body.record.id).toBe(carol.record.id);
    // The ticket is spent once a code was accepted.
    expect((await t.request('POST', oauth('/mfa'), { ticket, code: next }, anonymous)).body.code).toBe('OAUTH_FAILED');
    expect((await t.request('POST', oauth('/mfa'), { ticket: 'forged', code: next }, anonymous)).body.code).toBe('OAUTH_FAILED');
  });
});

describe('the client', () => {
  it('signs in with one call to start and one to finish, then lists its identities and is refused unlinking the last', async () => {
    const client = createClient(t.url);
    expect(await client.auth.oauth.providers()).toEqual([{ name: 'testid', displayName: 'Test ID' }]);
    const { url } = await client.auth.signInWithOAuth('testid', { redirectUri: appCallback, redirect: false });
    const back = await idp.authorize(url, 'kim-at-idp');
    // Node has no sessionStorage to remember the provider: a browser page that started the flow needs no option.
    const result: AuthResult = await client.auth.finishOAuth(back, { provider: 'testid' });
    expect(result.record.email).toBe('kim@example.com');
    expect(client.auth.isSignedIn).toBe(true);
    expect((await client.auth.me()).id).toBe(result.record.id);
    const [identity] = await client.auth.oauth.identities();
    expect(identity).toMatchObject({ provider: 'testid', email: 'kim@example.com' });
    const refused = await client.auth.oauth.unlink(identity!.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).code).toBe('LAST_SIGN_IN_METHOD');
  });

  it("turns the provider's refusal in the callback URL into an OAUTH_FAILED error without asking the server", async () => {
    const client = createClient(t.url);
    const refused = await client.auth.finishOAuth(`${appCallback}?error=access_denied&state=x`, { provider: 'testid' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'OAUTH_FAILED', status: 400 });
    expect(client.auth.isSignedIn).toBe(false);
  });

  it('carries the ticket of MFA_REQUIRED on the error', async () => {
    const client = createClient(t.url);
    const { url } = await client.auth.signInWithOAuth('testid', { redirectUri: appCallback, redirect: false });
    const refused = await client.auth.finishOAuth(await idp.authorize(url, 'carol-at-idp'), { provider: 'testid' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnauthorizedError);
    expect((refused as UnauthorizedError).code).toBe('MFA_REQUIRED');
    expect((refused as UnauthorizedError).problem.ticket).toEqual(expect.any(String));
  });
});

describe('a flooding client', () => {
  it('is limited like other credential checks: start and finish count against the address', async () => {
    const limited = await startTestServer({ config: { authRateLimit: 3 } });
    try {
      expect((await limited.request('PUT', providers('/testid'), providerBody())).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.request('POST', oauth('/testid/start'), { redirectUri: appCallback }, anonymous)).status);
      const over = await limited.request('POST', oauth('/testid/finish'), { code: 'x', state: 'y' }, anonymous);
      expect(statuses).toEqual([200, 200, 200]);
      expect(over.status).toBe(429);
      expect(over.body.code).toBe('RATE_LIMITED');
      expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await limited.stop();
    }
  });
});
