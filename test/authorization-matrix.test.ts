/**
 * The authorization matrix of issue 13, attacked as a client would:
 *
 * 1. every relation hop in anything a client writes (REST filter, count, expand, fields; GraphQL filter, where and
 *    relation fields; realtime collection-subscription and live-query filters, snapshot and later events) sees only
 *    the target records the caller may view under the target's view rule (null: admins only; "": all);
 * 2. hidden fields are unknown to clients, directly and through relations (filter: INVALID_FILTER, sort:
 *    INVALID_SORT), and sort takes no relation path;
 * 3. linking a record to a target the caller may not view is refused like a missing target (422, `not_found`),
 *    except ids the record already held and fields with `linkAny: true`; admins may link anything;
 * 4. rules written by an admin reach through relations with the admin's trust, but a client filter stays bounded;
 * 5. realtime judges every change on the full record (hidden fields included) and never sends hidden fields.
 *
 * Callers: anonymous, alice, bob, admin. Collections: `vault` (null rules), `links` (""), `notes` (owner-only, with
 * a hidden `level`), `posts` (published-or-owner), `ranked` (rule on hidden `tier`), `flagged` (rule on hidden
 * `blocked`), `teams` (null), `docs` (rule through `team.members`). The expected answer of every surface is
 * computed here, in JS, from the whole data set (which the test knows) and each caller's view of it.
 *
 * AUTHZ_WHO=admin (a comma-separated list of callers) checks the reference against the server for those callers
 * only: admins see everything, so that run validates the model itself; AUTHZ_RUNS sets the property run counts.
 */
import fc from 'fast-check';
import { applyOps } from '@causeway/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { graphqlSubscriber, type GraphqlSubscriber } from './support/graphql-subscriber.js';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

type Who = 'anonymous' | 'alice' | 'bob' | 'admin';
const everyone: Who[] = process.env.AUTHZ_WHO ? (process.env.AUTHZ_WHO.split(',') as Who[]) : ['admin', 'anonymous', 'alice', 'bob'];
type Row = Record<string, Json> & { id: string };
type Viewer = { who: Who; id: string };

let t: TestServer;
let alice: Account;
let bob: Account;
const sockets = new Map<Who, RealtimeClient>();
const subscribers = new Map<Who, GraphqlSubscriber>();
/** Every record of every collection, hidden fields included, as the test wrote them. */
const world: Record<string, Map<string, Row>> = {};
const records = (collection: string) => `/api/collections/${collection}/records`;
const headers = (who: Who): Record<string, string> => (who === 'anonymous' ? anonymous : who === 'admin' ? {} : who === 'alice' ? alice.auth : bob.auth);
const token = (who: Who): string | undefined => (who === 'anonymous' ? undefined : who === 'admin' ? t.adminToken : who === 'alice' ? alice.token : bob.token);
const viewer = (who: Who): Viewer => ({ who, id: who === 'alice' ? alice.id : who === 'bob' ? bob.id : '' });
const sorted = (ids: Iterable<string>) => [...ids].sort();

/** Relation fields: collection → field → target collection. */
const relations: Record<string, Record<string, string>> = {
  links: { toVault: 'vault', toNote: 'notes', toPost: 'posts', toRanked: 'ranked', toFlagged: 'flagged', toUser: 'users', toTeam: 'teams', toDoc: 'docs', notesMany: 'notes' },
  notes: { owner: 'users' },
  posts: { owner: 'users' },
  docs: { team: 'teams' },
  teams: { members: 'users' },
};

type ViewRule = (row: Row, viewer: Viewer) => boolean;
const ownerOnly = 'owner = @request.auth.id';
const publishedOrOwner = 'published = true || owner = @request.auth.id';
/** The view rule of each collection, as the server has it and as JS. */
const viewRules: Record<string, { rule: string | null; view: ViewRule }> = {
  vault: { rule: null, view: () => false },
  links: { rule: '', view: () => true },
  notes: { rule: ownerOnly, view: (r, v) => r.owner === v.id },
  posts: { rule: publishedOrOwner, view: (r, v) => r.published === true || r.owner === v.id },
  ranked: { rule: 'tier <= 1', view: (r) => r.tier !== null && r.tier <= 1 },
  flagged: { rule: 'blocked != true', view: (r) => r.blocked !== true },
  teams: { rule: null, view: () => false },
  docs: { rule: 'team.members ~ @request.auth.id', view: (r, v) => v.id !== '' && r.team !== null && (world.teams!.get(r.team)?.members as string[]).includes(v.id) },
  users: { rule: 'id = @request.auth.id', view: (r, v) => r.id === v.id },
};
const mayView = (collection: string, row: Row, v: Viewer) => v.who === 'admin' || viewRules[collection]!.view(row, v);

async function call(who: Who, method: string, path: string, body?: unknown) {
  return t.request(method, path, body, headers(who));
}

async function adminCreate(collection: string, data: Record<string, unknown>, hidden: Record<string, unknown> = {}): Promise<string> {
  const response = await call('admin', 'POST', records(collection), data);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  // Hidden fields cannot be written through the records API, even by an admin: Causeway's own path sets them.
  if (Object.keys(hidden).length > 0) await t.server.records.updateSystem(collection, response.body.id, hidden);
  world[collection]!.set(response.body.id, { ...response.body, ...hidden });
  return response.body.id;
}

async function setHidden(collection: string, id: string, hidden: Record<string, unknown>): Promise<void> {
  await t.server.records.updateSystem(collection, id, hidden);
  Object.assign(world[collection]!.get(id)!, hidden);
}

// ---- the filter model: client filters on `links`, evaluated in JS the way the contract defines them ----

type Op = '=' | '!=' | '>=' | '<' | '~';
type Node = { kind: 'leaf'; path: string; op: Op; value: string } | { kind: 'and' | 'or'; left: Node; right: Node } | { kind: 'not'; operand: Node };

