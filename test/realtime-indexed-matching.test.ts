import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOps } from '@causeway/client';
import { realtimeClients, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

// The hub judges an event only against the subscriptions it can match, found by the equality their filter and
// rule require (`owner = …`, `id = …`, `status in …`). Each filter here has an unindexed twin, the same filter
// `|| id = "none"` (an `or` across fields has no key), which must receive exactly the same events; live queries
// must equal a fresh query after every write.
let t: TestServer;
const { open, closeAll } = realtimeClients(() => t);
const records = (collection: string) => `/api/collections/${collection}/records`;

beforeAll(async () => {
  t = await startTestServer();
  await t.request('POST', '/api/collections', {
    name: 'tasks',
    fields: [
      { name: 'owner', type: 'text' },
      { name: 'status', type: 'select', values: ['a', 'b', 'c'] },
      { name: 'rank', type: 'number' },
      { name: 'parent', type: 'relation', collection: 'tasks' },
    ],
    listRule: '',
    viewRule: '',
  });
});

afterAll(async () => {
  await closeAll();
  await t?.stop();
});

const filters = ['owner = "ann"', 'owner = "bob" && rank > 2', 'status = "a" || status = "b"', 'status = "c" && owner = "ann"', 'rank >= 5'];
const liveQueries = [
  { filter: 'owner = "ann"', sort: '-rank,id', limit: 3 },
  { filter: 'status = "b" && rank < 7', sort: 'rank,id', limit: 4 },
  // Through a relation into its own collection: a change of a parent decides whether its children match.
  { filter: 'status = "a" && parent.status = "c"', sort: 'id', limit: 5 },
];

describe('indexed subscription matching', () => {
  it('delivers to indexed subscriptions exactly what their unindexed twins get, and keeps live queries exact, through random writes', { timeout: 120_000 }, async () => {
    const client: RealtimeClient = await open();
    filters.forEach((filter, i) => {
      client.send({ type: 'subscribe', sub: `k${i}`, kind: 'collection', collection: 'tasks', filter });
      client.send({ type: 'subscribe', sub: `u${i}`, kind: 'collection', collection: 'tasks', filter: `(${filter}) || id = "none"` });
    });
    liveQueries.forEach((query, i) => client.send({ type: 'subscribe', sub: `q${i}`, kind: 'query', collection: 'tasks', ...query }));
    for (let i = 0; i < filters.length * 2; i++) await client.next((m) => m.type === 'subscribed');
    const lists: Json[][] = [];
    for (let i = 0; i < liveQueries.length; i++) lists[i] = (await client.next((m) => m.type === 'snapshot' && m.sub === `q${i}`)).items;

    // A record subscription (keyed by id) and its twin, on a record the writes below keep touching (never deleted).
    const watched = (await t.request('POST', records('tasks'), { owner: 'ann', status: 'a', rank: 1 })).body.id as string;
    client.send({ type: 'subscribe', sub: 'r', kind: 'record', collection: 'tasks', id: watched });
    client.send({ type: 'subscribe', sub: 'ru', kind: 'collection', collection: 'tasks', filter: `id = "${watched}" || owner = "nobody at all"` });
    await client.next((m) => m.type === 'subscribed' && m.sub === 'r');
    await client.next((m) => m.type === 'subscribed' && m.sub === 'ru');
    await client.sync();
    for (let i = 0; i < liveQueries.length; i++) for (const diff of client.take((m) => m.type === 'diff' && m.sub === `q${i}`)) lists[i] = applyOps(lists[i]!, diff.ops);
    const ids: string[] = [watched];
    let seed = 11;
    // The high bits of the generator: its low bits repeat with a short period.
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor(seed / 65536) % n);
    const data = () => ({ owner: ['ann', 'bob', 'cy'][random(3)], status: ['a', 'b', 'c'][random(3)], rank: random(10), ...(ids.length > 0 && random(2) === 0 ? { parent: ids[random(ids.length)] } : {}) });
    for (let step = 0; step < 200; step++) {
      const action = ids.length < 4 ? 0 : random(4);
      if (action === 0) ids.push((await t.request('POST', records('tasks'), data())).body.id);
      else if (action === 3) await t.request('DELETE', `${records('tasks')}/${ids.splice(1 + random(ids.length - 1), 1)[0]}`);
      else await t.request('PATCH', `${records('tasks')}/${ids[random(ids.length)]}`, data());
      await client.sync();
      for (let i = 0; i < liveQueries.length; i++) {
        for (const diff of client.take((m) => m.type === 'diff' && m.sub === `q${i}`)) lists[i] = applyOps(lists[i]!, diff.ops);
        const { filter, sort, limit } = liveQueries[i]!;
        const fresh = await t.request('GET', `${records('tasks')}?filter=${encodeURIComponent(filter)}&sort=${sort}&limit=${limit}`);
        expect(lists[i], `live query ${i} after step ${step}`).toEqual(fresh.body.items);
      }
    }
    const events = (sub: string) => client.take((m) => m.type === 'event' && m.sub === sub).map(({ op, seq, record }) => ({ op, seq, record }));
    let delivered = 0;
    for (let i = 0; i < filters.length; i++) {
      const keyed = events(`k${i}`);
      expect(keyed, filters[i]).toEqual(events(`u${i}`));
      delivered += keyed.length;
    }
    const record = events("r");
    expect(record.length).toBeGreaterThan(0);
    expect(record).toEqual(events('ru'));
    // The writes reached the subscriptions (the comparison above is not between two empty lists).
    expect(delivered).toBeGreaterThan(100);
  });
});
