import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateStoredKeys } from '@causeway/core';
import { anonymous, bearer, signUp, type Account } from './support/accounts.js';
import { connectGraphQLWs, type GraphQLWsClient } from './support/graphql-ws-client.js';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { signingKey } from './support/signing-key.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

let t: TestServer;
let adminRt: RealtimeClient;
let accounts = 0;

const signedIn = '@request.auth.id != ""';

beforeAll(async () => {
  t = await startTestServer();
  const notes = await t.request('POST', '/api/collections', {
    name: 'notes',
    fields: [{ name: 'text', type: 'text' }],
    listRule: signedIn, viewRule: signedIn, createRule: signedIn, updateRule: signedIn, deleteRule: signedIn,
  });
  expect(notes.status).toBe(201);
  adminRt = await connect(t, t.adminToken);
  adminRt.send({ type: 'join', channel: 'room', req: 'j' });
  await adminRt.next((m) => m.type === 'joined');
});

afterAll(async () => {
  await adminRt?.close();
  await t?.stop();
});

/** Every long-lived surface of one session, subscribed and shown to work. */
interface Surfaces {
  rt: RealtimeClient;
  gq: GraphQLWsClient;
}

async function openSurfaces(token: string): Promise<Surfaces> {
  const rt = await connect(t, token);
  rt.send({ type: 'subscribe', sub: 'c', kind: 'collection', collection: 'notes' });
  await rt.next((m) => m.type === 'subscribed' && m.sub === 'c');
  rt.send({ type: 'subscribe', sub: 'q', kind: 'query', collection: 'notes', sort: '-created', limit: 5 });
  await rt.next((m) => m.type === 'snapshot' && m.sub === 'q');
  rt.send({ type: 'join', channel: 'room', req: 'j' });
  await rt.next((m) => m.type === 'joined');
  const gq = await connectGraphQLWs(t.url, token);
  gq.subscribe('s', 'subscription { notesChanges { op record { id text } } }');
  // Both deliver before the session ends.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect((await t.request('POST', '/api/collections/notes/records', { text: 'before' })).status).toBe(201);
  await rt.next((m) => m.type === 'event' && m.sub === 'c');
  await rt.next((m) => m.type === 'diff' && m.sub === 'q');
  await gq.next((m) => m.type === 'next' && m.id === 's');
  adminRt.send({ type: 'send', channel: 'room', payload: 'hello' });
  await rt.next((m) => m.type === 'message' && m.payload === 'hello');
  rt.take(() => true);
  return { rt, gq };
}

/** Within one second of the end: the surfaces are told, and nothing more is delivered or accepted. */
async function expectEnded({ rt, gq }: Surfaces, token: string, reason: string, since: number): Promise<void> {
  const ended = await rt.next((m) => m.type === 'session_ended', 1000 + since - Date.now());
  expect(ended.reason).toBe(reason);
  const unsubscribed = rt.take((m) => m.type === 'unsubscribed').map((m) => m.sub).sort();
  expect(unsubscribed).toEqual(['c', 'q']);
  const close = await Promise.race([gq.closed, new Promise<undefined>((resolve) => setTimeout(resolve, Math.max(0, 1000 + since - Date.now())))]);
  expect(close, 'graphql-ws closed within a second').toBeDefined();
  expect(close!.code).toBe(4403);
  expect(close!.reason).toBe(`session ended: ${reason}`);
  expect(Date.now() - since).toBeLessThan(1000);

  // Nothing more is delivered: records, live-query diffs, channel messages.
  expect((await t.request('POST', '/api/collections/notes/records', { text: 'after' })).status).toBe(201);
  adminRt.send({ type: 'send', channel: 'room', payload: 'after' });
  await adminRt.sync();
  await rt.sync();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(rt.take((m) => ['event', 'diff', 'snapshot', 'message', 'presence'].includes(m.type) && m.member?.kind !== 'admin')).toEqual([]);
  expect(gq.received.filter((m) => m.type === 'next')).toEqual([]);

  // Nothing more is accepted as that account: socket writes, channel messages, REST, GraphQL, a new socket.
  rt.send({ type: 'create', req: 'w', collection: 'notes', data: { text: 'as them' } });
  expect((await rt.next((m) => m.req === 'w')).problem.code).toBe('FORBIDDEN');
  rt.send({ type: 'send', channel: 'room', payload: 'as them', req: 'm' });
  expect((await rt.next((m) => m.req === 'm')).type).toBe('error');
  expect((await t.request('GET', '/api/collections/notes/records', undefined, bearer(token))).status).toBe(401);
  expect((await t.request('POST', '/api/graphql', { query: '{ notes(first: 1) { totalCount } }' }, bearer(token))).status).toBe(401);
  expect((await t.request('POST', '/api/graphql', { query: 'mutation { createNotes(data: { text: "x" }) { id } }' }, bearer(token))).status).toBe(401);
  await expect(connectGraphQLWs(t.url, token)).rejects.toMatchObject({ code: 4403 });
  rt.send({ type: 'auth', token });
  expect((await rt.next((m) => m.type === 'error')).problem.code).toBe('INVALID_TOKEN');
  await rt.close();
}