/** Paths from `links` into every kind of target, one and two hops, to-one and to-many. */
const paths = ['toVault.secret', 'toVault.title', 'toNote.title', 'toNote.owner.email', 'toPost.title', 'toPost.owner.email', 'toRanked.title', 'toFlagged.title', 'toUser.email', 'toUser.name', 'toTeam.title', 'toDoc.title', 'toDoc.team.title', 'notesMany.title', 'label'];
const values = ['a', 'alpha', 'apple', 'b', 'beta', 'm', 'omega', 's', 'sigma', 'zebra', 'alice', 'bob', 'alice@example.com', 'bob@example.com', 'l3'];

function print(node: Node): string {
  switch (node.kind) {
    case 'leaf':
      return `${node.path} ${node.op} ${JSON.stringify(node.value)}`;
    case 'not':
      return `!(${print(node.operand)})`;
    default:
      return `(${print(node.left)} ${node.kind === 'and' ? '&&' : '||'} ${print(node.right)})`;
  }
}

function compare(value: Json, op: Op, literal: string): boolean {
  if (op === '=') return value === literal;
  if (op === '!=') return value !== literal;
  if (value === null || value === undefined) return false;
  if (op === '~') return String(value).toLowerCase().includes(literal.toLowerCase());
  return op === '>=' ? value >= literal : value < literal;
}

/** A path is true when some related record the caller may view matches (an invisible one is as absent). */
function evalLeaf(row: Row, collection: string, segments: string[], op: Op, literal: string, v: Viewer): boolean {
  const [head, ...rest] = segments as [string, ...string[]];
  if (rest.length === 0) return compare(row[head], op, literal);
  const target = relations[collection]![head]!;
  const value = row[head];
  const ids: string[] = Array.isArray(value) ? value : value ? [value] : [];
  return ids.some((id) => {
    const related = world[target]!.get(id);
    return related !== undefined && mayView(target, related, v) && evalLeaf(related, target, rest, op, literal, v);
  });
}

function matches(node: Node, row: Row, v: Viewer): boolean {
  switch (node.kind) {
    case 'leaf':
      return evalLeaf(row, 'links', node.path.split('.'), node.op, node.value, v);
    case 'not':
      return !matches(node.operand, row, v);
    case 'and':
      return matches(node.left, row, v) && matches(node.right, row, v);
    case 'or':
      return matches(node.left, row, v) || matches(node.right, row, v);
  }
}

const expectedLinks = (node: Node, who: Who) => sorted([...world.links!.values()].filter((row) => matches(node, row, viewer(who))).map((r) => r.id));

const leaf: fc.Arbitrary<Node> = fc.record({ kind: fc.constant('leaf' as const), path: fc.constantFrom(...paths), op: fc.constantFrom<Op>('=', '!=', '>=', '<', '~'), value: fc.constantFrom(...values) });
const filterArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'filter' },
    leaf,
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
    fc.record({ kind: fc.constant('not' as const), operand: tie('node') }),
  ),
})).node;

// ---- what each surface answers ----

async function restList(who: Who, filter: string) {
  const response = await call(who, 'GET', `${records('links')}?filter=${encodeURIComponent(filter)}&count=true&limit=500`);
  expect(response.status, `${who} REST ${filter}: ${JSON.stringify(response.body)}`).toBe(200);
  return { ids: sorted(response.body.items.map((r: Row) => r.id)), total: response.body.total as number };
}

async function graphqlList(who: Who, filter: string) {
  const query = 'query ($f: String) { links(where: { label: { ne: "never" } }, filter: $f, first: 500) { totalCount edges { node { id } } } }';
  const response = await call(who, 'POST', '/api/graphql', { query, variables: { f: filter } });
  expect(response.body.errors, `${who} GraphQL ${filter}`).toBeUndefined();
  return { ids: sorted(response.body.data.links.edges.map((e: Json) => e.node.id)), total: response.body.data.links.totalCount as number };
}

let subs = 0;
async function subscribed(client: RealtimeClient, message: Record<string, unknown>): Promise<Json> {
  client.send({ type: 'subscribe', ...message });
  const answer = await client.next((m) => m.sub === message.sub && ['subscribed', 'snapshot', 'error'].includes(m.type));
  expect(answer.type, JSON.stringify(answer)).not.toBe('error');
  return answer;
}

async function unsubscribe(client: RealtimeClient, sub: string): Promise<void> {
  client.send({ type: 'unsubscribe', sub });
  await client.next((m) => m.type === 'unsubscribed' && m.sub === sub);
}

