/**
 * Re-judging open subscriptions when an admin changes the rules (issue 13, item 6): after a rule change
 * (PATCH /api/collections/{name}), a collection deletion, or a deletion and re-creation under the same name, within
 * one second every open subscription and live query shows exactly what REST shows:
 * - live queries re-run and send a `diff` to the new result (or end);
 * - collection and record subscriptions no longer allowed end with `{ type: "unsubscribed", sub, reason: "forbidden" }`
 *   (`"collection_deleted"` when the collection was deleted or re-created: a re-created collection's records never
 *   reach the old subscribers); still-allowed ones keep delivering, judged by the new rule;
 * - a live query that can no longer run ends the same way (`"forbidden"` or `"invalid"`), and its id is free again;
 * - a live query whose new rule reaches through `team.members` follows changes there;
 * - the realtime server says why first: an `error` for that `sub` with the catalogue code, then `unsubscribed`;
 * - on graphql-ws, a subscription no longer allowed gets a last `next` whose errors carry FORBIDDEN or
 *   COLLECTION_NOT_FOUND, then `complete`.
 * - a field made hidden under a live query's filter makes the query unable to run (a client may not probe it);
 * - on PostgreSQL, the same holds for subscriptions open on another instance sharing the database (cluster signal).
 */
import { applyOps } from '@causeway/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp, type Account } from './support/accounts.js';
import { graphqlSubscriber, type GraphqlSubscriber } from './support/graphql-subscriber.js';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { onPostgres } from './support/test-database.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

type Who = 'anonymous' | 'alice' | 'bob' | 'admin';
/** The bound of the contract: what is open shows what REST shows within one second of the change. */
const withinMs = 1000;

let t: TestServer;
let alice: Account;
let bob: Account;
const opened: { close(): Promise<void> }[] = [];
const records = (collection: string) => `/api/collections/${collection}/records`;
const headers = (who: Who): Record<string, string> => (who === 'anonymous' ? anonymous : who === 'admin' ? {} : who === 'alice' ? alice.auth : bob.auth);
const token = (who: Who): string | undefined => (who === 'anonymous' ? undefined : who === 'admin' ? t.adminToken : who === 'alice' ? alice.token : bob.token);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function socket(who: Who): Promise<RealtimeClient> {
  const client = await connect(t, token(who));
  opened.push(client);
  return client;
}

function graphql(who: Who): GraphqlSubscriber {
  const subscriber = graphqlSubscriber(t, token(who));
  opened.push({ close: () => subscriber.dispose() });
  return subscriber;
}

async function admin(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await t.request(method, path, body);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body;
}

async function createCollection(definition: Record<string, unknown>): Promise<void> {
  await admin('POST', '/api/collections', definition);
}

async function subscribe(client: RealtimeClient, message: Record<string, unknown>): Promise<Json> {
  client.send({ type: 'subscribe', ...message });
  const answer = await client.next((m) => m.sub === message.sub && ['subscribed', 'snapshot', 'error'].includes(m.type));
  expect(answer.type, JSON.stringify(answer)).not.toBe('error');
  return answer;
}

async function restItems(who: Who, collection: string, query: string): Promise<Json[]> {
  const response = await t.request('GET', `${records(collection)}?${query}`, undefined, headers(who));
  expect(response.status).toBe(200);
  return response.body.items;
}

/** A live query as a client holds it: the snapshot with every diff applied. */
interface LiveQuery {
  client: RealtimeClient;
  sub: string;
  collection: string;
  /** The same query as REST parameters. */
  query: string;
  who: Who;
  items: Json[];
}

async function liveQuery(who: Who, client: RealtimeClient, sub: string, collection: string, params: { filter?: string; sort: string }): Promise<LiveQuery> {
  const snapshot = await subscribe(client, { sub, kind: 'query', collection, ...params, limit: 100 });
  const query = `sort=${params.sort}&limit=100${params.filter ? `&filter=${encodeURIComponent(params.filter)}` : ''}`;
  return { client, sub, collection, query, who, items: snapshot.items };
}

/** Waits (at most a second) until the live query, with the diffs it received, equals what REST answers now. */
async function showsWhatRestShows(live: LiveQuery, label: string): Promise<void> {
  const want = await restItems(live.who, live.collection, live.query);
  const deadline = Date.now() + withinMs;
  for (;;) {
    for (const message of live.client.take((m) => m.sub === live.sub)) {
      if (message.type === 'diff') live.items = applyOps(live.items, message.ops);
      else throw new Error(`${label}: unexpected ${JSON.stringify(message)}`);
    }
    if (JSON.stringify(live.items) === JSON.stringify(want)) return;
    if (Date.now() > deadline) {
      expect(live.items.map((r: Json) => r.title), `${label}: the live query within ${withinMs} ms`).toEqual(want.map((r: Json) => r.title));
      expect(live.items, `${label}: the live query within ${withinMs} ms`).toEqual(want);
      return;
    }
    await sleep(20);
  }
}

