import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

/**
 * The authorization matrix: two users, an anonymous client and an admin against collections with owner-only,
 * public-read, published-or-author and admin-only rules, on every operation.
 */
let t: TestServer;
let alice: Account;
let bob: Account;
const ids: Record<string, string> = {};
const bodies: string[] = [];

type Who = 'anonymous' | 'alice' | 'bob' | 'admin';
const as = (who: Who): Record<string, string> => (who === 'anonymous' ? anonymous : who === 'admin' ? {} : who === 'alice' ? alice.auth : bob.auth);

async function call(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await t.request(method, path, body, as(who));
  bodies.push(JSON.stringify(response.body ?? null));
  return response;
}

const records = (collection: string) => `/api/collections/${collection}/records`;

async function adminCreate(collection: string, key: string, data: Record<string, unknown>): Promise<void> {
  const response = await call('admin', 'POST', records(collection), data);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  ids[key] = response.body.id;
}

async function listIds(who: Who, collection: string, query = ''): Promise<string[] | number> {
  const response = await call(who, 'GET', `${records(collection)}${query}`);
  if (response.status !== 200) return response.status;
  return (response.body.items as { id: string }[]).map((r) => r.id).sort();
}

const named = (...keys: string[]) => keys.map((k) => ids[k]!).sort();

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com', { name: 'Alice' });
  bob = await signUp(t, 'bob@example.com', { name: 'Bob' });
  const owner = 'owner = @request.auth.id';
  const author = 'author = @request.auth.id';
  const definitions = [
    {
      name: 'notes',
      fields: [{ name: 'title', type: 'text' }, { name: 'owner', type: 'relation', collection: 'users', required: true }],
      listRule: owner, viewRule: owner, createRule: owner, updateRule: owner, deleteRule: owner,
    },
    { name: 'articles', fields: [{ name: 'title', type: 'text' }], listRule: '', viewRule: '' },
    {
      name: 'posts',
      fields: [{ name: 'title', type: 'text' }, { name: 'published', type: 'bool' }, { name: 'author', type: 'relation', collection: 'users' }],
      listRule: `published = true || ${author}`, viewRule: `published = true || ${author}`, createRule: author, updateRule: author, deleteRule: author,
    },
    { name: 'secrets', fields: [{ name: 'title', type: 'text' }] },
    {
      name: 'comments',
      fields: [{ name: 'text', type: 'text' }, { name: 'post', type: 'relation', collection: 'posts' }, { name: 'by', type: 'relation', collection: 'users' }],
      listRule: '', viewRule: '', createRule: '@request.auth.id != ""',
    },
  ];
  for (const definition of definitions) expect((await call('admin', 'POST', '/api/collections', definition)).status).toBe(201);
  await adminCreate('notes', 'aliceNote', { title: 'a', owner: alice.id });
  await adminCreate('notes', 'bobNote', { title: 'b', owner: bob.id });
  await adminCreate('articles', 'article', { title: 'hello' });
  await adminCreate('posts', 'alicePublished', { title: 'p1', published: true, author: alice.id });
  await adminCreate('posts', 'aliceDraft', { title: 'd1', published: false, author: alice.id });
  await adminCreate('posts', 'bobDraft', { title: 'd2', published: false, author: bob.id });
  await adminCreate('secrets', 'secret', { title: 's' });
  await adminCreate('comments', 'onDraft', { text: 'c1', post: ids.aliceDraft, by: alice.id });
  await adminCreate('comments', 'onPublished', { text: 'c2', post: ids.alicePublished, by: bob.id });
});

afterAll(async () => {
  await t?.stop();
});