/** Updates a field of every link as the admin: an event per link, whose visibility does not change. */
async function touchLinks(round: number): Promise<void> {
  const operations = [...world.links!.keys()].map((id) => ({ action: 'update', collection: 'links', id, data: { note: `touch ${round}` } }));
  const response = await call('admin', 'POST', '/api/batch', { operations });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

/** Checks one client filter on every surface for every caller against the reference. */
async function checkEverySurface(node: Node): Promise<void> {
  const filter = print(node);
  const round = ++subs;
  const live = new Map<Who, Json[]>();
  for (const who of everyone) {
    const want = expectedLinks(node, who);
    const rest = await restList(who, filter);
    expect(rest, `${who} REST list and count of ${filter}`).toEqual({ ids: want, total: want.length });
    expect(await graphqlList(who, filter), `${who} GraphQL filter ${filter}`).toEqual({ ids: want, total: want.length });
    const client = sockets.get(who)!;
    const snapshot = await subscribed(client, { sub: `q${round}`, kind: 'query', collection: 'links', filter, limit: 500 });
    expect(sorted(snapshot.items.map((r: Row) => r.id)), `${who} live-query snapshot of ${filter}`).toEqual(want);
    live.set(who, snapshot.items);
    await subscribed(client, { sub: `c${round}`, kind: 'collection', collection: 'links', filter });
  }
  await touchLinks(round);
  for (const who of everyone) {
    const client = sockets.get(who)!;
    await client.sync();
    const want = expectedLinks(node, who);
    const events = client.take((m) => m.sub === `c${round}`);
    expect(events.map((e) => `${e.op} ${e.record.id}`).sort(), `${who} subscription events for ${filter}`).toEqual(want.map((id) => `update ${id}`));
    let list = live.get(who)!;
    for (const diff of client.take((m) => m.sub === `q${round}` && m.type === 'diff')) list = applyOps(list, diff.ops);
    expect(sorted(list.map((r: Row) => r.id)), `${who} live query after events for ${filter}`).toEqual(want);
    expect(client.take((m) => m.sub === `q${round}`), `${who} live query ${filter}`).toEqual([]);
    await unsubscribe(client, `c${round}`);
    await unsubscribe(client, `q${round}`);
  }
}

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com', { name: 'alice' });
  bob = await signUp(t, 'bob@example.com', { name: 'bob' });
  for (const name of [...Object.keys(viewRules)]) world[name] = new Map();
  world.users!.set(alice.id, { id: alice.id, email: alice.email, name: 'alice' });
  world.users!.set(bob.id, { id: bob.id, email: bob.email, name: 'bob' });
  // These tests probe relation bounds with the users' emails, so the emails are opened to whoever may view a user
  // (they are owner-only by default: test/field-visibility.test.ts). The view rule alone must keep them.
  const opened = await t.request('PATCH', '/api/collections/users', { fields: [{ name: 'email', type: 'email', visibility: 'everyone' }, { name: 'name', type: 'text', max: 200 }] });
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  const rules = (name: string, write: string | null = null) => ({ listRule: viewRules[name]!.rule, viewRule: viewRules[name]!.rule, createRule: write, updateRule: write, deleteRule: null });
  const signedIn = '@request.auth.id != ""';
  const title = { name: 'title', type: 'text' };
  const definitions: Record<string, unknown>[] = [
    { name: 'vault', fields: [title, { name: 'secret', type: 'text' }], ...rules('vault') },
    { name: 'notes', fields: [title, { name: 'owner', type: 'relation', collection: 'users', required: true }, { name: 'level', type: 'number', hidden: true }], ...rules('notes', ownerOnly) },
    { name: 'posts', fields: [title, { name: 'published', type: 'bool' }, { name: 'owner', type: 'relation', collection: 'users' }], ...rules('posts', ownerOnly) },
    { name: 'ranked', fields: [title, { name: 'tier', type: 'number', hidden: true }], ...rules('ranked') },
    { name: 'flagged', fields: [title, { name: 'blocked', type: 'bool', hidden: true }], ...rules('flagged') },
    { name: 'teams', fields: [title, { name: 'members', type: 'relation', collection: 'users', multiple: true }], ...rules('teams') },
    { name: 'docs', fields: [title, { name: 'team', type: 'relation', collection: 'teams' }], ...rules('docs') },
  ];
  const linkFields = [
    { name: 'label', type: 'text' },
    { name: 'note', type: 'text' },
    ...Object.entries(relations.links!).map(([name, collection]) => ({ name, type: 'relation', collection, ...(name === 'notesMany' ? { multiple: true } : {}) })),
  ];
  definitions.push({ name: 'links', fields: linkFields, ...rules('links', signedIn) });
  // The same relations in a collection of their own, for the linking tests (so `links` stays as the model has it).
  definitions.push({ name: 'pins', fields: linkFields, listRule: '', viewRule: '', createRule: signedIn, updateRule: signedIn, deleteRule: signedIn });
  world.pins = new Map();
  for (const definition of definitions) {
    const response = await call('admin', 'POST', '/api/collections', definition);
    expect(response.status, `${definition.name}: ${JSON.stringify(response.body)}`).toBe(201);
  }
  const users = [alice.id, bob.id];
  const vault = [await adminCreate('vault', { title: 'alpha', secret: 'apple' }), await adminCreate('vault', { title: 'omega', secret: 'zebra' })];
  const notes = [
    await adminCreate('notes', { title: 'alpha', owner: alice.id }, { level: 0 }),
    await adminCreate('notes', { title: 'omega', owner: alice.id }, { level: 3 }),
    await adminCreate('notes', { title: 'beta', owner: bob.id }, { level: 1 }),
    await adminCreate('notes', { title: 'sigma', owner: bob.id }, { level: 2 }),
  ];
  const posts = [
    await adminCreate('posts', { title: 'alpha', published: true, owner: alice.id }),
    await adminCreate('posts', { title: 'omega', published: false, owner: alice.id }),
    await adminCreate('posts', { title: 'beta', published: false, owner: bob.id }),
    await adminCreate('posts', { title: 'sigma', published: true, owner: bob.id }),
  ];
  const ranked = [['alpha', 0], ['omega', 1], ['beta', 2], ['sigma', 5]] as const;
  const rankedIds = [];
  for (const [name, tier] of ranked) rankedIds.push(await adminCreate('ranked', { title: name }, { tier }));
  const flagged = [['alpha', true], ['omega', false], ['beta', null], ['sigma', true]] as const;
  const flaggedIds = [];
  for (const [name, blocked] of flagged) flaggedIds.push(await adminCreate('flagged', { title: name }, blocked === null ? {} : { blocked }));
  for (const id of flaggedIds) world.flagged!.get(id)!.blocked ??= null;
  const teams = [
    await adminCreate('teams', { title: 'alpha', members: [alice.id] }),
    await adminCreate('teams', { title: 'omega', members: [alice.id, bob.id] }),
    await adminCreate('teams', { title: 'beta', members: [] }),
  ];
  const docs = [
    await adminCreate('docs', { title: 'alpha', team: teams[0] }),
    await adminCreate('docs', { title: 'omega', team: teams[1] }),
    await adminCreate('docs', { title: 'beta', team: teams[2] }),
    await adminCreate('docs', { title: 'sigma', team: null }),
  ];
  for (let i = 0; i < 8; i++) {
    await adminCreate('links', {
      label: `l${i}`,
      toVault: vault[i % 2],
      toNote: notes[i % 4],
      toPost: posts[(i + 1) % 4],
      toRanked: rankedIds[(i + 2) % 4],
      toFlagged: flaggedIds[(i + 3) % 4],
      toUser: i < 6 ? users[i % 2] : null,
      toTeam: teams[i % 3],
      toDoc: docs[(i * 3) % 4],
      notesMany: i % 2 === 0 ? [notes[i % 4], notes[(i + 2) % 4]] : [],
    });
  }
  await adminCreate('links', { label: 'l8' });
  for (const who of everyone) {
    sockets.set(who, await connect(t, token(who)));
    subscribers.set(who, graphqlSubscriber(t, token(who)));
  }
});