const codeFor: Record<string, string[]> = { forbidden: ['FORBIDDEN'], collection_deleted: ['COLLECTION_NOT_FOUND'], invalid: ['INVALID_FILTER', 'INVALID_SORT', 'INTERNAL'] };

/** The `unsubscribed` message for `sub`, which must arrive within a second, after the `error` that says why. */
async function ended(client: RealtimeClient, sub: string): Promise<Json> {
  let message: Json;
  try {
    message = await client.next((m) => m.sub === sub && m.type === 'unsubscribed', withinMs);
  } catch (error) {
    throw new Error(`subscription '${sub}' was not ended within ${withinMs} ms (${(error as Error).message})`);
  }
  const errors = client.take((m) => m.sub === sub && m.type === 'error');
  expect(errors.map((e) => e.problem.code), `the error before '${sub}' ended (${message.reason})`).toEqual([expect.toBeOneOf(codeFor[message.reason] ?? [])]);
  return message;
}

async function events(client: RealtimeClient, sub: string): Promise<Json[]> {
  await client.sync();
  return client.take((m) => m.sub === sub && m.type === 'event');
}

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com');
  bob = await signUp(t, 'bob@example.com');
});

afterAll(async () => {
  for (const client of opened) await client.close();
  await t?.stop();
});

const owner = 'owner = @request.auth.id';
const itemFields = [{ name: 'title', type: 'text' }, { name: 'owner', type: 'relation', collection: 'users' }];

