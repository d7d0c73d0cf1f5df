import { cacheExchange, createClient as createUrql, fetchExchange, gql } from '@urql/core';
import { serverAudits } from 'graphql-http';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, bearer, signUp, type Account } from './support/accounts.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';
import { countStatements } from './support/statements.js';

let t: TestServer;
let alice: Account;
let bob: Account;

async function gqlRequest(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  return t.request('POST', '/api/graphql', { query, ...(variables ? { variables } : {}) }, { accept: 'application/graphql-response+json', ...headers });
}

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com');
  bob = await signUp(t, 'bob@example.com');
  await t.request('POST', '/api/collections', { name: 'authors', fields: [{ name: 'name', type: 'text', required: true }], listRule: '', viewRule: '' });
  await t.request('POST', '/api/collections', {
    name: 'posts',
    listRule: '', viewRule: '',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'views', type: 'number', integer: true, min: 0, max: 1000000 },
      { name: 'rating', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'datetime' },
      { name: 'contact', type: 'email' },
      { name: 'link', type: 'url' },
      { name: 'status', type: 'select', values: ['draft', 'in-review', 'live'] },
      { name: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
      { name: 'meta', type: 'json' },
      { name: 'author', type: 'relation', collection: 'authors' },
      { name: 'reviewers', type: 'relation', collection: 'authors', multiple: true },
    ],
  });
  await t.request('POST', '/api/collections', {
    name: 'notes',
    fields: [{ name: 'text', type: 'text' }, { name: 'owner', type: 'relation', collection: 'users' }],
    listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id', createRule: 'owner = @request.auth.id', updateRule: 'owner = @request.auth.id', deleteRule: 'owner = @request.auth.id',
  });
});

afterAll(async () => {
  await t?.stop();
});