afterAll(async () => {
  for (const client of sockets.values()) await client.close();
  for (const subscriber of subscribers.values()) await subscriber.dispose();
  await t?.stop();
});

describe('client filters through relations see only what the caller may view', () => {
  it('an anonymous client cannot bisect a user’s email through posts.owner (REST, count, GraphQL)', async () => {
    const published = [...world.posts!.values()].find((p) => p.title === 'alpha')!;
    const thresholds = ['a', 'alicd', 'alice', 'alice@', 'alice@f', 'b', 'm', 'z'];
    for (const who of ['anonymous', 'bob'] as Who[]) {
      for (const threshold of thresholds) {
        const filter = `id = "${published.id}" && owner.email >= "${threshold}"`;
        const rest = await call(who, 'GET', `${records('posts')}?filter=${encodeURIComponent(filter)}&count=true`);
        expect(rest.status).toBe(200);
        expect({ items: rest.body.items.length, total: rest.body.total }, `${who} REST ${filter}`).toEqual({ items: 0, total: 0 });
        const graphql = await call(who, 'POST', '/api/graphql', { query: 'query ($f: String) { posts(filter: $f) { totalCount } }', variables: { f: filter } });
        expect(graphql.body.data.posts.totalCount, `${who} GraphQL ${filter}`).toBe(0);
      }
    }
    // The admin's answers do depend on the email: the oracle is real, and closed only for those who may not view users.
    const admin = async (threshold: string) => (await call('admin', 'GET', `${records('posts')}?filter=${encodeURIComponent(`id = "${published.id}" && owner.email >= "${threshold}"`)}&count=true`)).body.total;
    expect([await admin('alice'), await admin('alicf')]).toEqual([1, 0]);
  });

  it('a filter into an admins-only collection matches nothing for non-admins, whatever the secret', async () => {
    for (const filter of ['toVault.secret > "a"', 'toVault.secret >= "zebra"', 'toVault.secret != "x"', 'toVault.id != ""', 'toTeam.members ~ "' + alice.id + '"']) {
      for (const who of ['anonymous', 'alice', 'bob'] as Who[]) {
        const rest = await call(who, 'GET', `${records('links')}?filter=${encodeURIComponent(filter)}&count=true`);
        expect([rest.status, rest.body.total], `${who} ${filter}`).toEqual([200, 0]);
      }
      const admin = await call('admin', 'GET', `${records('links')}?filter=${encodeURIComponent(filter)}&count=true`);
      expect(admin.body.total, `admin ${filter}`).toBeGreaterThan(0);
    }
  });

  it('a signed-in user sees through a published post only to the users it may view', async () => {
    // alice may view bob's published post but not bob: `owner.email ~ "bob"` must match nothing for her.
    const filter = 'owner.email ~ "bob"';
    const alices = await call('alice', 'GET', `${records('posts')}?filter=${encodeURIComponent(filter)}&count=true`);
    expect(alices.body.total).toBe(0);
    const bobs = await call('bob', 'GET', `${records('posts')}?filter=${encodeURIComponent(filter)}&count=true`);
    expect(bobs.body.total).toBe(2);
    const graphql = async (who: Who) => (await call(who, 'POST', '/api/graphql', { query: 'query ($f: String) { posts(filter: $f) { totalCount } }', variables: { f: filter } })).body.data.posts.totalCount;
    expect(await graphql('bob')).toBe(2);
    expect(await graphql('alice'), 'GraphQL filter through posts.owner').toBe(0);
  });

  it('random client filters give every caller exactly its reference on REST, count, GraphQL, live queries and subscriptions', async () => {
    await fc.assert(fc.asyncProperty(filterArb, checkEverySurface), { numRuns: Number(process.env.AUTHZ_RUNS ?? 20), seed: 1313, endOnFailure: true });
  });

  it('random view rules on the target (hidden fields and relations included) bound random client filters the same way', async () => {
    const level = (r: Row) => r.level as number;
    const noteRules: { rule: string | null; view: ViewRule }[] = [
      { rule: null, view: () => false },
      { rule: '', view: () => true },
      { rule: ownerOnly, view: (r, v) => r.owner === v.id },
      { rule: 'title >= "m"', view: (r) => r.title >= 'm' },
      { rule: 'level >= 2', view: (r) => level(r) >= 2 },
      { rule: 'owner.name = "bob" || level = 0', view: (r) => world.users!.get(r.owner)!.name === 'bob' || level(r) === 0 },
      { rule: 'owner = @request.auth.id && level < 3', view: (r, v) => r.owner === v.id && level(r) < 3 },
    ];
    const throughNotes: fc.Arbitrary<Node> = fc.record({ kind: fc.constant('leaf' as const), path: fc.constantFrom('toNote.title', 'toNote.owner.email', 'notesMany.title', 'notesMany.owner.name'), op: fc.constantFrom<Op>('=', '!=', '>=', '<', '~'), value: fc.constantFrom(...values) });
    const original = viewRules.notes!;
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...noteRules), fc.oneof(throughNotes, fc.record({ kind: fc.constant('or' as const), left: throughNotes, right: filterArb })), async (rule, node) => {
          const patched = await call('admin', 'PATCH', '/api/collections/notes', { listRule: rule.rule, viewRule: rule.rule });
          expect(patched.status, JSON.stringify(patched.body)).toBe(200);
          viewRules.notes = rule;
          await checkEverySurface(node);
        }),
        { numRuns: Number(process.env.AUTHZ_RUNS ?? 8), seed: 1314, endOnFailure: true },
      );
    } finally {
      viewRules.notes = original;
      await call('admin', 'PATCH', '/api/collections/notes', { listRule: original.rule, viewRule: original.rule });
    }
  });

  it('a live query does not move when a record the caller may not view starts matching its filter', async () => {
    const bobsNote = [...world.notes!.values()].find((n) => n.title === 'sigma')!;
    const filter = 'toNote.title ~ "zzz"';
    const clients = new Map<Who, RealtimeClient>();
    for (const who of ['anonymous', 'alice', 'bob'] as Who[]) {
      const client = sockets.get(who)!;
      clients.set(who, client);
      const snapshot = await subscribed(client, { sub: 'watch', kind: 'query', collection: 'links', filter });
      expect(snapshot.items).toEqual([]);
      await subscribed(client, { sub: 'watchc', kind: 'collection', collection: 'links', filter });
    }
    try {
      await call('admin', 'PATCH', `${records('notes')}/${bobsNote.id}`, { title: 'zzz' });
      await touchLinks(1000);
      for (const [who, client] of clients) {
        await client.sync();
        const seen = client.take((m) => m.sub === 'watch' || m.sub === 'watchc');
        const linked = [...world.links!.values()].filter((l) => l.toNote === bobsNote.id).map((l) => l.id);
        if (who === 'bob') expect(seen.length, 'bob may view his note: the links to it enter his view').toBeGreaterThan(0);
        else expect(seen, `${who} must hear nothing of links to a note it may not view (${linked.join(',')})`).toEqual([]);
      }
    } finally {
      await call('admin', 'PATCH', `${records('notes')}/${bobsNote.id}`, { title: 'sigma' });
      for (const client of clients.values()) {
        await unsubscribe(client, 'watch');
        await unsubscribe(client, 'watchc');
        await client.sync();
        client.take(() => true);
      }
    }
  });

  it('a graphql-ws subscription filtered through a relation hears only what the caller may view', async () => {
    const filter = 'toVault.secret >= "m" || toNote.title = "beta"';
    const node: Node = { kind: 'or', left: { kind: 'leaf', path: 'toVault.secret', op: '>=', value: 'm' }, right: { kind: 'leaf', path: 'toNote.title', op: '=', value: 'beta' } };
    const running = new Map<Who, Awaited<ReturnType<GraphqlSubscriber['subscribe']>>>();
    for (const who of everyone) running.set(who, await subscribers.get(who)!.subscribe('subscription ($f: String) { linksChanges(filter: $f) { op record { id } } }', { f: filter }));
    await touchLinks(2000);
    for (const who of everyone) {
      const want = expectedLinks(node, who).map((id) => `update ${id}`);
      const subscription = running.get(who)!;
      for (let i = 0; i < 50 && subscription.data.length < want.length; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      expect(subscription.data.map((d) => `${d.linksChanges.op} ${d.linksChanges.record.id}`).sort(), `${who} graphql-ws ${filter}`).toEqual(want);
      subscription.stop();
    }
  });

  it('an admin’s rule reaches through an admins-only collection, but the client’s filter through it stays bounded', async () => {
    const titles = async (who: Who, filter?: string) => {
      const query = filter ? `?filter=${encodeURIComponent(filter)}` : '';
      const response = await call(who, 'GET', `${records('docs')}${query}`);
      expect(response.status).toBe(200);
      return response.body.items.map((d: Row) => d.title).sort();
    };
    expect(await titles('alice')).toEqual(['alpha', 'omega']);
    expect(await titles('bob')).toEqual(['omega']);
    expect(await titles('anonymous')).toEqual([]);
    // `teams` is admins-only: the rule may read it, a client filter may not.
    expect(await titles('alice', 'team.title ~ "a"')).toEqual([]);
    expect(await titles('alice', `team.members ~ "${bob.id}"`)).toEqual([]);
    expect(await titles('admin', 'team.title ~ "a"')).toEqual(['alpha', 'beta', 'omega']);
    const graphql = async (who: Who) => (await call(who, 'POST', '/api/graphql', { query: '{ docs(filter: "team.title ~ \\"a\\"") { totalCount } }' })).body.data.docs.totalCount;
    expect(await graphql('admin')).toBe(3);
    expect(await graphql('alice'), 'GraphQL filter through the admins-only teams').toBe(0);
    // Realtime: the rule follows a membership change; the client's filter through teams still sees nothing.
    const client = sockets.get('alice')!;
    const plain = await subscribed(client, { sub: 'docs', kind: 'query', collection: 'docs', sort: 'title' });
    const probing = await subscribed(client, { sub: 'docs-probe', kind: 'query', collection: 'docs', sort: 'title', filter: 'team.title ~ "a"' });
    expect(plain.items.map((d: Row) => d.title)).toEqual(['alpha', 'omega']);
    expect(probing.items).toEqual([]);
    const empty = [...world.teams!.values()].find((team) => team.title === 'beta')!;
    await call('admin', 'PATCH', `${records('teams')}/${empty.id}`, { members: [alice.id] });
    try {
      await client.sync();
      let list = plain.items;
      for (const diff of client.take((m) => m.sub === 'docs' && m.type === 'diff')) list = applyOps(list, diff.ops);
      expect(list.map((d: Row) => d.title), 'alice joined the team of "beta"').toEqual(['alpha', 'beta', 'omega']);
      expect(client.take((m) => m.sub === 'docs-probe'), 'the probing live query does not move').toEqual([]);
    } finally {
      await call('admin', 'PATCH', `${records('teams')}/${empty.id}`, { members: [] });
      await unsubscribe(client, 'docs');
      await unsubscribe(client, 'docs-probe');
      await client.sync();
      client.take((m) => m.sub === 'docs' || m.sub === 'docs-probe');
    }
  });
});

