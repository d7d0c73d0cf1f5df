import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousCaller, type HubMessage, type Subscriber, type Subscription } from '@causeway/core';
import { signUp, type Account } from './support/accounts.js';
import { realtimeClients, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

// Fan-out stays off the write path (issue 20): a large fan-out is delivered in slices with I/O between them, so
// a write is answered before its own fan-out has finished; and events are encoded once per visibility shape,
// which must never carry a field to a subscriber who may not read it.
let t: TestServer;
let alice: Account;
let bob: Account;
const { open, closeAll } = realtimeClients(() => t);
const records = (collection: string) => `/api/collections/${collection}/records`;

beforeAll(async () => {
  t = await startTestServer();
  expect((await t.request('POST', '/api/collections', { name: 'ticks', fields: [{ name: 'n', type: 'number' }], listRule: '', viewRule: '' })).status).toBe(201);
  const fields = [{ name: 'name', type: 'text' }, { name: 'notes', type: 'text', visibility: 'admins' }];
  expect((await t.request('PATCH', '/api/collections/users', { fields, listRule: '', viewRule: '' })).status).toBe(200);
  alice = await signUp(t, 'alice@fan-out.example', { name: 'Alice' });
  bob = await signUp(t, 'bob@fan-out.example', { name: 'Bob' });
});

afterAll(async () => {
  await closeAll();
  await t?.stop();
});

/** Stays busy `ms` of wall time: a subscriber whose socket is slow to write to, as many are in a large fan-out. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('fan-out off the write path', () => {
  it('answers a write before the fan-out of its own event has finished, then delivers to every subscriber in order', { timeout: 60_000 }, async () => {
    const subscribers = 2000;
    const received: number[][] = Array.from({ length: subscribers }, () => []);
    const subscriptions: Subscription[] = [];
    for (let i = 0; i < subscribers; i++) {
      const subscriber: Subscriber = {
        caller: anonymousCaller,
        deliver(message: HubMessage) {
          if (message.type !== 'event') return;
          busy(0.1);
          received[i]!.push(message.record.n as number);
        },
        ended: () => undefined,
      };
      subscriptions.push(await t.server.hub.subscribe(subscriber, `s${i}`, { kind: 'collection', collection: 'ticks' }));
    }
    const delivered = () => received.filter((list) => list.includes(2)).length;
    try {
      // The fan-out of each write takes about 2000 × 0.1 ms, twenty of the hub's slices: the second write's
      // answer is read (by this very process) between two of them, while subscribers are still waiting for it.
      expect((await t.request('POST', records('ticks'), { n: 1 })).status).toBe(201);
      const answered = await t.request('POST', records('ticks'), { n: 2 });
      expect(answered.status).toBe(201);
      const deliveredWhenAnswered = delivered();
      expect(deliveredWhenAnswered).toBeLessThan(subscribers);
      await t.server.hub.sync();
      expect(delivered()).toBe(subscribers);
      for (const list of received) expect(list).toEqual([1, 2]);
    } finally {
      for (const subscription of subscriptions) t.server.hub.unsubscribe(subscription);
    }
  });
});

describe('events encoded once per visibility shape', () => {
  it("sends every subscriber exactly what REST shows it of the record, whatever the order they subscribed in and with one subscription id for all", async () => {
    const callers: { name: string; token?: string; headers: Record<string, string> }[] = [
      { name: 'bob', token: bob.token, headers: bob.auth },
      { name: 'admin', token: t.adminToken, headers: {} },
      { name: 'anonymous', headers: { authorization: '' } },
      { name: 'alice', token: alice.token, headers: alice.auth },
      { name: 'bob again', token: bob.token, headers: bob.auth },
      { name: 'admin again', token: t.adminToken, headers: {} },
    ];
    const clients: RealtimeClient[] = [];
    for (const caller of callers) {
      const client = await open(caller.token);
      client.send({ type: 'subscribe', sub: 'same', kind: 'collection', collection: 'users' });
      await client.next((m) => m.type === 'subscribed');
      clients.push(client);
    }
    for (const account of [alice, bob]) {
      expect((await t.request('PATCH', `${records('users')}/${account.id}`, { name: `${account.email} renamed`, notes: `note on ${account.email}` })).status).toBe(200);
      for (const [i, client] of clients.entries()) {
        const event: Json = await client.next((m) => m.type === 'event' && m.record.id === account.id);
        const rest = await t.request('GET', `${records('users')}/${account.id}`, undefined, callers[i]!.headers);
        expect(event.record, `${callers[i]!.name} on ${account.email}`).toEqual(rest.body);
      }
    }
  });
});
