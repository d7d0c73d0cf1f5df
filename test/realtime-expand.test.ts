import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type Account } from './support/accounts.js';
import { realtimeClients, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

/*
 * `expand` on realtime subscriptions and live queries follows REST's expand exactly: each related record under its
 * collection's view rule for the subscriber's caller. Articles are public; the profiles they point to are visible
 * to their owner only.
 */
let t: TestServer;
let alice: Account;
let bob: Account;
let aliceProfile: string;
const { open, closeAll } = realtimeClients(() => t);
const records = (collection: string) => `/api/collections/${collection}/records`;

async function subscribed(client: RealtimeClient, message: Json): Promise<Json> {
  client.send({ type: 'subscribe', ...message });
  const answer = await client.next((m) => m.sub === message.sub && ['subscribed', 'snapshot', 'error'].includes(m.type));
  expect(answer.type, JSON.stringify(answer)).not.toBe('error');
  return answer;
}

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'expand-alice@example.com');
  bob = await signUp(t, 'expand-bob@example.com');
  const own = 'owner = @request.auth.id';
  expect((await t.request('POST', '/api/collections', {
    name: 'profiles',
    fields: [{ name: 'name', type: 'text' }, { name: 'owner', type: 'relation', collection: 'users' }],
    listRule: own, viewRule: own, createRule: own, updateRule: own,
  })).status).toBe(201);
  expect((await t.request('POST', '/api/collections', {
    name: 'articles',
    fields: [{ name: 'title', type: 'text' }, { name: 'profile', type: 'relation', collection: 'profiles' }],
    listRule: '', viewRule: '',
  })).status).toBe(201);
  aliceProfile = (await t.request('POST', records('profiles'), { name: 'Alice A.', owner: alice.id }, alice.auth)).body.id;
});

afterAll(async () => {
  await closeAll();
  await t?.stop();
});

describe('expand on realtime subscriptions', () => {
  it('expands related records an event points to for a caller who may view them, and never for one who may not', async () => {
    // The same subscription id on both connections: an event's text must not be shared between them.
    const [a, b, anon] = [await open(alice.token), await open(bob.token), await open()];
    for (const client of [a, b, anon]) await subscribed(client, { sub: 'same', kind: 'collection', collection: 'articles', expand: ['profile'] });
    const article = (await t.request('POST', records('articles'), { title: 'hello', profile: aliceProfile })).body;
    const [forAlice, forBob, forAnon] = await Promise.all([a, b, anon].map((client) => client.next((m) => m.type === 'event' && m.record.id === article.id)));
    expect(forAlice.record.expand).toEqual({ profile: expect.objectContaining({ id: aliceProfile, name: 'Alice A.' }) });
    expect(forBob.record).not.toHaveProperty('expand');
    expect(forAnon.record).not.toHaveProperty('expand');
    // What REST's expand gives each of them, exactly.
    for (const [event, auth] of [[forAlice, alice.auth], [forBob, bob.auth]] as const) {
      const rest = await t.request('GET', `${records('articles')}/${article.id}?expand=profile`, undefined, auth);
      expect(event.record).toEqual(rest.body);
    }
  });

  it('expands the record a record subscription follows, on every event', async () => {
    const article = (await t.request('POST', records('articles'), { title: 'followed', profile: aliceProfile })).body;
    const [a, b] = [await open(alice.token), await open(bob.token)];
    for (const client of [a, b]) await subscribed(client, { sub: 'one', kind: 'record', collection: 'articles', id: article.id, expand: ['profile'] });
    await t.request('PATCH', `${records('articles')}/${article.id}`, { title: 'followed 2' });
    const forAlice = await a.next((m) => m.type === 'event' && m.sub === 'one');
    const forBob = await b.next((m) => m.type === 'event' && m.sub === 'one');
    expect(forAlice).toMatchObject({ op: 'update', record: { title: 'followed 2', expand: { profile: { name: 'Alice A.' } } } });
    expect(forBob).toMatchObject({ op: 'update', record: { title: 'followed 2' } });
    expect(forBob.record).not.toHaveProperty('expand');
  });

  it('keeps a live query with expand equal to REST, also when only an expanded record changes', async () => {
    const query = { kind: 'query', collection: 'articles', filter: 'title = "live"', sort: 'created', limit: 10, expand: ['profile'] };
    const article = (await t.request('POST', records('articles'), { title: 'live', profile: aliceProfile })).body;
    const [a, b] = [await open(alice.token), await open(bob.token)];
    const snapshotA = await subscribed(a, { sub: 'q', ...query });
    const snapshotB = await subscribed(b, { sub: 'q', ...query });
    const rest = (auth: Record<string, string>) => t.request('GET', `${records('articles')}?filter=${encodeURIComponent(query.filter)}&sort=created&limit=10&expand=profile`, undefined, auth);
    expect(snapshotA.items).toEqual((await rest(alice.auth)).body.items);
    expect(snapshotA.items[0].expand.profile.name).toBe('Alice A.');
    expect(snapshotB.items).toEqual((await rest(bob.auth)).body.items);
    expect(snapshotB.items[0]).not.toHaveProperty('expand');

    // Only the related record changes: Alice's list is updated, Bob (who cannot see it) hears nothing.
    expect((await t.request('PATCH', `${records('profiles')}/${aliceProfile}`, { name: 'Alice B.' }, alice.auth)).status).toBe(200);
    const diff = await a.next((m) => m.type === 'diff' && m.sub === 'q');
    expect(diff.ops).toEqual([{ op: 'update', index: 0, record: expect.objectContaining({ id: article.id, expand: { profile: expect.objectContaining({ name: 'Alice B.' }) } }) }]);
    await b.sync();
    expect(b.take((m) => m.type === 'diff' && m.sub === 'q')).toEqual([]);
  });

  it('refuses an expand path that is not a relation, for that subscription', async () => {
    const client = await open(alice.token);
    for (const [sub, kind] of [['c', 'collection'], ['q', 'query']] as const) {
      client.send({ type: 'subscribe', sub, kind, collection: 'articles', expand: ['title'] });
      expect(await client.next((m) => m.type === 'error' && m.sub === sub)).toMatchObject({ problem: { code: 'INVALID_QUERY' } });
    }
    client.send({ type: 'subscribe', sub: 'deep', kind: 'collection', collection: 'articles', expand: Array.from({ length: 17 }, () => 'profile') });
    expect(await client.next((m) => m.type === 'error' && m.sub === 'deep')).toMatchObject({ problem: { code: 'INVALID_QUERY' } });
  });
});