describe('hidden fields are unknown to clients', () => {
  it('refuses filters and sorts on a hidden field, directly or through a relation, on every surface', async () => {
    for (const who of everyone) {
      for (const [collection, filter] of [['ranked', 'tier <= 1'], ['flagged', 'blocked = true'], ['links', 'toRanked.tier > 1'], ['links', 'toFlagged.blocked = true'], ['links', 'toNote.level >= 0'], ['links', 'toUser.passwordHash != ""']]) {
        const rest = await call(who, 'GET', `${records(collection!)}?filter=${encodeURIComponent(filter!)}`);
        expect([rest.status, rest.body.code], `${who} REST ${collection} ${filter}`).toEqual([400, 'INVALID_FILTER']);
        const graphql = await call(who, 'POST', '/api/graphql', { query: `query ($f: String) { ${collection}(filter: $f) { totalCount } }`, variables: { f: filter } });
        expect(graphql.body.errors?.[0]?.extensions?.code, `${who} GraphQL ${collection} ${filter}`).toBe('INVALID_FILTER');
        const client = sockets.get(who)!;
        for (const kind of ['collection', 'query']) {
          client.send({ type: 'subscribe', sub: 'hidden', kind, collection, filter });
          const answer = await client.next((m) => m.sub === 'hidden');
          expect([answer.type, answer.problem?.code], `${who} realtime ${kind} ${collection} ${filter}`).toEqual(['error', 'INVALID_FILTER']);
        }
      }
      for (const [collection, sort] of [['ranked', 'tier'], ['flagged', '-blocked'], ['links', 'toNote.title'], ['links', '-toRanked.title'], ['posts', 'owner.email']]) {
        const rest = await call(who, 'GET', `${records(collection!)}?sort=${encodeURIComponent(sort!)}`);
        expect([rest.status, rest.body.code], `${who} REST sort ${collection} ${sort}`).toEqual([400, 'INVALID_SORT']);
        const client = sockets.get(who)!;
        client.send({ type: 'subscribe', sub: 'hidden', kind: 'query', collection, sort });
        const answer = await client.next((m) => m.sub === 'hidden');
        expect([answer.type, answer.problem?.code], `${who} live query sort ${collection} ${sort}`).toEqual(['error', 'INVALID_SORT']);
      }
      // The typed where has no hidden fields at all: the operation does not validate.
      const where = await call(who, 'POST', '/api/graphql', { query: '{ ranked(where: { tier: { lte: 1 } }) { totalCount } }' });
      expect(where.body.data?.ranked ?? null, `${who} where on a hidden field`).toBeNull();
      expect(where.body.errors?.length, `${who} where on a hidden field`).toBeGreaterThan(0);
    }
  });
});