async function freshAccount(): Promise<Account> {
  return signUp(t, `session${++accounts}@example.com`);
}

async function expectLive(token: string): Promise<void> {
  expect((await t.request('GET', '/api/collections/notes/records', undefined, bearer(token))).status).toBe(200);
}

describe('a session that ends stops on every surface within one second', () => {
  it('ends at sign-out', async () => {
    const account = await freshAccount();
    const surfaces = await openSurfaces(account.token);
    expect((await t.request('POST', '/api/collections/users/auth/sign-out', { refreshToken: account.refreshToken }, anonymous)).status).toBe(204);
    // The session ended when that request was answered; the second starts from there.
    const since = Date.now();
    await expectEnded(surfaces, account.token, 'signed_out', since);
  });

  it('ends at sign-out everywhere, for every session of the account', async () => {
    const account = await freshAccount();
    const other = (await t.request('POST', '/api/collections/users/auth/sign-in', { email: account.email, password: account.password }, anonymous)).body;
    const surfaces = await openSurfaces(other.token);
    expect((await t.request('POST', '/api/collections/users/auth/sign-out-everywhere', {}, account.auth)).status).toBe(204);
    // The session ended when that request was answered; the second starts from there.
    const since = Date.now();
    await expectEnded(surfaces, other.token, 'signed_out_everywhere', since);
    expect((await t.request('GET', '/api/collections/notes/records', undefined, account.auth)).status).toBe(401);
  });

  it('ends the other sessions at a password change, and keeps the one that changed it', async () => {
    const account = await freshAccount();
    const other = (await t.request('POST', '/api/collections/users/auth/sign-in', { email: account.email, password: account.password }, anonymous)).body;
    const surfaces = await openSurfaces(other.token);
    const kept = await connect(t, account.token);
    kept.send({ type: 'subscribe', sub: 'c', kind: 'collection', collection: 'notes' });
    await kept.next((m) => m.type === 'subscribed');
    const changed = await t.request('POST', '/api/collections/users/auth/change-password', { currentPassword: account.password, newPassword: 'a brand new passphrase' }, account.auth);
    expect(changed.status).toBe(204);
    // The session ended when that request was answered; the second starts from there.
    const since = Date.now();
    await expectEnded(surfaces, other.token, 'password_changed', since);
    await expectLive(account.token);
    expect(kept.take((m) => m.type === 'session_ended' || m.type === 'unsubscribed')).toEqual([]);
    await kept.next((m) => m.type === 'event' && m.record.text === 'after');
    await kept.close();
  });

  it('ends when the account is deleted, and its refresh token dies with it', async () => {
    const account = await freshAccount();
    const surfaces = await openSurfaces(account.token);
    expect((await t.request('DELETE', `/api/collections/users/records/${account.id}`)).status).toBe(204);
    // The session ended when that request was answered; the second starts from there.
    const since = Date.now();
    await expectEnded(surfaces, account.token, 'account_deleted', since);
    const refreshed = await t.request('POST', '/api/collections/users/auth/refresh', { refreshToken: account.refreshToken }, anonymous);
    expect(refreshed.status).toBe(401);
  });

  it('ends when an admin signs the account out everywhere', async () => {
    const account = await freshAccount();
    const surfaces = await openSurfaces(account.token);
    expect((await t.request('POST', `/api/collections/users/auth/accounts/${account.id}/sign-out`)).status).toBe(204);
    // The session ended when that request was answered; the second starts from there.
    const since = Date.now();
    await expectEnded(surfaces, account.token, 'revoked', since);
    expect((await t.request('POST', '/api/collections/users/auth/refresh', { refreshToken: account.refreshToken }, anonymous)).status).toBe(401);
  });

  it('ends when the access token expires (the session itself goes on: refreshing works)', async () => {
    const account = await freshAccount();
    const key = await signingKey(t);
    const { sessionId } = (await t.server.auth.authenticate(account.token)) as Json;
    const expiresAt = Math.floor(Date.now() / 1000) + 3;
    const shortLived = await new SignJWT({ typ: 'access', realm: 'users', sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject(account.id)
      .setIssuer('causeway')
      .setExpirationTime(expiresAt)
      .sign(key.secret);
    const surfaces = await openSurfaces(shortLived);
    await surfaces.rt.next((m) => m.type === 'session_ended', 5000).then((m) => surfaces.rt.received.unshift(m));
    await expectEnded(surfaces, shortLived, 'expired', expiresAt * 1000);
    expect((await t.request('POST', '/api/collections/users/auth/refresh', { refreshToken: account.refreshToken }, anonymous)).status).toBe(200);
  });

  it('ends an admin session signed out by another admin', async () => {
    const created = await t.request('POST', '/api/admins', { email: 'second-admin@example.com', password: 'second admin passphrase' });
    expect(created.status).toBe(201);
    const signedIn = (await t.request('POST', '/api/admins/auth/sign-in', { email: 'second-admin@example.com', password: 'second admin passphrase' }, anonymous)).body;
    const surfaces = await openSurfaces(signedIn.token);
    expect((await t.request('POST', `/api/admins/${created.body.id}/sign-out`)).status).toBe(204);
    // The session ended when that request was answered; the second starts from there.
    const since = Date.now();
    await expectEnded(surfaces, signedIn.token, 'revoked', since);
  });
});

describe('ends caught without a signal', () => {
  it('ends sessions whose signing key was retired, and sessions revoked where no signal reached this instance, within 10 s', async () => {
    // Two servers, so that each end is the only one its session can meet; both wait out the same 10 s.
    const [s, u] = await Promise.all([startTestServer(), startTestServer()]);
    try {
      const keyHolder = await signUp(s, 'key-holder@example.com');
      const unheard = await signUp(u, 'unheard@example.com');
      const keyRt = await connect(s, keyHolder.token);
      const unheardRt = await connect(u, unheard.token);
      // Two rotations retire the key this token was signed with (the previous key keeps verifying).
      await rotateStoredKeys(s.server.db);
      await rotateStoredKeys(s.server.db);
      // As another instance would, but its signal lost: the session is revoked in the database only.
      const { sessionId } = (await u.server.auth.authenticate(unheard.token)) as Json;
      await u.server.db.transaction((tx) => tx.run(`UPDATE ${u.server.db.dialect.quoteIdent('_sessions')} SET revoked = 'now' WHERE family = ${u.server.db.dialect.placeholder(1)}`, [sessionId]));
      const [retired, revoked] = await Promise.all([keyRt.next((m) => m.type === 'session_ended', 12_000), unheardRt.next((m) => m.type === 'session_ended', 12_000)]);
      expect(retired.reason).toBe('key_retired');
      expect(revoked.reason).toBe('revoked');
      await keyRt.next((m) => m.type === 'auth_expired');
      // The session itself goes on after a key retirement: refreshing gives a token that works.
      const refreshed = await s.request('POST', '/api/collections/users/auth/refresh', { refreshToken: keyHolder.refreshToken }, anonymous);
      expect(refreshed.status).toBe(200);
      keyRt.send({ type: 'auth', token: refreshed.body.token });
      expect((await keyRt.next((m) => m.type === 'authenticated' || m.type === 'error')).type).toBe('authenticated');
      await keyRt.close();
      await unheardRt.close();
    } finally {
      await Promise.all([s.stop(), u.stop()]);
    }
  }, 30_000);
});
