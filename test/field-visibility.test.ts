import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typescriptTypes } from '../packages/server/src/codegen/typescript-types.js';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { realtimeClients, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

/*
 * Per-field visibility, as attacks: a user's email is the account's own (and admins'), a `notes` field of users is
 * for admins only, and `name` is for everyone who may view the record. Peers open the `users` view rule, so
 * anything a field's visibility keeps back must stay back on every surface: reads, lists, expand, filters and sorts
 * (no oracle), realtime, live queries, GraphQL, OpenAPI and the generated types.
 */
let t: TestServer;
let alice: Account;
let bob: Account;
let post: string;
const { open, closeAll } = realtimeClients(() => t);
const records = (collection: string) => `/api/collections/${collection}/records`;
const secrets = ['alice@example.com', 'bob@example.com', 'alice-admin-note'];

/** The response must hold none of the values visibility keeps from bob. */
function expectNoLeak(body: unknown): void {
  const text = JSON.stringify(body);
  for (const secret of secrets.filter((s) => !s.startsWith('bob'))) expect(text).not.toContain(secret);
}

async function gql(query: string, headers: Record<string, string>): Promise<Json> {
  return (await t.request('POST', '/api/graphql', { query }, { accept: 'application/graphql-response+json', ...headers })).body;
}

async function subscribe(client: RealtimeClient, message: Json): Promise<Json> {
  client.send({ type: 'subscribe', ...message });
  return client.next((m) => m.sub === message.sub && ['subscribed', 'snapshot', 'error'].includes(m.type));
}

beforeAll(async () => {
  t = await startTestServer();
  const fields = [{ name: 'name', type: 'text' }, { name: 'notes', type: 'text', visibility: 'admins' }];
  const opened = await t.request('PATCH', '/api/collections/users', { fields, listRule: '', viewRule: '' });
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  alice = await signUp(t, 'alice@example.com', { name: 'Alice' });
  bob = await signUp(t, 'bob@example.com', { name: 'Bob' });
  expect((await t.request('PATCH', `${records('users')}/${alice.id}`, { notes: 'alice-admin-note' })).status).toBe(200);
  expect((await t.request('POST', '/api/collections', {
    name: 'posts',
    fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collection: 'users' }],
    listRule: '', viewRule: '', createRule: 'author = @request.auth.id',
  })).status).toBe(201);
  post = (await t.request('POST', records('posts'), { title: 'hello', author: alice.id }, alice.auth)).body.id;
});

afterAll(async () => {
  await closeAll();
  await t?.stop();
});