describe('reads of records and their relations', () => {
  it('REST get answers 200, 404 (hidden like missing) or 403 (admins-only) exactly as each view rule says', async () => {
    for (const who of everyone) {
      for (const [collection, rows] of Object.entries(world)) {
        if (collection === 'pins') continue;
        for (const row of rows.values()) {
          const want = who !== 'admin' && viewRules[collection]!.rule === null ? 403 : mayView(collection, row, viewer(who)) ? 200 : 404;
          const response = await call(who, 'GET', `${records(collection)}/${row.id}`);
          expect(response.status, `${who} GET ${collection}/${row.title ?? row.email}`).toBe(want);
          if (want === 200) for (const hidden of ['tier', 'blocked', 'level', 'passwordHash']) expect(response.body, `${who} GET ${collection}`).not.toHaveProperty(hidden);
        }
      }
    }
  });

  it('expand and fields include exactly the related records the caller may view', async () => {
    const fields = Object.keys(relations.links!);
    for (const who of everyone) {
      const response = await call(who, 'GET', `${records('links')}?expand=${fields.join(',')}&limit=100`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      for (const item of response.body.items as Json[]) {
        const row = world.links!.get(item.id)!;
        for (const field of fields) {
          const target = relations.links![field]!;
          const held: string[] = Array.isArray(row[field]) ? row[field] : row[field] ? [row[field]] : [];
          const want = held.filter((id) => mayView(target, world[target]!.get(id)!, viewer(who)));
          const got = item.expand?.[field];
          const ids = got === undefined || got === null ? [] : Array.isArray(got) ? got.map((r: Row) => r.id) : [got.id];
          expect(ids, `${who} expand ${row.label}.${field}`).toEqual(want);
          for (const record of Array.isArray(got) ? got : got ? [got] : []) for (const hidden of ['tier', 'blocked', 'level']) expect(record).not.toHaveProperty(hidden);
        }
      }
      const selected = await call(who, 'GET', `${records('links')}?expand=toNote,toVault&fields=id,toNote.title,toVault.secret&limit=100`);
      expect(selected.status, JSON.stringify(selected.body)).toBe(200);
      for (const item of selected.body.items as Json[]) {
        const row = world.links!.get(item.id)!;
        const note = row.toNote ? world.notes!.get(row.toNote)! : undefined;
        expect(item.expand?.toNote?.title ?? null, `${who} fields ${row.label}.toNote.title`).toBe(note && mayView('notes', note, viewer(who)) ? note.title : null);
        const vault = row.toVault ? world.vault!.get(row.toVault)! : undefined;
        expect(item.expand?.toVault?.secret ?? null, `${who} fields ${row.label}.toVault.secret`).toBe(vault && who === 'admin' ? vault.secret : null);
      }
    }
  });

  it('GraphQL relation fields are null or absent for related records the caller may not view', async () => {
    const single = ['toVault', 'toNote', 'toPost', 'toRanked', 'toFlagged', 'toUser', 'toTeam', 'toDoc'];
    const query = `{ links(first: 100) { edges { node { id ${single.map((f) => `${f} { id }`).join(' ')} notesMany { totalCount edges { node { id } } } } } } }`;
    for (const who of everyone) {
      const response = await call(who, 'POST', '/api/graphql', { query });
      expect(response.body.errors, who).toBeUndefined();
      for (const { node } of response.body.data.links.edges as Json[]) {
        const row = world.links!.get(node.id)!;
        for (const field of single) {
          const target = relations.links![field]!;
          const related = row[field] ? world[target]!.get(row[field])! : undefined;
          expect(node[field]?.id ?? null, `${who} ${row.label}.${field}`).toBe(related && mayView(target, related, viewer(who)) ? related.id : null);
        }
        const want = (row.notesMany as string[]).filter((id) => mayView('notes', world.notes!.get(id)!, viewer(who)));
        expect(node.notesMany.edges.map((e: Json) => e.node.id).sort(), `${who} ${row.label}.notesMany`).toEqual(sorted(want));
        expect(node.notesMany.totalCount).toBe(want.length);
      }
    }
  });
});

describe('realtime judges rules on hidden fields on the full record', () => {
  const visible = (collection: string, who: Who) => sorted([...world[collection]!.values()].filter((r) => mayView(collection, r, viewer(who))).map((r) => r.id));

  it('collection, record and graphql-ws subscriptions and live queries deliver exactly what REST lists, without hidden fields', async () => {
    const graphql = new Map<Who, Awaited<ReturnType<GraphqlSubscriber['subscribe']>>[]>();
    for (const who of everyone) {
      const client = sockets.get(who)!;
      for (const collection of ['ranked', 'flagged']) {
        const rest = await call(who, 'GET', `${records(collection)}?limit=100`);
        expect(sorted(rest.body.items.map((r: Row) => r.id)), `${who} REST ${collection}`).toEqual(visible(collection, who));
        await subscribed(client, { sub: `all-${collection}`, kind: 'collection', collection });
        const snapshot = await subscribed(client, { sub: `live-${collection}`, kind: 'query', collection, limit: 100 });
        expect(sorted(snapshot.items.map((r: Row) => r.id)), `${who} live query ${collection}`).toEqual(visible(collection, who));
        for (const row of world[collection]!.values()) {
          client.send({ type: 'subscribe', sub: `one-${row.id}`, kind: 'record', collection, id: row.id });
          await client.next((m) => m.sub === `one-${row.id}` && (m.type === 'subscribed' || m.type === 'error'));
        }
      }
      graphql.set(who, [
        await subscribers.get(who)!.subscribe('subscription { rankedChanges { op record { id title } } }', undefined, 0),
        await subscribers.get(who)!.subscribe('subscription { flaggedChanges { op record { id title } } }', undefined, 250),
      ]);
    }
    for (const collection of ['ranked', 'flagged']) for (const row of world[collection]!.values()) await call('admin', 'PATCH', `${records(collection)}/${row.id}`, { title: `${row.title}!` });
    for (const who of everyone) {
      const client = sockets.get(who)!;
      await client.sync();
      for (const collection of ['ranked', 'flagged']) {
        const want = visible(collection, who).map((id) => `update ${id}`);
        const events = client.take((m) => m.sub === `all-${collection}`);
        expect(events.map((e) => `${e.op} ${e.record.id}`).sort(), `${who} collection subscription ${collection}`).toEqual(want);
        const single = [...world[collection]!.keys()].flatMap((id) => client.take((m) => m.sub === `one-${id}` && m.type === 'event'));
        expect(single.map((e) => `${e.op} ${e.record.id}`).sort(), `${who} record subscriptions ${collection}`).toEqual(want);
        for (const event of [...events, ...single]) for (const hidden of ['tier', 'blocked']) expect(event.record).not.toHaveProperty(hidden);
        const diffs = client.take((m) => m.sub === `live-${collection}` && m.type === 'diff');
        expect(JSON.stringify(diffs)).not.toMatch(/"(tier|blocked)"/);
        const touched = new Set(diffs.flatMap((d) => d.ops.map((o: Json) => o.record?.id ?? o.id)));
        for (const id of touched) expect(visible(collection, who), `${who} live query ${collection} sent ${id}`).toContain(id);
      }
      const [rankedChanges, flaggedChanges] = graphql.get(who)!;
      const expected = visible('ranked', who).length + visible('flagged', who).length;
      for (let i = 0; i < 50 && rankedChanges!.data.length + flaggedChanges!.data.length < expected; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50));
      expect(rankedChanges!.data.map((d) => `${d.rankedChanges.op} ${d.rankedChanges.record.id}`).sort(), `${who} graphql-ws ranked`).toEqual(visible('ranked', who).map((id) => `update ${id}`));
      expect(flaggedChanges!.data.map((d) => `${d.flaggedChanges.op} ${d.flaggedChanges.record.id}`).sort(), `${who} graphql-ws flagged`).toEqual(visible('flagged', who).map((id) => `update ${id}`));
      rankedChanges!.stop();
      flaggedChanges!.stop();
    }
  });

  it('a change of a hidden field alone moves a record into and out of view, for everyone it concerns', async () => {
    const sigma = [...world.ranked!.values()].find((r) => r.tier === 5)!;
    const omega = [...world.flagged!.values()].find((r) => r.blocked === false)!;
    // Starts from the subscriptions of the test before, with nothing left over from it (it may have failed).
    for (const client of sockets.values()) {
      await client.sync();
      client.take((m) => m.type === 'event' || m.type === 'diff');
    }
    await setHidden('ranked', sigma.id, { tier: 1 });
    await setHidden('flagged', omega.id, { blocked: true });
    await setHidden('ranked', sigma.id, { tier: 5 });
    await setHidden('flagged', omega.id, { blocked: false });
    for (const who of ['anonymous', 'alice'] as Who[]) {
      const client = sockets.get(who)!;
      await client.sync();
      const ranked = client.take((m) => m.sub === 'all-ranked').map((e) => `${e.op} ${e.record.id}`);
      expect(ranked, `${who} ranked: tier 5 → 1 → 5`).toEqual([`insert ${sigma.id}`, `remove ${sigma.id}`]);
      const flagged = client.take((m) => m.sub === 'all-flagged').map((e) => `${e.op} ${e.record.id}`);
      expect(flagged, `${who} flagged: blocked false → true → false`).toEqual([`remove ${omega.id}`, `insert ${omega.id}`]);
      const own = client.take((m) => (m.sub === `one-${sigma.id}` || m.sub === `one-${omega.id}`) && m.type === 'event').map((e) => `${e.op} ${e.record.id}`);
      expect(own, `${who} record subscriptions`).toEqual([`insert ${sigma.id}`, `remove ${omega.id}`, `remove ${sigma.id}`, `insert ${omega.id}`]);
      const live = client.take((m) => m.sub === 'live-ranked' && m.type === 'diff');
      expect(live.flatMap((d) => d.ops.map((o: Json) => o.op)), `${who} live query on ranked`).toEqual(['insert', 'remove']);
    }
    for (const who of everyone) {
      const client = sockets.get(who)!;
      for (const sub of ['all-ranked', 'all-flagged', 'live-ranked', 'live-flagged', ...[...world.ranked!.keys(), ...world.flagged!.keys()].map((id) => `one-${id}`)]) client.send({ type: 'unsubscribe', sub });
      await client.sync();
      client.take(() => true);
    }
  });
});