describe('a changed rule', () => {
  it('tightened: live queries move to the new result within a second, subscriptions judge later changes by it', async () => {
    await createCollection({ name: 'items', fields: itemFields, listRule: '', viewRule: '' });
    const a1 = await admin('POST', records('items'), { title: 'a1', owner: alice.id });
    await admin('POST', records('items'), { title: 'a2', owner: alice.id });
    await admin('POST', records('items'), { title: 'b1', owner: bob.id });
    const clients = new Map<Who, RealtimeClient>();
    const lives: LiveQuery[] = [];
    for (const who of ['anonymous', 'alice', 'bob'] as Who[]) {
      const client = await socket(who);
      clients.set(who, client);
      lives.push(await liveQuery(who, client, 'q', 'items', { sort: 'title' }));
      await subscribe(client, { sub: 'c', kind: 'collection', collection: 'items' });
      await subscribe(client, { sub: 'r', kind: 'record', collection: 'items', id: a1.id });
      expect(lives.at(-1)!.items).toHaveLength(3);
    }
    await admin('PATCH', '/api/collections/items', { listRule: owner, viewRule: owner });
    for (const live of lives) await showsWhatRestShows(live, `${live.who} after the rule became owner-only`);
    expect(lives.map((l) => l.items.map((r: Json) => r.title))).toEqual([[], ['a1', 'a2'], ['b1']]);

    await admin('PATCH', `${records('items')}/${a1.id}`, { title: 'a1!' });
    const alices = clients.get('alice')!;
    expect((await events(alices, 'c')).map((e) => e.op)).toEqual(['update']);
    expect((await events(alices, 'r')).map((e) => e.op)).toEqual(['update']);
    for (const who of ['anonymous', 'bob'] as Who[]) {
      const client = clients.get(who)!;
      expect(await events(client, 'c'), `${who}'s collection subscription under the new rule`).toEqual([]);
      expect(await events(client, 'r'), `${who}'s record subscription under the new rule`).toEqual([]);
      // A record subscription whose record the caller may no longer view may end; if it does, it says why.
      for (const message of client.take((m) => m.sub === 'r' && m.type === 'unsubscribed')) expect(message.reason).toBe('forbidden');
      client.take((m) => m.sub === 'r' && m.type === 'error');
    }
    for (const live of lives) await showsWhatRestShows(live, `${live.who} after a write under the new rule`);
  });

  it('loosened: live queries and subscriptions see what the new rule lets them see', async () => {
    await createCollection({ name: 'drafts', fields: itemFields, listRule: owner, viewRule: owner });
    await admin('POST', records('drafts'), { title: 'd1', owner: alice.id });
    const d2 = await admin('POST', records('drafts'), { title: 'd2', owner: bob.id });
    const client = await socket('anonymous');
    const live = await liveQuery('anonymous', client, 'q', 'drafts', { sort: 'title' });
    expect(live.items).toEqual([]);
    await subscribe(client, { sub: 'c', kind: 'collection', collection: 'drafts' });
    await admin('PATCH', '/api/collections/drafts', { listRule: '', viewRule: '' });
    await showsWhatRestShows(live, 'anonymous after the rule became ""');
    expect(live.items.map((r: Json) => r.title)).toEqual(['d1', 'd2']);
    await admin('PATCH', `${records('drafts')}/${d2.id}`, { title: 'd2!' });
    expect((await events(client, 'c')).map((e) => `${e.op} ${e.record.title}`)).toEqual(['update d2!']);
  });

  it('set to null: every non-admin subscription and live query ends with reason forbidden, and its id is free again', async () => {
    await createCollection({ name: 'memos', fields: itemFields, listRule: '', viewRule: '' });
    const m1 = await admin('POST', records('memos'), { title: 'm1', owner: alice.id });
    const clients = new Map<Who, RealtimeClient>();
    for (const who of ['anonymous', 'alice', 'admin'] as Who[]) {
      const client = await socket(who);
      clients.set(who, client);
      await subscribe(client, { sub: 'c', kind: 'collection', collection: 'memos' });
      await subscribe(client, { sub: 'r', kind: 'record', collection: 'memos', id: m1.id });
      await subscribe(client, { sub: 'q', kind: 'query', collection: 'memos', sort: 'title' });
    }
    await admin('PATCH', '/api/collections/memos', { listRule: null, viewRule: null });
    for (const who of ['anonymous', 'alice'] as Who[]) {
      for (const sub of ['c', 'r', 'q']) expect((await ended(clients.get(who)!, sub)).reason, `${who} ${sub}`).toBe('forbidden');
    }
    await admin('PATCH', `${records('memos')}/${m1.id}`, { title: 'm1!' });
    const admins = clients.get('admin')!;
    expect((await events(admins, 'c')).map((e) => e.record.title), 'the admin keeps its subscription').toEqual(['m1!']);
    expect((await events(admins, 'r')).map((e) => e.record.title)).toEqual(['m1!']);
    expect(admins.take((m) => m.type === 'unsubscribed')).toEqual([]);
    for (const who of ['anonymous', 'alice'] as Who[]) {
      const client = clients.get(who)!;
      await client.sync();
      expect(client.take((m) => m.type === 'event' || m.type === 'diff'), `${who} hears nothing more`).toEqual([]);
    }
    // The ids are free: subscribing again is judged afresh (refused now, accepted once the rule allows it).
    const alices = clients.get('alice')!;
    alices.send({ type: 'subscribe', sub: 'q', kind: 'query', collection: 'memos', sort: 'title' });
    expect((await alices.next((m) => m.sub === 'q')).problem?.code).toBe('FORBIDDEN');
    await admin('PATCH', '/api/collections/memos', { listRule: '', viewRule: '' });
    const again = await subscribe(alices, { sub: 'q', kind: 'query', collection: 'memos', sort: 'title' });
    expect(again.items.map((r: Json) => r.title)).toEqual(['m1!']);
    await subscribe(alices, { sub: 'c', kind: 'collection', collection: 'memos' });
  });

  it('that makes a live query unable to run ends it with reason invalid, and frees its id', async () => {
    await createCollection({ name: 'gauges', fields: [{ name: 'title', type: 'text' }, { name: 'rank', type: 'number' }], listRule: '', viewRule: '' });
    await admin('POST', records('gauges'), { title: 'g1', rank: 2 });
    const client = await socket('alice');
    await subscribe(client, { sub: 'q', kind: 'query', collection: 'gauges', filter: 'rank > 1', sort: 'title' });
    await admin('PATCH', '/api/collections/gauges?confirm=true', { fields: [{ name: 'title', type: 'text' }] });
    expect((await ended(client, 'q')).reason).toBe('invalid');
    const again = await subscribe(client, { sub: 'q', kind: 'query', collection: 'gauges', filter: 'title != ""', sort: 'title' });
    expect(again.items.map((r: Json) => r.title)).toEqual(['g1']);
  });

  it('that hides a field a live query filters on ends it with reason invalid: a client may not probe hidden fields', async () => {
    const fields = [{ name: 'title', type: 'text' }, { name: 'score', type: 'number' }];
    await createCollection({ name: 'scores', fields, listRule: '', viewRule: '' });
    await admin('POST', records('scores'), { title: 's1', score: 7 });
    const client = await socket('anonymous');
    await subscribe(client, { sub: 'q', kind: 'query', collection: 'scores', filter: 'score >= 5', sort: 'title' });
    await admin('PATCH', '/api/collections/scores', { fields: [fields[0], { ...fields[1], hidden: true }] });
    expect((await ended(client, 'q')).reason).toBe('invalid');
    await client.sync();
    expect(JSON.stringify(client.received), 'nothing carries the hidden score').not.toContain('"score"');
  });

  it('through team.members: a live query follows the relations of its new rule', async () => {
    await createCollection({ name: 'squads', fields: [{ name: 'title', type: 'text' }, { name: 'members', type: 'relation', collection: 'users', multiple: true }] });
    await createCollection({ name: 'plans', fields: [{ name: 'title', type: 'text' }, { name: 'squad', type: 'relation', collection: 'squads' }], listRule: '', viewRule: '' });
    const mine = await admin('POST', records('squads'), { title: 'mine', members: [alice.id] });
    const theirs = await admin('POST', records('squads'), { title: 'theirs', members: [bob.id] });
    await admin('POST', records('plans'), { title: 'p-mine', squad: mine.id });
    await admin('POST', records('plans'), { title: 'p-theirs', squad: theirs.id });
    const client = await socket('alice');
    const live = await liveQuery('alice', client, 'q', 'plans', { sort: 'title' });
    expect(live.items).toHaveLength(2);
    const member = 'squad.members ~ @request.auth.id';
    await admin('PATCH', '/api/collections/plans', { listRule: member, viewRule: member });
    await showsWhatRestShows(live, 'alice after the rule reached through squad.members');
    expect(live.items.map((r: Json) => r.title)).toEqual(['p-mine']);
    await admin('PATCH', `${records('squads')}/${theirs.id}`, { members: [bob.id, alice.id] });
    await showsWhatRestShows(live, 'alice after joining the other squad');
    expect(live.items.map((r: Json) => r.title)).toEqual(['p-mine', 'p-theirs']);
    await admin('PATCH', `${records('squads')}/${mine.id}`, { members: [] });
    await showsWhatRestShows(live, 'alice after leaving her squad');
    expect(live.items.map((r: Json) => r.title)).toEqual(['p-theirs']);
  });
});