describe('field visibility in collection definitions', () => {
  it('makes an auth collection email owner-only by default, and keeps the admins-only field', async () => {
    const users = (await t.request('GET', '/api/collections/users')).body;
    expect(users.fields.find((f: Json) => f.name === 'email').visibility).toBe('owner');
    expect(users.fields.find((f: Json) => f.name === 'notes').visibility).toBe('admins');
    expect(users.fields.find((f: Json) => f.name === 'name')).not.toHaveProperty('visibility');
  });

  it('refuses owner visibility on a base collection, and unknown visibilities', async () => {
    const owner = await t.request('POST', '/api/collections', { name: 'things', fields: [{ name: 'x', type: 'text', visibility: 'owner' }] });
    expect(owner.status).toBe(400);
    expect(owner.body.code).toBe('INVALID_SCHEMA');
    expect(JSON.stringify(owner.body)).toContain("'owner' visibility is only for fields of auth collections");
    const unknown = await t.request('POST', '/api/collections', { name: 'things', fields: [{ name: 'x', type: 'text', visibility: 'friends' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('INVALID_SCHEMA');
  });
});

describe('field visibility on REST reads', () => {
  it('shows a peer the name but not the email or admins-only field, in reads and lists', async () => {
    const read = await t.request('GET', `${records('users')}/${alice.id}`, undefined, bob.auth);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Alice');
    expect(read.body).not.toHaveProperty('email');
    expect(read.body).not.toHaveProperty('notes');
    const list = await t.request('GET', `${records('users')}?sort=created`, undefined, bob.auth);
    expect(list.body.items.map((u: Json) => u.name)).toEqual(['Alice', 'Bob']);
    expectNoLeak(list.body);
    // Bob's own record carries his own email, but not his admins-only field.
    expect(list.body.items[1].email).toBe('bob@example.com');
    expect(list.body.items[1]).not.toHaveProperty('notes');
    const selected = await t.request('GET', `${records('users')}/${alice.id}?fields=id,email,notes`, undefined, bob.auth);
    expect(selected.body).toEqual({ id: alice.id });
    expectNoLeak(await t.request('GET', `${records('users')}/${alice.id}`, undefined, anonymous));
  });

  it('shows the owner its email and admins everything', async () => {
    const own = await t.request('GET', `${records('users')}/${alice.id}`, undefined, alice.auth);
    expect(own.body.email).toBe('alice@example.com');
    expect(own.body).not.toHaveProperty('notes');
    const admin = await t.request('GET', `${records('users')}/${alice.id}`);
    expect(admin.body).toMatchObject({ email: 'alice@example.com', notes: 'alice-admin-note' });
    const me = await t.request('GET', '/api/collections/users/auth/me', undefined, alice.auth);
    expect(me.body.record?.email ?? me.body.email).toBe('alice@example.com');
  });

  it('hides a related user’s email through expand', async () => {
    const read = await t.request('GET', `${records('posts')}/${post}?expand=author`, undefined, bob.auth);
    expect(read.body.expand.author.name).toBe('Alice');
    expectNoLeak(read.body);
    const list = await t.request('GET', `${records('posts')}?expand=author&fields=id,expand.author.email`, undefined, bob.auth);
    expectNoLeak(list.body);
    const own = await t.request('GET', `${records('posts')}/${post}?expand=author`, undefined, alice.auth);
    expect(own.body.expand.author.email).toBe('alice@example.com');
  });

  it('leaves no email in a write’s answer to a non-owner', async () => {
    const written = await t.request('POST', records('posts'), { title: 'again', author: alice.id }, alice.auth);
    expect(written.status).toBe(201);
    const peerPost = await t.request('POST', records('posts'), { title: 'bob', author: bob.id }, bob.auth);
    expectNoLeak(peerPost.body);
  });
});

describe('no filter or sort oracle', () => {
  async function refusal(query: string, auth: Record<string, string>): Promise<{ status: number; code: string; detail: string }> {
    const response = await t.request('GET', `${records('users')}?${query}`, undefined, auth);
    return { status: response.status, code: response.body.code, detail: response.body.detail };
  }

  it('answers a filter on a field the caller may not read exactly like one on an unknown field', async () => {
    for (const auth of [bob.auth, anonymous, alice.auth]) {
      for (const field of ['email', 'notes']) {
        const probe = await refusal(`filter=${encodeURIComponent(`${field} = "alice@example.com"`)}`, auth);
        const unknown = await refusal(`filter=${encodeURIComponent('nosuch = "alice@example.com"')}`, auth);
        expect(probe.status).toBe(400);
        expect(probe.code).toBe(unknown.code);
        expect(probe.detail).toBe(unknown.detail.replace('nosuch', field));
      }
    }
  });

  it('refuses a sort by a field the caller may not read like one by an unknown field', async () => {
    const probe = await refusal('sort=email', bob.auth);
    const unknown = await refusal('sort=nosuch', bob.auth);
    expect(probe.status).toBe(400);
    expect(probe.code).toBe('INVALID_SORT');
    expect(probe.detail).toBe(unknown.detail.replace('nosuch', 'email'));
  });

  it('refuses a filter through a relation to a field the caller may not read', async () => {
    const response = await t.request('GET', `${records('posts')}?filter=${encodeURIComponent('author.email ~ "a"')}`, undefined, bob.auth);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_FILTER');
    expect(response.body.detail).toContain("unknown field 'email' in collection 'users'");
  });

  it('lets admins filter and sort by every field', async () => {
    const response = await t.request('GET', `${records('users')}?filter=${encodeURIComponent('email = "alice@example.com"')}&sort=-email`);
    expect(response.status).toBe(200);
    expect(response.body.items.map((u: Json) => u.id)).toEqual([alice.id]);
    const through = await t.request('GET', `${records('posts')}?filter=${encodeURIComponent('author.notes = "alice-admin-note"')}`);
    expect(through.body.items.length).toBeGreaterThan(0);
  });
});

describe('field visibility in realtime', () => {
  it('sends each subscriber what REST would: the owner its email, peers none', async () => {
    const [a, b, anon] = [await open(alice.token), await open(bob.token), await open()];
    for (const client of [a, b, anon]) expect((await subscribe(client, { sub: 'u', kind: 'collection', collection: 'users' })).type).toBe('subscribed');
    await t.request('PATCH', `${records('users')}/${alice.id}`, { name: 'Alice 2' }, alice.auth);
    const [forAlice, forBob, forAnon] = await Promise.all([a, b, anon].map((c) => c.next((m) => m.type === 'event' && m.record.id === alice.id)));
    expect(forAlice.record.email).toBe('alice@example.com');
    expect(forAlice.record).not.toHaveProperty('notes');
    expect(forBob.record.name).toBe('Alice 2');
    expectNoLeak(forBob);
    expectNoLeak(forAnon);
  });

  it('hides an expanded author’s email in events', async () => {
    const b = await open(bob.token);
    await subscribe(b, { sub: 'p', kind: 'collection', collection: 'posts', expand: ['author'] });
    await t.request('POST', records('posts'), { title: 'live', author: alice.id }, alice.auth);
    const event = await b.next((m) => m.type === 'event' && m.sub === 'p');
    expect(event.record.expand.author.name).toBe('Alice 2');
    expectNoLeak(event);
  });

  it('refuses subscriptions and live queries that filter or sort by a field the caller may not read', async () => {
    const b = await open(bob.token);
    const filtered = await subscribe(b, { sub: 'f', kind: 'collection', collection: 'users', filter: 'email ~ "alice"' });
    expect(filtered).toMatchObject({ type: 'error', problem: { code: 'INVALID_FILTER' } });
    const sorted = await subscribe(b, { sub: 's', kind: 'query', collection: 'users', sort: 'email', limit: 5 });
    expect(sorted).toMatchObject({ type: 'error', problem: { code: 'INVALID_SORT' } });
    const through = await subscribe(b, { sub: 'r', kind: 'query', collection: 'posts', filter: 'author.notes ~ "a"', limit: 5 });
    expect(through).toMatchObject({ type: 'error', problem: { code: 'INVALID_FILTER' } });
  });

  it('keeps emails out of a live query’s snapshot and changes, except the caller’s own', async () => {
    const b = await open(bob.token);
    const snapshot = await subscribe(b, { sub: 'q', kind: 'query', collection: 'users', sort: 'created', limit: 10, expand: [] });
    expect(snapshot.type).toBe('snapshot');
    expectNoLeak(snapshot);
    expect(JSON.stringify(snapshot)).toContain('bob@example.com');
    await t.request('PATCH', `${records('users')}/${alice.id}`, { name: 'Alice 3' }, alice.auth);
    const change = await b.next((m) => m.sub === 'q' && m.type !== 'snapshot');
    expect(JSON.stringify(change)).toContain('Alice 3');
    expectNoLeak(change);
  });
});

describe('field visibility in GraphQL', () => {
  it('answers null for a field the caller may not read, and the value to its owner and admins', async () => {
    const query = `{ usersById(id: "${alice.id}") { name email notes } }`;
    const forBob = await gql(query, bob.auth);
    expect(forBob.errors).toBeUndefined();
    expect(forBob.data.usersById).toEqual({ name: 'Alice 3', email: null, notes: null });
    expect((await gql(query, alice.auth)).data.usersById).toEqual({ name: 'Alice 3', email: 'alice@example.com', notes: null });
    expect((await gql(query, {})).data.usersById).toEqual({ name: 'Alice 3', email: 'alice@example.com', notes: 'alice-admin-note' });
  });

  it('hides the email of a related user and refuses where and orderBy on it', async () => {
    const related = await gql(`{ postsById(id: "${post}") { author { name email } } }`, bob.auth);
    expect(related.data.postsById.author).toEqual({ name: 'Alice 3', email: null });
    const where = await gql('{ users(where: { email: { eq: "alice@example.com" } }) { totalCount } }', bob.auth);
    expect(where.errors?.[0]?.extensions?.code).toBe('INVALID_FILTER');
    expect(where.data?.users ?? null).toBeNull();
    const order = await gql('{ users(orderBy: [{ field: email, direction: ASC }]) { totalCount } }', bob.auth);
    expect(order.errors?.[0]?.extensions?.code).toBe('INVALID_SORT');
  });
});

describe('field visibility in the OpenAPI document and the generated types', () => {
  it('marks restricted fields as optional and says who may read them', async () => {
    const document = (await t.request('GET', '/api/openapi.json')).body;
    const record = document.components.schemas.usersRecord;
    expect(record.required).not.toContain('email');
    expect(record.required).not.toContain('notes');
    expect(record.required).toContain('name');
    expect(record.properties.email.description).toMatch(/owner/i);
    expect(record.properties.notes.description).toMatch(/admin/i);
  });

  it('types restricted fields as optional in the generated client types', async () => {
    const collections = (await t.request('GET', '/api/collections')).body.items;
    const types = typescriptTypes(collections);
    expect(types).toMatch(/email\?: string;/);
    expect(types).toMatch(/notes\?: string \| null;/);
    expect(types).toMatch(/ name: string \| null;/);
  });
});