describe('linking a record to a target the caller may not view', () => {
  const pin = (who: Who, data: Record<string, unknown>) => call(who, 'POST', records('pins'), data);
  const idOf = (collection: string, test: (r: Row) => boolean) => [...world[collection]!.values()].find(test)!.id;

  it('is refused exactly like a missing target, on create and on update', async () => {
    const cases: [string, string][] = [
      ['toNote', idOf('notes', (n) => n.owner === bob.id)],
      ['toVault', idOf('vault', () => true)],
      ['toPost', idOf('posts', (p) => p.owner === bob.id && !p.published)],
      ['toRanked', idOf('ranked', (r) => r.tier > 1)],
      ['toFlagged', idOf('flagged', (r) => r.blocked === true)],
      ['toUser', bob.id],
      ['toTeam', idOf('teams', (r) => r.title === 'omega')],
      ['toDoc', idOf('docs', (d) => d.title === 'beta')],
    ];
    const own = await pin('alice', { label: 'mine' });
    expect(own.status).toBe(201);
    for (const [field, id] of cases) {
      const hidden = await pin('alice', { [field]: id });
      const missing = await pin('alice', { [field]: `${id}x` });
      expect([hidden.status, hidden.body.code, hidden.body.errors?.[field]?.code], `alice links ${field} to a record she may not view`).toEqual([422, 'VALIDATION_FAILED', 'not_found']);
      expect(JSON.stringify(hidden.body).replaceAll(id, 'ID'), field).toBe(JSON.stringify(missing.body).replaceAll(`${id}x`, 'ID'));
      const updated = await call('alice', 'PATCH', `${records('pins')}/${own.body.id}`, { [field]: id });
      expect([updated.status, updated.body.errors?.[field]?.code], `alice updates ${field} to a record she may not view`).toEqual([422, 'not_found']);
    }
    // The same refusal over GraphQL and the realtime protocol.
    const bobNote = cases[0]![1];
    const graphql = await call('alice', 'POST', '/api/graphql', { query: `mutation { createPins(data: { toNote: "${bobNote}" }) { id } }` });
    expect([graphql.body.errors?.[0]?.extensions?.code, graphql.body.errors?.[0]?.extensions?.errors?.toNote?.code], 'GraphQL create linking bob’s note').toEqual(['VALIDATION_FAILED', 'not_found']);
    const client = sockets.get('alice')!;
    client.send({ type: 'create', req: 'link1', collection: 'pins', data: { toNote: bobNote } });
    const answer = await client.next((m) => m.req === 'link1');
    expect([answer.type, answer.problem?.errors?.toNote?.code], 'realtime create linking bob’s note').toEqual(['error', 'not_found']);
    const many = await pin('alice', { notesMany: [idOf('notes', (n) => n.owner === alice.id), idOf('notes', (n) => n.owner === bob.id)] });
    expect([many.status, many.body.errors?.notesMany?.code], 'a to-many relation with one note she may not view').toEqual([422, 'not_found']);
    const anonymousPin = await call('anonymous', 'POST', records('pins'), { toUser: alice.id });
    expect(anonymousPin.status).toBe(403);
  });

  it('accepts targets the caller may view, ids the record already held, and anything from an admin', async () => {
    const aliceNote = idOf('notes', (n) => n.owner === alice.id);
    const bobNote = idOf('notes', (n) => n.owner === bob.id);
    const ok = await pin('alice', { toNote: aliceNote, toUser: alice.id, toPost: idOf('posts', (p) => p.owner === bob.id && p.published), toRanked: idOf('ranked', (r) => r.tier === 0), toFlagged: idOf('flagged', (r) => r.blocked === false), toDoc: idOf('docs', (d) => d.title === 'alpha') });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const byAdmin = await pin('admin', { toNote: bobNote, toVault: idOf('vault', () => true), notesMany: [bobNote] });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(201);
    // Ids already held are not checked again: alice may edit a pin an admin linked to bob's note.
    const relabel = await call('alice', 'PATCH', `${records('pins')}/${byAdmin.body.id}`, { label: 'relabelled', notesMany: [bobNote, aliceNote] });
    expect(relabel.status, JSON.stringify(relabel.body)).toBe(200);
    const keep = await call('alice', 'PATCH', `${records('pins')}/${byAdmin.body.id}`, { toNote: bobNote });
    expect(keep.status, JSON.stringify(keep.body)).toBe(200);
    const other = await call('alice', 'PATCH', `${records('pins')}/${byAdmin.body.id}`, { notesMany: [bobNote, idOf('notes', (n) => n.owner === bob.id && n.id !== bobNote)] });
    expect([other.status, other.body.errors?.notesMany?.code], 'a new id she may not view beside a held one').toEqual([422, 'not_found']);
  });

  it('is allowed for any existing target on a relation with linkAny (invitations), and only there', async () => {
    const created = await call('admin', 'POST', '/api/collections', {
      name: 'invites',
      fields: [{ name: 'to', type: 'relation', collection: 'users', linkAny: true }, { name: 'cc', type: 'relation', collection: 'users' }, { name: 'from', type: 'relation', collection: 'users' }],
      listRule: 'from = @request.auth.id || to = @request.auth.id', viewRule: 'from = @request.auth.id || to = @request.auth.id', createRule: 'from = @request.auth.id',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const invite = await call('alice', 'POST', records('invites'), { from: alice.id, to: bob.id });
    expect(invite.status, JSON.stringify(invite.body)).toBe(201);
    const missing = await call('alice', 'POST', records('invites'), { from: alice.id, to: `${bob.id}x` });
    expect([missing.status, missing.body.errors?.to?.code]).toEqual([422, 'not_found']);
    const cc = await call('alice', 'POST', records('invites'), { from: alice.id, to: bob.id, cc: bob.id });
    expect([cc.status, cc.body.errors?.cc?.code], 'cc has no linkAny').toEqual([422, 'not_found']);
    // linkAny lets alice link bob, not read him: a filter through `to` still sees only users she may view.
    const probe = await call('alice', 'GET', `${records('invites')}?filter=${encodeURIComponent('to.email ~ "bob"')}&count=true`);
    expect(probe.body.total).toBe(0);
  });
});