describe('GraphQL over HTTP', () => {
  it('passes every MUST audit of graphql-http', async () => {
    const failures: string[] = [];
    for (const audit of serverAudits({ url: `${t.url}/api/graphql`, fetchFn: fetch })) {
      const result = await audit.fn();
      if (audit.name.startsWith('MUST') && result.status !== 'ok') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });

  it('never answers malformed queries or variables with a 500', async () => {
    const cases: [unknown, number][] = [
      ['{not json', 400],
      [{ query: '{ posts { ' }, 400],
      [{ query: 'query ($n: Int) { posts(first: $n) { totalCount } }', variables: { n: 'many' } }, 200],
      [{ query: '{ posts { edges { node { nope } } } }' }, 400],
      [{ query: 12 }, 400],
      [{ query: '{ posts(first: 100000) { totalCount } }' }, 200],
    ];
    for (const [body, status] of cases) {
      const response = await t.request('POST', '/api/graphql', body, { accept: 'application/graphql-response+json' });
      expect(response.status, JSON.stringify(body)).toBe(status);
      // Every error carries a code, whether it came from parsing, validation, variables or the core.
      if (status === 200) expect(response.body.errors[0].extensions.code).toMatch(/^(INVALID_QUERY|BAD_REQUEST)$/);
      else expect(response.status).toBeLessThan(500);
    }
  });
});

describe('queries and mutations', () => {
  it('create, read, update and delete every field type', async () => {
    const author = await gqlRequest('mutation { createAuthors(data: { name: "Ann" }) { id name } }');
    const ann = author.body.data.createAuthors.id;
    const created = await gqlRequest(
      `mutation ($data: PostsCreateInput!) { createPosts(data: $data) { id title views rating published day at contact link status tags meta authorId author { name } reviewersIds reviewers { totalCount edges { node { name } } } } }`,
      { data: { title: 'Hello', views: 3, rating: 4.5, published: true, day: '2026-11-25', at: '2026-11-25T10:00:00+01:00', contact: 'a@example.com', link: 'https://example.com', status: 'in_review', tags: ['a', 'b'], meta: { x: [1] }, author: ann, reviewers: [ann] } },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const post = created.body.data.createPosts;
    expect(post).toMatchObject({ title: 'Hello', views: 3, rating: 4.5, published: true, day: '2026-11-25', at: '2026-11-25T09:00:00.000Z', status: 'in_review', tags: ['a', 'b'], meta: { x: [1] }, authorId: ann, author: { name: 'Ann' }, reviewersIds: [ann], reviewers: { totalCount: 1, edges: [{ node: { name: 'Ann' } }] } });
    const rest = await t.request('GET', `/api/collections/posts/records/${post.id}`);
    expect(rest.body.status).toBe('in-review');
    const updated = await gqlRequest(`mutation { updatePosts(id: "${post.id}", data: { views: 4, status: live }) { views status } }`);
    expect(updated.body.data.updatePosts).toEqual({ views: 4, status: 'live' });
    const stale = await gqlRequest(`mutation { updatePosts(id: "${post.id}", data: { views: 5 }, ifMatch: "1.x") { views } }`);
    expect(stale.body.errors[0].extensions.code).toBe('PRECONDITION_FAILED');
    const invalid = await gqlRequest(`mutation { createPosts(data: { title: "", views: -1 }) { id } }`);
    expect(invalid.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', errors: { views: { code: expect.any(String) } } });
    const byId = await gqlRequest(`{ postsById(id: "${post.id}") { title authorsByNothing: author { postsByAuthor { totalCount } } } }`);
    expect(byId.body.data.postsById.authorsByNothing.postsByAuthor.totalCount).toBe(1);
    const deleted = await gqlRequest(`mutation { deletePosts(id: "${post.id}") { id seq } }`);
    expect(deleted.body.data.deletePosts).toMatchObject({ id: post.id, seq: expect.any(Number) });
    expect((await gqlRequest(`{ postsById(id: "${post.id}") { id } }`)).body.data.postsById).toBeNull();
  });

  it('filters with typed where and text filter, sorts and pages with cursors', async () => {
    for (let i = 0; i < 7; i++) await gqlRequest(`mutation { createPosts(data: { title: "p${i}", views: ${i * 10}, published: ${i % 2 === 0} }) { id } }`);
    const page = async (after?: string) =>
      (await gqlRequest(`query ($after: String) { posts(where: { published: { eq: true }, views: { gte: 0 } }, filter: "title ~ \\"p\\"", orderBy: [{ field: views, direction: DESC }], first: 2, after: $after) { totalCount edges { cursor node { title views } } pageInfo { hasNextPage endCursor } } }`, { after })).body.data.posts;
    const first = await page();
    expect(first.totalCount).toBe(4);
    expect(first.edges.map((e: Json) => e.node.title)).toEqual(['p6', 'p4']);
    const second = await page(first.pageInfo.endCursor);
    expect(second.edges.map((e: Json) => e.node.title)).toEqual(['p2', 'p0']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const fromEdge = await page(first.edges[0].cursor);
    expect(fromEdge.edges[0].node.title).toBe('p4');
    const or = await gqlRequest('{ posts(where: { OR: [{ views: { eq: 10 } }, { views: { eq: 30 } }], NOT: { title: { contains: "zzz" } } }) { edges { node { title } } } }');
    expect(or.body.data.posts.edges.map((e: Json) => e.node.title).sort()).toEqual(['p1', 'p3']);
    const badFilter = await gqlRequest('{ posts(filter: "views >") { totalCount } }');
    expect(badFilter.body.errors[0].extensions).toMatchObject({ code: 'INVALID_FILTER', position: expect.any(Number) });
  });

  it('loads relations for 5 or 50 records in the same number of statements', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await gqlRequest(`mutation { createAuthors(data: { name: "a${i}" }) { id } }`)).body.data.createAuthors.id);
    const batch = Array.from({ length: 50 }, (_, i) => ({ action: 'create', collection: 'posts', data: { title: `r${i}`, author: ids[i % 5], reviewers: [ids[(i + 1) % 5], ids[(i + 2) % 5]] } }));
    await t.request('POST', '/api/batch', { operations: batch });
    const count = async (first: number) => {
      await gqlRequest('{ __typename }');
      const { statements, result: response } = await countStatements(t.server.db, () =>
        gqlRequest(`{ posts(filter: "title ~ \\"r\\"", first: ${first}) { edges { node { title author { name } reviewers { edges { node { name } } } } } } }`),
      );
      expect(response.body.data.posts.edges).toHaveLength(first);
      expect(response.body.data.posts.edges[0].node.author.name).toMatch(/^a/);
      return statements;
    };
    const few = await count(5);
    expect(await count(50)).toBe(few);
    // The page, then one load for every author: to-one and to-many relations into one collection share a batch.
    expect(few).toBe(2);
  });
});

describe('rules', () => {
  it('apply exactly as in REST: hidden records are absent or null, forbidden writes carry the REST code', async () => {
    const mine = await gqlRequest(`mutation { createNotes(data: { text: "alice's", owner: "${alice.id}" }) { id } }`, undefined, alice.auth);
    expect(mine.status).toBe(200);
    const noteId = mine.body.data.createNotes.id;
    const forBob = await gqlRequest(`mutation { createNotes(data: { text: "x", owner: "${bob.id}" }) { id } }`, undefined, alice.auth);
    expect(forBob.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    const bobList = await gqlRequest('{ notes { totalCount edges { node { id } } } }', undefined, bob.auth);
    expect(bobList.body.data.notes).toEqual({ totalCount: 0, edges: [] });
    expect((await gqlRequest(`{ notesById(id: "${noteId}") { id } }`, undefined, bob.auth)).body.data.notesById).toBeNull();
    expect((await gqlRequest(`{ notesById(id: "${noteId}") { owner { email } } }`, undefined, alice.auth)).body.data.notesById.owner.email).toBe('alice@example.com');
    const anonymousList = await gqlRequest('{ notes { totalCount } }', undefined, anonymous);
    expect(anonymousList.body.data.notes.totalCount).toBe(0);
    const steal = await gqlRequest(`mutation { updateNotes(id: "${noteId}", data: { text: "mine now" }) { id } }`, undefined, bob.auth);
    expect(steal.body.errors[0].extensions.code).toBe('RECORD_NOT_FOUND');
    const usersAsAnonymous = await gqlRequest('{ users { edges { node { id } } } }', undefined, anonymous);
    expect(usersAsAnonymous.body.data.users.edges).toEqual([]);
    const vault = await gqlRequest('{ _empty: users { totalCount } }', undefined, bearer('forged.token.here'));
    expect(vault.status).toBe(401);
  });
});

describe('the authorization matrix over GraphQL', () => {
  it('gives each caller exactly what REST gives it, and never leaks through relations', async () => {
    const author = 'author = @request.auth.id';
    await t.request('POST', '/api/collections', {
      name: 'stories',
      fields: [{ name: 'title', type: 'text' }, { name: 'published', type: 'bool' }, { name: 'author', type: 'relation', collection: 'users' }],
      listRule: `published = true || ${author}`, viewRule: `published = true || ${author}`, createRule: author, updateRule: author, deleteRule: author,
    });
    await t.request('POST', '/api/collections', { name: 'secrets', fields: [{ name: 'x', type: 'text' }] });
    await t.request('POST', '/api/collections', {
      name: 'links',
      fields: [{ name: 'story', type: 'relation', collection: 'stories' }, { name: 'stories', type: 'relation', collection: 'stories', multiple: true }],
      listRule: '', viewRule: '',
    });
    const make = async (data: Record<string, unknown>) => (await t.request('POST', '/api/collections/stories/records', data)).body.id as string;
    const published = await make({ title: 'pub', published: true, author: alice.id });
    const draft = await make({ title: 'draft', published: false, author: alice.id });
    await t.request('POST', '/api/collections/links/records', { story: draft, stories: [published, draft] });
    await t.request('POST', '/api/collections/secrets/records', { x: 's' });

    const titles = async (headers: Record<string, string>) => {
      const { body } = await gqlRequest('{ stories { totalCount edges { node { title } } } }', undefined, headers);
      return { total: body.data.stories.totalCount, titles: body.data.stories.edges.map((e: Json) => e.node.title).sort() };
    };
    expect(await titles(anonymous)).toEqual({ total: 1, titles: ['pub'] });
    expect(await titles(bob.auth)).toEqual({ total: 1, titles: ['pub'] });
    expect(await titles(alice.auth)).toEqual({ total: 2, titles: ['draft', 'pub'] });
    for (const [who, headers] of [['anonymous', anonymous], ['bob', bob.auth], ['alice', alice.auth]] as const) {
      const rest = await t.request('GET', '/api/collections/stories/records?count=true', undefined, headers);
      expect((await titles(headers)).total, who).toBe(rest.body.total);
    }
    const secrets = await gqlRequest('{ secrets { totalCount } }', undefined, alice.auth);
    expect(secrets.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect((await gqlRequest('{ secrets { totalCount } }')).body.data.secrets.totalCount).toBe(1);
    const links = await gqlRequest('{ links { edges { node { story { title } storyId stories { totalCount edges { node { title } } } } } } }', undefined, bob.auth);
    const link = links.body.data.links.edges[0].node;
    expect(link.story).toBeNull();
    expect(link.stories.edges.map((e: Json) => e.node.title)).toEqual(['pub']);
    expect(JSON.stringify(links.body)).not.toContain('"draft"');
    const edit = await gqlRequest(`mutation { updateStories(id: "${published}", data: { title: "bob's now" }) { id } }`, undefined, bob.auth);
    expect(edit.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const handOff = await gqlRequest(`mutation { updateStories(id: "${published}", data: { author: "${bob.id}" }) { id } }`, undefined, alice.auth);
    expect(handOff.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('limits', () => {
  it('refuses queries deeper or costlier than configured, saying which', async () => {
    const deep = await gqlRequest('{ posts(first: 1) { edges { node { author { postsByAuthor(first: 1) { edges { node { author { postsByAuthor(first: 1) { edges { node { author { name } } } } } } } } } } } } }');
    expect(deep.body.errors.find((e: Json) => e.extensions.limit === 'depth')).toMatchObject({ message: expect.stringContaining('13 levels deep'), extensions: { code: 'INVALID_QUERY' } });
    const costly = await gqlRequest('{ posts(first: 500) { edges { node { reviewers(first: 500) { edges { node { name postsByAuthor(first: 500) { totalCount } } } } } } } }');
    expect(costly.body.errors.some((e: Json) => e.extensions.limit === 'cost')).toBe(true);
  });
});

describe('schema changes', () => {
  it('serve every in-flight request from a whole schema, and the new field right after', async () => {
    const inFlight = Array.from({ length: 40 }, () => gqlRequest('{ authors(first: 3) { edges { node { id name } } } }'));
    const altered = t.request('PATCH', '/api/collections/authors', { fields: [...(await t.request('GET', '/api/collections/authors')).body.fields, { name: 'bio', type: 'text' }] });
    const results = await Promise.all(inFlight);
    expect((await altered).status).toBe(200);
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
    }
    const withBio = await gqlRequest('{ authors(first: 1) { edges { node { bio } } } }');
    expect(withBio.body.errors).toBeUndefined();
  });
});

describe('clients', () => {
  it('works with urql as a frontend would', async () => {
    const client = createUrql({ url: `${t.url}/api/graphql`, exchanges: [cacheExchange, fetchExchange], fetchOptions: { headers: { authorization: `Bearer ${alice.token}` } } });
    const result = await client.query(gql`query Mine($first: Int) { notes(first: $first) { edges { node { text } } } }`, { first: 10 }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data.notes.edges.map((e: Json) => e.node.text)).toEqual(["alice's"]);
  });

  it('subscribes over graphql-ws and receives changes in order, under the rules', async () => {
    const url = `${t.url.replace('http', 'ws')}/api/graphql`;
    const ws = (token: string) => createWsClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false });
    const aliceClient = ws(alice.token);
    const bobClient = ws(bob.token);
    const received: Record<string, Json[]> = { alice: [], bob: [] };
    const subscribe = (client: ReturnType<typeof ws>, who: string) =>
      new Promise<() => void>((resolve) => {
        const stop = client.subscribe({ query: 'subscription { notesChanges { op seq record { id text } } }' }, { next: (value) => received[who]!.push(value.data), error: (e) => received[who]!.push({ error: e }), complete: () => undefined });
        setTimeout(() => resolve(stop), 200);
      });
    const stops = [await subscribe(aliceClient, 'alice'), await subscribe(bobClient, 'bob')];
    const note = (await gqlRequest(`mutation { createNotes(data: { text: "live", owner: "${alice.id}" }) { id } }`, undefined, alice.auth)).body.data.createNotes;
    await gqlRequest(`mutation { updateNotes(id: "${note.id}", data: { text: "live 2" }) { id } }`, undefined, alice.auth);
    for (let i = 0; i < 100 && received.alice!.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.alice!.map((d) => [d.notesChanges.op, d.notesChanges.record.text])).toEqual([['insert', 'live'], ['update', 'live 2']]);
    expect(received.alice![1].notesChanges.seq).toBeGreaterThan(received.alice![0].notesChanges.seq);
    expect(received.bob).toEqual([]);
    for (const stop of stops) stop();
    await aliceClient.dispose();
    await bobClient.dispose();
  });
});

describe('explorer and introspection', () => {
  it('serves GraphiQL from the server itself to a browser', async () => {
    const page = await fetch(`${t.url}/api/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(6);
    for (const asset of assets.filter((a) => !a.startsWith('data:'))) {
      const response = await fetch(`${t.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(50);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('can be turned off, with introspection', async () => {
    const closed = await startTestServer({ config: { graphqlIntrospection: 'false' } });
    try {
      const response = await closed.request('POST', '/api/graphql', { query: '{ __schema { types { name } } }' }, { accept: 'application/graphql-response+json' });
      expect(response.body.errors[0].message).toContain('introspection');
      const page = await fetch(`${closed.url}/api/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    } finally {
      await closed.stop();
    }
  });
});
