import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type Account } from './support/accounts.js';
import { connectGraphQLWs } from './support/graphql-ws-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

let t: TestServer;
let alice: Account;
let bob: Account;
/** Every record, as the admin's REST list in default order returns them. */
let all: Json[];

type Order = { field: string; direction: 'ASC' | 'DESC' }[];

async function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Json> {
  const response = await t.request('POST', '/api/graphql', { query, ...(variables ? { variables } : {}) }, { accept: 'application/graphql-response+json', ...headers });
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
  return response.body;
}

const pageQuery = `query($orderBy: [ItemsOrderBy!], $where: ItemsWhere, $first: Int, $after: String, $last: Int, $before: String) {
  items(orderBy: $orderBy, where: $where, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Page {
  ids: string[];
  cursors: string[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

async function page(args: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Page> {
  const body = await gql(pageQuery, args, headers);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  const edges: Json[] = body.data.items.edges;
  return { ids: edges.map((e) => e.node.id), cursors: edges.map((e) => e.cursor), pageInfo: body.data.items.pageInfo };
}

async function forward(args: Record<string, unknown>, size: number, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const p = await page({ ...args, first: size, ...(after ? { after } : {}) }, headers);
    expect(p.pageInfo.hasPreviousPage).toBe(after !== null && p.ids.length > 0);
    ids.push(...p.ids);
    if (!p.pageInfo.hasNextPage) return ids;
    after = p.pageInfo.endCursor;
  }
  throw new Error('forward paging did not end');
}

async function backward(args: Record<string, unknown>, size: number, headers: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  let before: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const p = await page({ ...args, last: size, ...(before ? { before } : {}) }, headers);
    expect(p.ids.length).toBeLessThanOrEqual(size);
    // Records follow every page but the last one read first.
    expect(p.pageInfo.hasNextPage).toBe(before !== null && p.ids.length > 0);
    expect(p.pageInfo.startCursor).toBe(p.cursors[0] ?? null);
    expect(p.pageInfo.endCursor).toBe(p.cursors.at(-1) ?? null);
    ids.unshift(...p.ids);
    if (!p.pageInfo.hasPreviousPage) return ids;
    before = p.pageInfo.startCursor;
  }
  throw new Error('backward paging did not end');
}

/** The ids in `sort`'s order, as the REST list gives them in one page: the reference both directions must meet. */
async function restIds(sort: string, filter = '', headers: Record<string, string> = {}): Promise<string[]> {
  const query = new URLSearchParams({ sort, limit: '500', ...(filter ? { filter } : {}) });
  const response = await t.request('GET', `/api/collections/items/records?${query}`, undefined, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items.map((r: Json) => r.id);
}

const sorts: [Order, string][] = [
  [[], ''],
  [[{ field: 'rank', direction: 'ASC' }], 'rank'],
  [[{ field: 'rank', direction: 'DESC' }], '-rank'],
  [[{ field: 'rank', direction: 'DESC' }, { field: 'name', direction: 'ASC' }], '-rank,name'],
  [[{ field: 'name', direction: 'ASC' }, { field: 'rank', direction: 'DESC' }, { field: 'id', direction: 'DESC' }], 'name,-rank,-id'],
  [[{ field: 'public', direction: 'DESC' }, { field: 'created', direction: 'DESC' }], '-public,-created'],
];

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com');
  bob = await signUp(t, 'bob@example.com');
  const created = await t.request('POST', '/api/collections', {
    name: 'items',
    fields: [
      { name: 'rank', type: 'number' },
      { name: 'name', type: 'text' },
      { name: 'public', type: 'bool' },
      { name: 'owner', type: 'relation', collection: 'users' },
    ],
    listRule: 'public = true || owner = @request.auth.id',
    viewRule: 'public = true || owner = @request.auth.id',
    updateRule: 'owner = @request.auth.id',
    deleteRule: 'owner = @request.auth.id',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const operations = Array.from({ length: 23 }, (_, i) => ({
    action: 'create',
    collection: 'items',
    data: {
      // Ties, nulls and both kinds of owner, so every sort key and the rule have something to decide.
      rank: i % 4 === 3 ? null : i % 5,
      name: i % 6 === 0 ? null : `n${i % 7}`,
      public: i % 3 === 0,
      owner: i % 2 === 0 ? alice.id : bob.id,
    },
  }));
  const batch = await t.request('POST', '/api/batch', { operations });
  expect(batch.status, JSON.stringify(batch.body)).toBe(200);
  all = (await t.request('GET', '/api/collections/items/records?limit=500')).body.items;
  expect(all).toHaveLength(23);
});

afterAll(async () => {
  await t?.stop();
});

describe('GraphQL backward paging (last/before)', () => {
  it('pages backward through the whole collection in the same order as forward paging, for every sort', async () => {
    for (const [orderBy, sort] of sorts) {
      const expected = await restIds(sort);
      for (const size of [1, 4, 7]) {
        expect(await forward({ orderBy }, size), `${sort} forward by ${size}`).toEqual(expected);
        expect(await backward({ orderBy }, size), `${sort} backward by ${size}`).toEqual(expected);
      }
    }
  });

  it('pages backward under a filter', async () => {
    const where = { rank: { isNull: false }, name: { isNull: false } };
    for (const [orderBy, sort] of sorts) {
      const expected = await restIds(sort, 'rank != null && name != null');
      expect(expected.length).toBeGreaterThan(5);
      expect(await backward({ orderBy, where }, 3), sort).toEqual(expected);
    }
  });

  it('reports hasPreviousPage and hasNextPage at both ends, per the Relay connection spec', async () => {
    const ids = all.map((r) => r.id);
    const start = await page({ first: 3 });
    expect(start.ids).toEqual(ids.slice(0, 3));
    expect(start.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true, startCursor: start.cursors[0] });
    const end = await page({ last: 3 });
    expect(end.ids).toEqual(ids.slice(-3));
    expect(end.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false, endCursor: end.cursors[2] });
    // After the first record, records precede the page (it is asked for, so it is exact).
    const second = await page({ first: 2, after: start.cursors[0] });
    expect(second.ids).toEqual(ids.slice(1, 3));
    expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    // Backward to the very start: nothing precedes, something follows.
    const head = await page({ last: 5, before: start.cursors[2] });
    expect(head.ids).toEqual(ids.slice(0, 2));
    expect(head.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    // Exactly the whole remainder: no previous page.
    const exact = await page({ last: 3, before: second.cursors[1] });
    expect(exact.ids).toEqual(ids.slice(0, 2));
    expect(exact.pageInfo.hasPreviousPage).toBe(false);
    const nothing = await page({ last: 3, before: start.cursors[0] });
    expect(nothing).toMatchObject({ ids: [], pageInfo: { hasPreviousPage: false, hasNextPage: false, startCursor: null, endCursor: null } });
  });

  it('pages within a window bounded by both after and before', async () => {
    const ids = all.map((r) => r.id);
    const cursors = (await page({ first: 20 })).cursors;
    const window = { after: cursors[2], before: cursors[9] };
    const tail = await page({ ...window, last: 3 });
    expect(tail.ids).toEqual(ids.slice(6, 9));
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const head = await page({ ...window, first: 3 });
    expect(head.ids).toEqual(ids.slice(3, 6));
    expect(head.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const whole = await page({ ...window, first: 10 });
    expect(whole.ids).toEqual(ids.slice(3, 9));
    expect(whole.pageInfo.hasNextPage).toBe(false);
    const wholeBack = await page({ ...window, last: 10 });
    expect(wholeBack.ids).toEqual(ids.slice(3, 9));
    expect(wholeBack.pageInfo.hasPreviousPage).toBe(false);
    // Going forward again from a backward page's end cursor continues where it stopped.
    const onward = await page({ after: tail.pageInfo.endCursor, first: 2 });
    expect(onward.ids).toEqual(ids.slice(9, 11));
  });

  it('refuses first and last together with a clear INVALID_QUERY', async () => {
    const body = await gql('{ items(first: 2, last: 2) { edges { node { id } } } }');
    expect(body.data).toBeNull();
    expect(body.errors[0]).toMatchObject({ message: expect.stringContaining('`first` or `last`'), extensions: { code: 'INVALID_QUERY' } });
  });

  it('answers forged or foreign before cursors with INVALID_CURSOR, never an internal error', async () => {
    const byRank = (await page({ first: 2, orderBy: [{ field: 'rank', direction: 'ASC' }] })).cursors[1]!;
    const forged = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    const cases = [
      '!!!',
      'e30',
      forged({ s: 'id', v: [{ x: 1 }] }),
      forged({ s: 'id', v: [] }),
      forged({ s: 'rank,id', v: ['high', 'x'] }),
      forged({ s: 'rank,id', v: [1e400, 'x'] }),
      forged({ s: 'rank,id', v: [1, 'a\u0000b'] }),
      forged(null),
      byRank,
    ];
    for (const before of cases) {
      const body = await gql(pageQuery, { last: 3, before });
      expect(body.errors?.[0]?.extensions?.code, `${before} → ${JSON.stringify(body)}`).toBe('INVALID_CURSOR');
    }
    const rest = await t.request('GET', '/api/collections/items/records?before=%21%21%21');
    expect(rest.status).toBe(400);
    expect(rest.body.code).toBe('INVALID_CURSOR');
  });

  it('never shows a record outside the list rule, nor hints at one, when paging backward', async () => {
    for (const [orderBy, sort] of sorts) {
      const visible = await restIds(sort, '', bob.auth);
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.length).toBeLessThan(all.length);
      expect(await backward({ orderBy }, 3, bob.auth), sort).toEqual(visible);
      // The first record bob may list, read backward from: hidden records may precede it, but none is reported.
      const headCursor = (await page({ orderBy, first: 1 }, bob.auth)).cursors[0];
      const before = await page({ orderBy, last: 3, before: headCursor }, bob.auth);
      expect(before.ids).toEqual([]);
      expect(before.pageInfo.hasPreviousPage).toBe(false);
      // And forward from bob's last visible record, hasNextPage ignores hidden records after it.
      const tailCursor = (await page({ orderBy, last: 1 }, bob.auth)).cursors[0];
      const after = await page({ orderBy, first: 3, after: tailCursor }, bob.auth);
      expect(after).toMatchObject({ ids: [], pageInfo: { hasNextPage: false } });
      const tail = await page({ orderBy, last: 1, before: tailCursor }, bob.auth);
      expect(tail.pageInfo.hasNextPage).toBe(true);
    }
    const anonymousIds = await backward({}, 5, { authorization: '' });
    expect(anonymousIds).toEqual(all.filter((r) => r.public).map((r) => r.id));
  });

  it('pages backward over REST with before and prevCursor', async () => {
    for (const sort of ['-rank,name', 'name,-rank,-id']) {
      const expected = await restIds(sort);
      // A REST page ends with the cursor of its last record: read backward from the second to last record.
      const start = await t.request('GET', `/api/collections/items/records?${new URLSearchParams({ sort, limit: String(expected.length - 1) })}`);
      const ids: string[] = expected.slice(-2);
      let before: string | null = start.body.nextCursor;
      while (before) {
        const response = await t.request('GET', `/api/collections/items/records?${new URLSearchParams({ sort, limit: '4', before })}`);
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        expect(response.body.items.length).toBeGreaterThan(0);
        // Records follow every backward page: at least the one its cursor came from.
        expect(response.body.nextCursor).toEqual(expect.any(String));
        ids.unshift(...response.body.items.map((r: Json) => r.id));
        before = response.body.prevCursor;
      }
      expect(ids).toEqual(expected);
    }
  });
});

describe('GraphQL record version and ifMatch', () => {
  const read = `query($id: ID!) { itemsById(id: $id) { id version rank } }`;
  const update = `mutation($id: ID!, $rank: Float, $ifMatch: String) { updateItems(id: $id, data: { rank: $rank }, ifMatch: $ifMatch) { id version rank } }`;

  it('exposes the version ifMatch takes, the REST ETag without quotes, in lists, by id, relations and mutations', async () => {
    const target = all.find((r) => r.owner === alice.id)!;
    const etag = (await t.request('GET', `/api/collections/items/records/${target.id}`)).headers.get('etag');
    const byId = await gql(read, { id: target.id }, alice.auth);
    expect(`"${byId.data.itemsById.version}"`).toBe(etag);
    const listed = await gql('{ items(first: 500) { edges { node { id version } } } }', undefined, alice.auth);
    expect(listed.data.items.edges.find((e: Json) => e.node.id === target.id).node.version).toBe(byId.data.itemsById.version);
    const related = await gql('query($id: ID!) { itemsById(id: $id) { owner { id } } }', { id: target.id }, alice.auth);
    expect(related.errors).toBeUndefined();
  });

  it('updates with the version read, and refuses a stale one with PRECONDITION_FAILED', async () => {
    const target = all.find((r) => r.owner === alice.id)!;
    const { version } = (await gql(read, { id: target.id }, alice.auth)).data.itemsById;
    const updated = await gql(update, { id: target.id, rank: 42, ifMatch: version }, alice.auth);
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateItems.rank).toBe(42);
    expect(updated.data.updateItems.version).not.toBe(version);
    expect((await gql(read, { id: target.id }, alice.auth)).data.itemsById.version).toBe(updated.data.updateItems.version);
    const stale = await gql(update, { id: target.id, rank: 7, ifMatch: version }, alice.auth);
    expect(stale.errors[0].extensions.code).toBe('PRECONDITION_FAILED');
    expect((await gql(read, { id: target.id }, alice.auth)).data.itemsById.rank).toBe(42);
    const staleDelete = await gql('mutation($id: ID!, $v: String) { deleteItems(id: $id, ifMatch: $v) { id } }', { id: target.id, v: version }, alice.auth);
    expect(staleDelete.errors[0].extensions.code).toBe('PRECONDITION_FAILED');
    // The REST ETag the GraphQL write produced is the version it returned.
    const rest = await t.request('GET', `/api/collections/items/records/${target.id}`);
    expect(rest.headers.get('etag')).toBe(`"${updated.data.updateItems.version}"`);
  });

  it('reads the version and writes with ifMatch over graphql-ws too', async () => {
    const target = all.filter((r) => r.owner === alice.id).at(-1)!;
    const ws = await connectGraphQLWs(t.url, alice.token);
    try {
      ws.subscribe('r', read, { id: target.id });
      const version = (await ws.next((m) => m.id === 'r' && m.type === 'next')).payload.data.itemsById.version;
      ws.subscribe('u', update, { id: target.id, rank: 3, ifMatch: version });
      const done = (await ws.next((m) => m.id === 'u' && m.type === 'next')).payload;
      expect(done.errors).toBeUndefined();
      ws.subscribe('s', update, { id: target.id, rank: 4, ifMatch: version });
      const stale = (await ws.next((m) => m.id === 's' && m.type === 'next')).payload;
      expect(stale.errors[0].extensions.code).toBe('PRECONDITION_FAILED');
    } finally {
      ws.close();
    }
  });

  it('gives the version of the record in subscription payloads', async () => {
    const target = all.filter((r) => r.owner === alice.id).at(-2)!;
    const ws = await connectGraphQLWs(t.url, alice.token);
    try {
      ws.subscribe('c', 'subscription { itemsChanges { op record { id version rank } } }');
      // The subscription is registered once the server has processed it; a query after it on the same socket orders them.
      ws.subscribe('q', read, { id: target.id });
      await ws.next((m) => m.id === 'q' && m.type === 'complete');
      const updated = await gql(update, { id: target.id, rank: 11 }, alice.auth);
      const change = (await ws.next((m) => m.id === 'c' && m.type === 'next')).payload;
      expect(change.errors).toBeUndefined();
      expect(change.data.itemsChanges.record).toMatchObject({ id: target.id, rank: 11, version: updated.data.updateItems.version });
    } finally {
      ws.close();
    }
  });
});