describe('a deleted collection', () => {
  it('ends every subscription and live query on it with reason collection_deleted, graphql-ws with COLLECTION_NOT_FOUND', async () => {
    await createCollection({ name: 'temp', fields: itemFields, listRule: '', viewRule: '' });
    const r1 = await admin('POST', records('temp'), { title: 't1' });
    const clients: RealtimeClient[] = [];
    for (const who of ['anonymous', 'admin'] as Who[]) {
      const client = await socket(who);
      clients.push(client);
      await subscribe(client, { sub: 'c', kind: 'collection', collection: 'temp' });
      await subscribe(client, { sub: 'r', kind: 'record', collection: 'temp', id: r1.id });
      await subscribe(client, { sub: 'q', kind: 'query', collection: 'temp', sort: 'title' });
    }
    const changes = await graphql('anonymous').subscribe('subscription { tempChanges { op record { id } } }');
    await admin('DELETE', '/api/collections/temp?confirm=true');
    for (const client of clients) for (const sub of ['c', 'r', 'q']) expect((await ended(client, sub)).reason, sub).toBe('collection_deleted');
    await changes.end(withinMs);
    expect(changes.errors?.[0]?.extensions?.code).toBe('COLLECTION_NOT_FOUND');
  });

  it('re-created under the same name never streams its records to the old subscribers', async () => {
    for (const rule of [null, '']) {
      await createCollection({ name: 'phoenix', fields: itemFields, listRule: '', viewRule: '' });
      await admin('POST', records('phoenix'), { title: 'old' });
      const clients = new Map<Who, RealtimeClient>();
      const changes = await graphql('anonymous').subscribe('subscription { phoenixChanges { op record { id title } } }');
      for (const who of ['anonymous', 'alice', 'admin'] as Who[]) {
        const client = await socket(who);
        clients.set(who, client);
        await subscribe(client, { sub: 'c', kind: 'collection', collection: 'phoenix' });
        await subscribe(client, { sub: 'q', kind: 'query', collection: 'phoenix', sort: 'title' });
      }
      await admin('DELETE', '/api/collections/phoenix?confirm=true');
      await createCollection({ name: 'phoenix', fields: itemFields, listRule: rule, viewRule: rule });
      await admin('POST', records('phoenix'), { title: `reborn under ${JSON.stringify(rule)}` });
      for (const [who, client] of clients) {
        for (const sub of ['c', 'q']) expect((await ended(client, sub)).reason, `${who} ${sub}, re-created with ${JSON.stringify(rule)}`).toBe('collection_deleted');
        await client.sync();
        expect(JSON.stringify(client.received), `${who} after re-creation with ${JSON.stringify(rule)}`).not.toContain('reborn');
      }
      await changes.end(withinMs);
      expect(JSON.stringify(changes.data)).not.toContain('reborn');
      // Subscribing anew reaches the new collection under its own rule.
      const fresh = await clients.get('admin')!;
      const snapshot = await subscribe(fresh, { sub: 'q', kind: 'query', collection: 'phoenix', sort: 'title' });
      expect(snapshot.items.map((r: Json) => r.title)).toEqual([`reborn under ${JSON.stringify(rule)}`]);
      await admin('DELETE', '/api/collections/phoenix?confirm=true');
    }
  });
});