describe('list', () => {
  it('returns exactly the records each caller may see', async () => {
    const expected: Record<string, Record<Who, string[] | number>> = {
      notes: { anonymous: [], alice: named('aliceNote'), bob: named('bobNote'), admin: named('aliceNote', 'bobNote') },
      articles: { anonymous: named('article'), alice: named('article'), bob: named('article'), admin: named('article') },
      posts: {
        anonymous: named('alicePublished'),
        alice: named('alicePublished', 'aliceDraft'),
        bob: named('alicePublished', 'bobDraft'),
        admin: named('alicePublished', 'aliceDraft', 'bobDraft'),
      },
      secrets: { anonymous: 403, alice: 403, bob: 403, admin: named('secret') },
    };
    for (const [collection, byWho] of Object.entries(expected)) {
      for (const [who, want] of Object.entries(byWho)) {
        expect(await listIds(who as Who, collection), `${who} lists ${collection}`).toEqual(want);
      }
    }
  });

  it('counts and pages only permitted records', async () => {
    const counted = await call('bob', 'GET', `${records('posts')}?count=true&limit=1`);
    expect(counted.body.total).toBe(2);
    const second = await call('bob', 'GET', `${records('posts')}?limit=1&after=${encodeURIComponent(counted.body.nextCursor)}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([counted.body.items[0].id, second.body.items[0].id].sort()).toEqual(named('alicePublished', 'bobDraft'));
  });

  it('a client filter cannot widen what the rule allows', async () => {
    expect(await listIds('bob', 'posts', `?filter=${encodeURIComponent('published = false || published = true')}`)).toEqual(named('alicePublished', 'bobDraft'));
  });

  it('users see only themselves in the users collection', async () => {
    expect(await listIds('alice', 'users')).toEqual([alice.id]);
    expect(await listIds('anonymous', 'users')).toEqual([]);
  });
});

describe('view', () => {
  it('answers 404 for a record the view rule hides, 403 for an admins-only collection', async () => {
    const cases: [Who, string, string, number][] = [
      ['alice', 'notes', 'aliceNote', 200],
      ['bob', 'notes', 'aliceNote', 404],
      ['anonymous', 'notes', 'aliceNote', 404],
      ['bob', 'posts', 'aliceDraft', 404],
      ['bob', 'posts', 'alicePublished', 200],
      ['alice', 'posts', 'aliceDraft', 200],
      ['anonymous', 'articles', 'article', 200],
      ['alice', 'secrets', 'secret', 403],
      ['anonymous', 'secrets', 'secret', 403],
      ['admin', 'secrets', 'secret', 200],
    ];
    for (const [who, collection, key, status] of cases) {
      const response = await call(who, 'GET', `${records(collection)}/${ids[key]}`);
      expect(response.status, `${who} views ${collection}/${key}`).toBe(status);
      if (status === 404) expect(response.body.code).toBe('RECORD_NOT_FOUND');
      if (status === 403) expect(response.body.code).toBe('FORBIDDEN');
    }
  });

  it('a hidden record looks exactly like a missing one', async () => {
    const hidden = await call('bob', 'GET', `${records('notes')}/${ids.aliceNote}`);
    const missing = await call('bob', 'GET', `${records('notes')}/${ids.aliceNote}x`);
    expect(hidden.status).toBe(missing.status);
    expect(hidden.body.detail.replace(ids.aliceNote!, 'ID')).toBe(missing.body.detail.replace(`${ids.aliceNote}x`, 'ID'));
  });
});

describe('expand', () => {
  it('never includes a related record the caller may not view', async () => {
    const expanded = async (who: Who) => {
      const { body } = await call(who, 'GET', `${records('comments')}?expand=post,by`);
      return Object.fromEntries((body.items as Json[]).map((c) => [c.text, { post: c.expand?.post?.id ?? null, by: c.expand?.by?.id ?? null }]));
    };
    expect(await expanded('anonymous')).toEqual({ c1: { post: null, by: null }, c2: { post: ids.alicePublished, by: null } });
    expect(await expanded('bob')).toEqual({ c1: { post: null, by: null }, c2: { post: ids.alicePublished, by: bob.id } });
    expect(await expanded('alice')).toEqual({ c1: { post: ids.aliceDraft, by: alice.id }, c2: { post: ids.alicePublished, by: null } });
    const one = await call('bob', 'GET', `${records('comments')}/${ids.onDraft}?expand=post`);
    expect(one.status).toBe(200);
    expect(one.body.expand).toBeUndefined();
  });
});

describe('create', () => {
  it('checks the create rule against the record as it would be stored', async () => {
    const own = await call('alice', 'POST', records('notes'), { title: 'mine', owner: alice.id });
    expect(own.status).toBe(201);
    const forBob = await call('alice', 'POST', records('notes'), { title: 'for bob', owner: bob.id });
    expect(forBob.status).toBe(403);
    expect(forBob.body.code).toBe('FORBIDDEN');
    expect(await listIds('bob', 'notes')).toEqual(named('bobNote'));
    expect((await call('anonymous', 'POST', records('notes'), { title: 'x', owner: alice.id })).status).toBe(403);
    expect((await call('alice', 'POST', records('articles'), { title: 'x' })).status).toBe(403);
    expect((await call('alice', 'POST', records('secrets'), { title: 'x' })).status).toBe(403);
    expect((await call('anonymous', 'POST', records('comments'), { text: 'x' })).status).toBe(403);
    expect((await call('bob', 'POST', records('comments'), { text: 'x', by: bob.id })).status).toBe(201);
    await call('alice', 'DELETE', `${records('notes')}/${own.body.id}`);
  });
});

describe('update', () => {
  it('answers 404 for records the caller cannot see and 403 for visible ones it may not change', async () => {
    const hidden = await call('alice', 'PATCH', `${records('notes')}/${ids.bobNote}`, { title: 'x' });
    expect(hidden.status).toBe(404);
    const visible = await call('bob', 'PATCH', `${records('posts')}/${ids.alicePublished}`, { title: 'x' });
    expect(visible.status).toBe(403);
    expect((await call('alice', 'PATCH', `${records('articles')}/${ids.article}`, { title: 'x' })).status).toBe(403);
    const post = await call('alice', 'GET', `${records('posts')}/${ids.alicePublished}`);
    expect(post.body.title).toBe('p1');
  });

  it('lets a user change its own record but not hand it to someone else', async () => {
    const renamed = await call('alice', 'PATCH', `${records('notes')}/${ids.aliceNote}`, { title: 'renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('renamed');
    const handed = await call('alice', 'PATCH', `${records('notes')}/${ids.aliceNote}`, { owner: bob.id });
    expect(handed.status).toBe(403);
    const after = await call('admin', 'GET', `${records('notes')}/${ids.aliceNote}`);
    expect(after.body.owner).toBe(alice.id);
    expect(await listIds('bob', 'notes')).toEqual(named('bobNote'));
  });

  it('refuses read-only account fields to users but not to admins', async () => {
    const self = await call('alice', 'PATCH', `${records('users')}/${alice.id}`, { verified: true, name: 'Al' });
    expect(self.status).toBe(422);
    expect(self.body.errors.verified.code).toBe('read_only');
    expect((await call('alice', 'PATCH', `${records('users')}/${alice.id}`, { name: 'Al' })).status).toBe(200);
    expect((await call('alice', 'PATCH', `${records('users')}/${bob.id}`, { name: 'Al' })).status).toBe(404);
    expect((await call('admin', 'PATCH', `${records('users')}/${bob.id}`, { verified: false })).status).toBe(200);
  });
});

describe('delete', () => {
  it('follows the delete rule with the same 404 / 403 split', async () => {
    expect((await call('alice', 'DELETE', `${records('notes')}/${ids.bobNote}`)).status).toBe(404);
    expect((await call('bob', 'DELETE', `${records('posts')}/${ids.alicePublished}`)).status).toBe(403);
    expect((await call('anonymous', 'DELETE', `${records('secrets')}/${ids.secret}`)).status).toBe(403);
    const extra = await call('bob', 'POST', records('notes'), { title: 'temp', owner: bob.id });
    expect((await call('bob', 'DELETE', `${records('notes')}/${extra.body.id}`)).status).toBe(204);
  });
});

describe('batch', () => {
  it('applies rules to every operation and keeps nothing when one is refused', async () => {
    const refused = await call('alice', 'POST', '/api/batch', {
      operations: [
        { action: 'create', collection: 'notes', data: { title: 'batched', owner: alice.id } },
        { action: 'update', collection: 'notes', id: ids.bobNote, data: { title: 'stolen' } },
      ],
    });
    expect(refused.status).toBe(404);
    expect(refused.body.operation).toBe(1);
    expect(await listIds('alice', 'notes')).toEqual(named('aliceNote'));
    const forbidden = await call('bob', 'POST', '/api/batch', { operations: [{ action: 'delete', collection: 'posts', id: ids.alicePublished }] });
    expect(forbidden.status).toBe(403);
    const allowed = await call('alice', 'POST', '/api/batch', { operations: [{ action: 'create', collection: 'notes', data: { title: 'ok', owner: alice.id } }] });
    expect(allowed.status).toBe(200);
    await call('alice', 'DELETE', `${records('notes')}/${allowed.body.results[0].record.id}`);
  });
});

describe('hidden fields', () => {
  it('cannot be filtered or sorted on, directly or through a relation', async () => {
    for (const who of ['alice', 'admin'] as Who[]) {
      const direct = await call(who, 'GET', `${records('users')}?filter=${encodeURIComponent('passwordHash ~ "scrypt"')}`);
      expect(direct.status).toBe(400);
      expect(direct.body.code).toBe('INVALID_FILTER');
      const through = await call(who, 'GET', `${records('notes')}?filter=${encodeURIComponent('owner.passwordHash != ""')}`);
      expect(through.status).toBe(400);
      expect((await call(who, 'GET', `${records('users')}?sort=passwordHash`)).status).toBe(400);
    }
  });

  it('cannot be written through the records API, even by an admin', async () => {
    const response = await call('admin', 'PATCH', `${records('users')}/${alice.id}`, { passwordHash: 'x' });
    expect(response.status).toBe(422);
    expect(response.body.errors.passwordHash.code).toBe('unknown_field');
  });

  it('a password hash never appears in any response', async () => {
    await call('admin', 'GET', `${records('users')}`);
    await call('admin', 'GET', `${records('notes')}?expand=owner`);
    await call('alice', 'GET', '/api/collections/users/auth/me');
    await call('admin', 'GET', '/api/openapi.json');
    expect(bodies.length).toBeGreaterThan(50);
    for (const body of bodies) {
      expect(body).not.toMatch(/scrypt\$/);
      expect(body).not.toMatch(/"passwordHash":"/);
    }
  });
});

describe('rules are checked when saved', () => {
  it('rejects a rule naming an unknown field, with its position', async () => {
    const response = await call('admin', 'PATCH', '/api/collections/posts', { listRule: 'published = true || writer = @request.auth.id' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_SCHEMA');
    expect(response.body.errors.listRule).toMatchObject({ code: 'invalid_rule', position: 20 });
    expect(response.body.errors.listRule.message).toContain("unknown field 'writer'");
  });

  it('rejects unknown variables and body fields, and accepts the documented ones', async () => {
    const bad = await call('admin', 'PATCH', '/api/collections/posts', { createRule: '@request.body.nope = 1', updateRule: '@request.user = ""' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.errors).sort()).toEqual(['createRule', 'updateRule']);
    const good = await call('admin', 'PATCH', '/api/collections/posts', {
      createRule: 'author = @request.auth.id && @request.body.published != true && @request.method = "POST" && @request.auth.verified = false',
    });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect((await call('alice', 'POST', records('posts'), { title: 'x', author: alice.id, published: true })).status).toBe(403);
    expect((await call('alice', 'POST', records('posts'), { title: 'x', author: alice.id })).status).toBe(201);
  });
});

describe('collections management', () => {
  it('is for admins only', async () => {
    expect((await call('anonymous', 'GET', '/api/collections')).status).toBe(401);
    expect((await call('alice', 'GET', '/api/collections')).status).toBe(403);
    expect((await call('alice', 'POST', '/api/collections', { name: 'mine' })).status).toBe(403);
    expect((await call('alice', 'GET', '/api/schema')).status).toBe(403);
    expect((await call('anonymous', 'GET', '/api/field-types')).status).toBe(401);
    expect((await call('alice', 'GET', '/api/field-types')).status).toBe(403);
    expect((await call('admin', 'GET', '/api/field-types')).status).toBe(200);
    expect((await call('admin', 'GET', '/api/collections')).status).toBe(200);
  });
});

describe('rules through relations', () => {
  it('lets team members see and edit team documents but not move them to another team', async () => {
    expect((await call('admin', 'POST', '/api/collections', { name: 'teams', fields: [{ name: 'members', type: 'relation', collection: 'users', multiple: true }] })).status).toBe(201);
    const member = 'team.members ~ @request.auth.id';
    const docs = await call('admin', 'POST', '/api/collections', {
      name: 'docs',
      fields: [{ name: 'title', type: 'text' }, { name: 'team', type: 'relation', collection: 'teams' }],
      listRule: member, viewRule: member, updateRule: `${member} && @request.body.team = null`,
    });
    expect(docs.status, JSON.stringify(docs.body)).toBe(201);
    await adminCreate('teams', 'aliceTeam', { members: [alice.id] });
    await adminCreate('teams', 'bothTeam', { members: [alice.id, bob.id] });
    await adminCreate('docs', 'aliceDoc', { title: 'a', team: ids.aliceTeam });
    await adminCreate('docs', 'sharedDoc', { title: 's', team: ids.bothTeam });
    expect(await listIds('alice', 'docs')).toEqual(named('aliceDoc', 'sharedDoc'));
    expect(await listIds('bob', 'docs')).toEqual(named('sharedDoc'));
    expect(await listIds('anonymous', 'docs')).toEqual([]);
    expect((await call('bob', 'PATCH', `${records('docs')}/${ids.sharedDoc}`, { title: 'edited' })).status).toBe(200);
    expect((await call('bob', 'PATCH', `${records('docs')}/${ids.sharedDoc}`, { team: ids.aliceTeam })).status).toBe(403);
    expect((await call('bob', 'PATCH', `${records('docs')}/${ids.aliceDoc}`, { title: 'x' })).status).toBe(404);
  });
});
