import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  filter,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnauthorizedError,
  ValidationError,
  type CausewayClient,
  type UntypedCollection,
} from '@causeway/client';
import type { Schema } from '../packages/client/type-tests/schema.js';
import { typescriptTypes } from '../packages/server/src/codegen/typescript-types.js';
import { clientFixtureCollections } from './support/client-fixture.js';
import { testDatabaseEnv } from './support/test-database.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
const clients: CausewayClient<Schema>[] = [];

function client(options: Parameters<typeof createClient>[1] = {}): CausewayClient<Schema> {
  const c = createClient<Schema>(t.url, { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket, ...options });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestServer();
  for (const definition of clientFixtureCollections) expect((await t.request('POST', '/api/collections', definition)).status).toBe(201);
});

afterAll(async () => {
  for (const c of clients) c.realtime.close();
  await t?.stop();
});

describe('generated types', () => {
  it('are what `causeway types` writes for the fixture schema', () => {
    const collections = t.server.collections.list().filter((c) => c.name !== 'users');
    const users = t.server.collections.list().find((c) => c.name === 'users')!;
    expect(readFileSync('packages/client/type-tests/schema.ts', 'utf8')).toBe(typescriptTypes([...collections, users]));
  });
});

describe('causeway types', () => {
  it('writes the same types from a running server (--url) as from the data directory', async () => {
    // Asynchronously: the server answering --url runs in this very process.
    const { execFile } = await import('node:child_process');
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['packages/server/dist/cli/main.js', 'types', ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const fromUrl = await run(['--url', t.url], { CAUSEWAY_TOKEN: t.adminToken });
    expect(fromUrl.stderr).toBe('');
    expect(fromUrl.stdout).toBe(typescriptTypes(t.server.collections.list()));
    const refused = await run(['--url', t.url], { CAUSEWAY_TOKEN: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('admin token');
    const fromDir = await run(['--data-dir', t.dataDir], testDatabaseEnv(t.dataDir));
    expect(fromDir.stdout).toBe(fromUrl.stdout);
  });
});

describe('auth', () => {
  it('signs up, in and out, answers me, changes the password', async () => {
    const c = client();
    const signedUp = await c.auth.signUp({ email: 'sdk@example.com', password: 'sdk passphrase one', name: 'Sdk' });
    expect(signedUp.record.email).toBe('sdk@example.com');
    expect(c.auth.isSignedIn).toBe(true);
    expect((await c.auth.me()).name).toBe('Sdk');
    await c.auth.changePassword('sdk passphrase one', 'sdk passphrase two');
    await c.auth.signOut();
    expect(c.auth.isSignedIn).toBe(false);
    await expect(c.auth.me()).rejects.toBeInstanceOf(UnauthorizedError);
    await c.auth.signIn('sdk@example.com', 'sdk passphrase two');
    expect((await c.auth.me()).email).toBe('sdk@example.com');
    await c.auth.requestPasswordReset('sdk@example.com');
    await c.auth.requestVerification('sdk@example.com');
    const admin = client();
    await admin.admins.signIn('admin@example.com', 'correct horse battery staple');
    expect((await admin.admins.me()).email).toBe('admin@example.com');
  });

  it('confirms verification and password reset with mailed tokens', async () => {
    const { mailedToken } = await import('./support/accounts.js');
    const c = client();
    await c.auth.signUp({ email: 'mail@example.com', password: 'mail passphrase one' });
    const verified = await c.auth.confirmVerification(await mailedToken(t, 'mail@example.com', /confirm/i));
    expect(verified.verified).toBe(true);
    await c.auth.requestPasswordReset('mail@example.com');
    await c.auth.confirmPasswordReset(await mailedToken(t, 'mail@example.com', /reset/i), 'mail passphrase two');
    await expect(c.auth.me()).rejects.toBeInstanceOf(UnauthorizedError);
    await c.auth.signIn('mail@example.com', 'mail passphrase two');
    expect(c.auth.isSignedIn).toBe(true);
  });

  it('raises typed errors with per-field messages', async () => {
    const c = client();
    const weak = await c.auth.signUp({ email: 'weak@example.com', password: 'password' }).catch((e: unknown) => e);
    expect(weak).toBeInstanceOf(ValidationError);
    expect((weak as ValidationError).fields.password?.code).toBe('common_password');
    await expect(c.auth.signIn('nobody@example.com', 'whatever it is')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
  });
});

describe('records', () => {
  it('lists with filter, sort, count, fields and expand; iterates pages; gets, updates with ifMatch, deletes', async () => {
    const c = client();
    const me = await c.auth.signUp({ email: 'writer@example.com', password: 'writer passphrase' });
    const ann = await c.collection('authors').create({ name: 'Ann' });
    for (let i = 0; i < 5; i++) await c.collection('posts').create({ title: `post ${i}`, views: i, published: i % 2 === 0, author: ann.id, reviewers: [ann.id], owner: me.record.id, tags: ['a'] });
    const page = await c.collection('posts').list({
      filter: filter.gte('views', 1),
      sort: '-views',
      limit: 2,
      count: true,
      fields: ['title', 'views', 'author'],
      expand: ['author'],
    });
    expect(page.total).toBe(4);
    expect(page.items.map((p) => p.views)).toEqual([4, 3]);
    expect(page.items[0]!.expand?.author?.name).toBe('Ann');
    const all: string[] = [];
    for await (const post of c.collection('posts').iterate({ limit: 2, sort: 'views' })) all.push(post.title);
    expect(all).toEqual(['post 0', 'post 1', 'post 2', 'post 3', 'post 4']);
    const safe = await c.collection('posts').list({ filter: filter.eq('title', 'x" || views > -1 || title = "') });
    expect(safe.items).toEqual([]);
    const first = (await c.collection('posts').list({ sort: 'views', limit: 1 })).items[0]!;
    const got = await c.collection('posts').get(first.id, { expand: ['reviewers'] });
    expect(got.expand?.reviewers?.[0]?.name).toBe('Ann');
    const updated = await c.collection('posts').update(first.id, { title: 'renamed' });
    expect(updated.title).toBe('renamed');
    await expect(c.collection('posts').update(first.id, { title: 'stale' }, { ifMatch: '1.abc' })).rejects.toBeInstanceOf(PreconditionFailedError);
    await c.collection('posts').delete(first.id);
    await expect(c.collection('posts').get(first.id)).rejects.toBeInstanceOf(NotFoundError);
    const stranger = client();
    await expect(stranger.collection('posts').create({ title: 'x', owner: me.record.id })).rejects.toBeInstanceOf(ForbiddenError);
    const results = await c.batch([
      { action: 'create', collection: 'authors', data: { name: 'Bo' } },
      { action: 'create', collection: 'posts', data: { title: 'batched', owner: me.record.id } },
    ]);
    expect(results.map((r) => r.action)).toEqual(['create', 'create']);
    const graphql = await c.graphql<{ authors: { totalCount: number } }>('{ authors { totalCount } }');
    expect(graphql.data?.authors.totalCount).toBe(2);
    const broken = await c.graphql('{ nope }');
    expect(broken.errors?.[0]?.extensions?.code).toBe('INVALID_QUERY');
  });

  it('refreshes the token once for many concurrent requests', async () => {
    let refreshes = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).includes('/auth/refresh')) refreshes++;
      return fetch(input, init);
    };
    // A margin longer than the token's life: every request finds it "about to expire".
    const c = client({ fetch: counting, refreshMargin: 10_000 });
    await c.auth.signUp({ email: 'busy@example.com', password: 'busy passphrase' });
    const results = await Promise.all(Array.from({ length: 10 }, () => c.auth.me()));
    expect(results.every((r) => r.email === 'busy@example.com')).toBe(true);
    expect(refreshes).toBe(1);
    // Had each request refreshed on its own, the reuse detection would have ended the session.
    await c.transport.refresh();
    expect((await c.auth.me()).email).toBe('busy@example.com');
  });
});

describe('realtime', () => {
  it('keeps a live query equal to a fresh list through random writes', async () => {
    const c = client();
    const me = await c.auth.signUp({ email: 'live@example.com', password: 'live passphrase' });
    const options = { filter: filter.gte('views', 0).text, sort: '-views,title', limit: 5 };
    let latest: readonly Schema['posts']['record'][] = [];
    const live = c.realtime.liveQuery('posts', options, (items) => (latest = items));
    await c.realtime.sync();
    const ids: string[] = [];
    let seed = 3;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let step = 0; step < 60; step++) {
      if (ids.length < 3 || random(3) === 0) ids.push((await c.collection('posts').create({ title: `l${random(9)}`, views: random(20), owner: me.record.id, published: random(2) === 0 })).id);
      else if (random(2) === 0) await c.collection('posts').update(ids[random(ids.length)]!, { views: random(20) });
      else await c.collection('posts').delete(ids.splice(random(ids.length), 1)[0]!);
      await c.realtime.sync();
      expect(latest, `step ${step}`).toEqual((await c.collection('posts').list(options)).items);
    }
    expect(live.items).toBe(latest);
    live.stop();
  });

  it('follows one record and reports subscription errors', async () => {
    const c = client();
    const me = await c.auth.signUp({ email: 'follow@example.com', password: 'follow passphrase' });
    const post = await c.collection('posts').create({ title: 'followed', owner: me.record.id });
    const changes: string[] = [];
    const stop = c.realtime.subscribeRecord('posts', post.id, { onChange: (change) => changes.push(`${change.op}:${change.record.title}`) });
    await c.realtime.sync();
    await c.collection('posts').update(post.id, { title: 'followed 2' });
    await c.realtime.sync();
    expect(changes).toEqual(['update:followed 2']);
    stop();
    const errors: string[] = [];
    c.realtime.subscribe('posts', { filter: 'views >' }, { onChange: () => undefined, onError: (error) => errors.push(error.code) });
    await c.realtime.sync();
    expect(errors).toEqual(['INVALID_FILTER']);
  });

  it('forgets a session that ended elsewhere and goes on as anonymous with what the rules still allow', async () => {
    expect((await t.request('POST', '/api/collections', { name: 'bulletins', fields: [{ name: 'text', type: 'text' }], listRule: '', viewRule: '' })).status).toBe(201);
    // A collection the generated schema does not know: the client's type says so.
    const c = client() as unknown as CausewayClient<Schema & { bulletins: UntypedCollection }>;
    const me = await c.auth.signUp({ email: 'ended-elsewhere@example.com', password: 'ended passphrase' });
    const seen: unknown[] = [];
    c.realtime.subscribe('bulletins', {}, { onChange: (change) => seen.push(change.record.text) });
    await c.realtime.sync();
    expect(c.auth.isSignedIn).toBe(true);
    expect((await t.request('POST', `/api/collections/users/auth/accounts/${me.record.id}/sign-out`)).status).toBe(204);
    for (let i = 0; i < 100 && c.auth.isSignedIn; i++) await new Promise((r) => setTimeout(r, 10));
    expect(c.auth.isSignedIn).toBe(false);
    await c.realtime.sync();
    await t.request('POST', '/api/collections/bulletins/records', { text: 'for everyone' });
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['for everyone']);
  });

  it('gives each change the record version, which updates with ifMatch accept', async () => {
    expect((await t.request('POST', '/api/collections', { name: 'notices', fields: [{ name: 'text', type: 'text' }], listRule: '', viewRule: '', updateRule: '' })).status).toBe(201);
    const c = client() as unknown as CausewayClient<Schema & { notices: UntypedCollection }>;
    const changes: { id: string; version?: string }[] = [];
    c.realtime.subscribe('notices', {}, { onChange: (change) => changes.push({ id: String(change.record.id), ...(change.version ? { version: change.version } : {}) }) });
    await c.realtime.sync();
    await t.request('POST', '/api/collections/notices/records', { text: 'first' });
    for (let i = 0; i < 100 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const [created] = changes;
    expect(created?.version).toMatch(/\S/);
    const updated = await c.collection('notices').update(created!.id, { text: 'second' }, { ifMatch: created!.version! });
    expect(updated.text).toBe('second');
    await expect(c.collection('notices').update(created!.id, { text: 'stale' }, { ifMatch: created!.version! })).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('reconnects after a server restart and resumes without loss or duplicates', async () => {
    const own = await startTestServer();
    try {
      await own.request('POST', '/api/collections', { name: 'ticks', fields: [{ name: 'n', type: 'number' }], listRule: '', viewRule: '' });
      const c = createClient(own.url, { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
      const seen: number[] = [];
      c.realtime.subscribe('ticks', {}, { onChange: (change) => seen.push(Number(change.record.n)) });
      await c.realtime.sync();
      const write = (server: TestServer, n: number) => server.request('POST', '/api/collections/ticks/records', { n });
      for (let n = 0; n < 20; n++) await write(own, n);
      const dataDir = own.dataDir;
      const port = new URL(own.url).port;
      await own.stop(true);
      const again = await startTestServer({ dataDir, config: { port } });
      try {
        for (let n = 20; n < 40; n++) await write(again, n);
        for (let i = 0; i < 200 && seen.length < 40; i++) await new Promise((r) => setTimeout(r, 25));
        expect(seen).toEqual(Array.from({ length: 40 }, (_, n) => n));
      } finally {
        c.realtime.close();
        await again.stop();
      }
    } catch (error) {
      await own.stop().catch(() => undefined);
      throw error;
    }
  });
});