describe('graphql-ws subscriptions', () => {
  it('are judged by a tightened rule, and end with FORBIDDEN when the rule no longer allows them', async () => {
    await createCollection({ name: 'signals', fields: itemFields, listRule: '', viewRule: '' });
    const s1 = await admin('POST', records('signals'), { title: 's1', owner: alice.id });
    const query = 'subscription { signalsChanges { op record { id title } } }';
    const anonymousChanges = await graphql('anonymous').subscribe(query, undefined, 0);
    const aliceChanges = await graphql('alice').subscribe(query);
    await admin('PATCH', '/api/collections/signals', { listRule: owner, viewRule: owner });
    await sleep(withinMs);
    await admin('PATCH', `${records('signals')}/${s1.id}`, { title: 's1!' });
    for (let i = 0; i < 50 && aliceChanges.data.length === 0; i++) await sleep(20);
    await sleep(100);
    expect(aliceChanges.data.map((d) => d.signalsChanges.record.title)).toEqual(['s1!']);
    expect(anonymousChanges.data, 'anonymous under the owner-only rule').toEqual([]);
    await admin('PATCH', '/api/collections/signals', { listRule: null, viewRule: null });
    for (const changes of [anonymousChanges, aliceChanges]) {
      await changes.end(withinMs);
      expect(changes.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe.skipIf(!onPostgres)('on another instance sharing the database', () => {
  it('a rule change or a deletion made on one instance re-judges what is open on the other within a second', async () => {
    const other = await startTestServer({ dataDir: t.dataDir });
    const onOther = async (who: Who): Promise<RealtimeClient> => {
      const client = await connect(other, token(who));
      opened.push(client);
      return client;
    };
    try {
      await createCollection({ name: 'shared', fields: itemFields, listRule: '', viewRule: '' });
      const s1 = await admin('POST', records('shared'), { title: 's1', owner: alice.id });
      await admin('POST', records('shared'), { title: 's2', owner: bob.id });
      // The other instance learns of the new collection through the cluster signal.
      for (let i = 0; i < 100 && (await other.request('GET', `${records('shared')}`)).status !== 200; i++) await sleep(20);
      const anonymousClient = await onOther('anonymous');
      const aliceClient = await onOther('alice');
      const live = await liveQuery('alice', aliceClient, 'q', 'shared', { sort: 'title' });
      // liveQuery compares with REST on `t`: both instances read the same database.
      await subscribe(anonymousClient, { sub: 'c', kind: 'collection', collection: 'shared' });
      await subscribe(anonymousClient, { sub: 'r', kind: 'record', collection: 'shared', id: s1.id });
      await admin('PATCH', '/api/collections/shared', { listRule: owner, viewRule: owner });
      await showsWhatRestShows(live, 'alice on the other instance after the rule became owner-only');
      expect(live.items.map((r: Json) => r.title)).toEqual(['s1']);
      await admin('PATCH', '/api/collections/shared', { listRule: null, viewRule: null });
      expect((await ended(anonymousClient, 'c')).reason).toBe('forbidden');
      expect((await ended(anonymousClient, 'r')).reason).toBe('forbidden');
      expect((await ended(aliceClient, 'q')).reason).toBe('forbidden');
      await admin('PATCH', '/api/collections/shared', { listRule: '', viewRule: '' });
      for (let i = 0; i < 100 && (await other.request('GET', `${records('shared')}`, undefined, anonymous)).status !== 200; i++) await sleep(20);
      await subscribe(anonymousClient, { sub: 'c', kind: 'collection', collection: 'shared' });
      await admin('DELETE', '/api/collections/shared?confirm=true');
      expect((await ended(anonymousClient, 'c')).reason).toBe('collection_deleted');
    } finally {
      await other.stop(true);
    }
  });
});
