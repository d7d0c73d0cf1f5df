import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, bearer, mailedToken, signUp } from './support/accounts.js';
import { adminEmail, adminPassword, startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
const users = '/api/collections/users/auth';

beforeAll(async () => {
  t = await startTestServer();
  const staff = await t.request('POST', '/api/collections', { name: 'staff', type: 'auth', createRule: '' });
  expect(staff.status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

describe('account ids are never reused', () => {
  it('refuses a client-chosen id at sign-up', async () => {
    const chosen = await t.request('POST', `${users}/sign-up`, { id: 'ann', email: 'ann@example.com', password: 'a fine passphrase' }, anonymous);
    expect(chosen.status).toBe(422);
    expect(chosen.body.errors.id.code).toBe('read_only');
  });

  it("refuses a client-chosen id when an admin creates an account's record, on REST and GraphQL", async () => {
    const rest = await t.request('POST', '/api/collections/users/records', { id: 'bob', email: 'bob@example.com' });
    expect(rest.status).toBe(422);
    expect(rest.body.errors.id.code).toBe('read_only');
    const graphql = await t.request('POST', '/api/graphql', { query: 'mutation { createUsers(data: { id: "bob", email: "bob@example.com" }) { id } }' });
    expect(JSON.stringify(graphql.body)).not.toContain('"createUsers":{');
  });

  it("gives a new account nothing of a deleted account's: tokens, refresh tokens, reset links", async () => {
    const first = await signUp(t, 'reused@example.com');
    await t.request('POST', `${users}/request-password-reset`, { email: first.email }, anonymous);
    const resetToken = await mailedToken(t, first.email, /reset/i);
    expect((await t.request('DELETE', `/api/collections/users/records/${first.id}`)).status).toBe(204);

    const second = await signUp(t, 'reused@example.com');
    expect(second.id).not.toBe(first.id);
    expect((await t.request('GET', `${users}/me`, undefined, first.auth)).status).toBe(401);
    expect((await t.request('POST', `${users}/refresh`, { refreshToken: first.refreshToken }, anonymous)).status).toBe(401);
    // The link mailed to the deleted account does not set the new account's password.
    const reset = await t.request('POST', `${users}/confirm-password-reset`, { token: resetToken, password: 'taken over passphrase' }, anonymous);
    expect(reset.status).toBe(401);
    expect((await t.request('GET', `${users}/me`, undefined, second.auth)).status).toBe(200);
  });
});

describe('refresh tokens at the wrong realm', () => {
  it("refuses a user's refresh token at the admins' endpoint without spending it", async () => {
    const account = await signUp(t, 'realm@example.com');
    const wrong = await t.request('POST', '/api/admins/auth/refresh', { refreshToken: account.refreshToken }, anonymous);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_TOKEN');
    const otherCollection = await t.request('POST', '/api/collections/staff/auth/refresh', { refreshToken: account.refreshToken }, anonymous);
    expect(otherCollection.status).toBe(401);
    const right = await t.request('POST', `${users}/refresh`, { refreshToken: account.refreshToken }, anonymous);
    expect(right.status).toBe(200);
    // The session was not revoked as a reuse: the new tokens work.
    expect((await t.request('GET', `${users}/me`, undefined, bearer(right.body.token))).status).toBe(200);
  });

  it("refuses an admin's refresh token at a collection's endpoint without spending it", async () => {
    const admin = (await t.request('POST', '/api/admins/auth/sign-in', { email: adminEmail, password: adminPassword }, anonymous)).body;
    expect((await t.request('POST', `${users}/refresh`, { refreshToken: admin.refreshToken }, anonymous)).status).toBe(401);
    const right = await t.request('POST', '/api/admins/auth/refresh', { refreshToken: admin.refreshToken }, anonymous);
    expect(right.status).toBe(200);
  });
});

describe('the admin realm has one path', () => {
  it('does not answer under /api/collections/_admins/auth', async () => {
    for (const action of ['sign-in', 'refresh', 'request-password-reset', 'confirm-password-reset', 'sign-up']) {
      const answer = await t.request('POST', `/api/collections/_admins/auth/${action}`, { email: adminEmail, password: adminPassword, refreshToken: 'x', token: 'x' }, anonymous);
      expect(answer.status, action).toBe(404);
    }
    expect((await t.request('GET', '/api/collections/_admins/auth/me')).status).toBe(404);
  });

  it('lets an admin reset a forgotten password under /api/admins/auth', async () => {
    const created = await t.request('POST', '/api/admins', { email: 'forgetful@example.com', password: 'forgetful passphrase' });
    expect(created.status).toBe(201);
    expect((await t.request('POST', '/api/admins/auth/request-password-reset', { email: 'forgetful@example.com' }, anonymous)).status).toBe(202);
    const token = await mailedToken(t, 'forgetful@example.com', /reset/i);
    expect((await t.request('POST', '/api/admins/auth/confirm-password-reset', { token, password: 'remembered passphrase' }, anonymous)).status).toBe(204);
    expect((await t.request('POST', '/api/admins/auth/sign-in', { email: 'forgetful@example.com', password: 'remembered passphrase' }, anonymous)).status).toBe(200);
    expect((await t.request('DELETE', `/api/admins/${created.body.id}`)).status).toBe(204);
  });
});

describe('admin management', () => {
  it('lists, creates and deletes admins; a deleted admin is signed out at once', async () => {
    const created = await t.request('POST', '/api/admins', { email: 'Helper@Example.com', password: 'helper passphrase' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'helper@example.com' });
    expect(created.body.passwordHash).toBeUndefined();
    const duplicate = await t.request('POST', '/api/admins', { email: 'helper@example.com', password: 'helper passphrase' });
    expect(duplicate.status).toBe(409);
    const listed = await t.request('GET', '/api/admins');
    expect(listed.body.items.map((a: { email: string }) => a.email)).toEqual([adminEmail, 'helper@example.com']);
    const helper = (await t.request('POST', '/api/admins/auth/sign-in', { email: 'helper@example.com', password: 'helper passphrase' }, anonymous)).body;
    expect((await t.request('DELETE', `/api/admins/${created.body.id}`)).status).toBe(204);
    expect((await t.request('GET', '/api/admins', undefined, bearer(helper.token))).status).toBe(401);
    expect((await t.request('POST', '/api/admins/auth/refresh', { refreshToken: helper.refreshToken }, anonymous)).status).toBe(401);
    expect((await t.request('DELETE', `/api/admins/${created.body.id}`)).status).toBe(404);
  });

  it('refuses to delete the last admin', async () => {
    const [only] = (await t.request('GET', '/api/admins')).body.items;
    const refused = await t.request('DELETE', `/api/admins/${only.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('LAST_ADMIN');
  });

  it("resets another admin's password and ends its sessions", async () => {
    const created = (await t.request('POST', '/api/admins', { email: 'reset-me@example.com', password: 'first admin passphrase' })).body;
    const session = (await t.request('POST', '/api/admins/auth/sign-in', { email: 'reset-me@example.com', password: 'first admin passphrase' }, anonymous)).body;
    const weak = await t.request('POST', `/api/admins/${created.id}/password`, { password: 'short' });
    expect(weak.status).toBe(422);
    expect((await t.request('POST', `/api/admins/${created.id}/password`, { password: 'second admin passphrase' })).status).toBe(204);
    expect((await t.request('GET', '/api/admins/auth/me', undefined, bearer(session.token))).status).toBe(401);
    expect((await t.request('POST', '/api/admins/auth/sign-in', { email: 'reset-me@example.com', password: 'second admin passphrase' }, anonymous)).status).toBe(200);
    expect((await t.request('POST', '/api/admins/nobody/password', { password: 'second admin passphrase' })).status).toBe(404);
    await t.request('DELETE', `/api/admins/${created.id}`);
  });

  it('signs out every session of a user or an admin', async () => {
    const account = await signUp(t, 'everywhere@example.com');
    const again = (await t.request('POST', `${users}/sign-in`, { email: account.email, password: account.password }, anonymous)).body;
    expect((await t.request('POST', `${users}/accounts/${account.id}/sign-out`)).status).toBe(204);
    for (const token of [account.token, again.token]) expect((await t.request('GET', `${users}/me`, undefined, bearer(token))).status).toBe(401);
    expect((await t.request('POST', `${users}/accounts/nobody/sign-out`)).status).toBe(404);
    expect((await t.request('POST', '/api/collections/_admins/auth/accounts/x/sign-out')).status).toBe(404);
  });

  it('is for admins only', async () => {
    const account = await signUp(t, 'not-admin@example.com');
    for (const [method, path] of [['GET', '/api/admins'], ['POST', '/api/admins'], ['DELETE', '/api/admins/x'], ['POST', '/api/admins/x/password'], ['POST', '/api/admins/x/sign-out'], ['POST', `${users}/accounts/x/sign-out`]] as const) {
      expect((await t.request(method, path, method === 'POST' ? {} : undefined, account.auth)).status, path).toBe(403);
      expect((await t.request(method, path, method === 'POST' ? {} : undefined, anonymous)).status, path).toBe(401);
    }
  });

  it('describes admin management in the OpenAPI document', async () => {
    const paths = (await t.request('GET', '/api/openapi.json')).body.paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/admins', '/api/admins/{id}', '/api/admins/{id}/password', '/api/admins/{id}/sign-out', '/api/collections/users/auth/accounts/{id}/sign-out', '/api/admins/auth/request-password-reset', '/api/collections/users/auth/sign-out-everywhere']));
  });
});
