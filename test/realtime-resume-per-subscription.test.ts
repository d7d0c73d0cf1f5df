import { afterEach, describe, expect, it } from 'vitest';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

// docs/realtime.md, "Ordering and resume": "Keep, for each subscription, the largest `seq` received for that
// subscription (from its `event`, `subscribed` and `resync` messages). After a reconnect, subscribe again with
// `since` set to that subscription's own position [...] every change after it that concerns the subscription,
// exactly once and in order". This is the case that rule is there for: on one connection one subscription is live
// at a high `seq` while another still replays from far back, and the connection is cut in the middle.
const servers: TestServer[] = [];
const clients: RealtimeClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) await server.stop();
});

const open = { listRule: '', viewRule: '', createRule: '' };

async function createMany(t: TestServer, collection: string, count: number, from = 0): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    const operations = Array.from({ length: Math.min(100, count - i) }, (_, j) => ({ action: 'create', collection, data: { n: from + i + j } }));
    expect((await t.request('POST', '/api/batch', { operations })).status).toBe(200);
  }
}

describe('resume, per subscription, as docs/realtime.md describes it', () => {
  it('loses nothing when the connection is cut while one subscription replays and another is live', async () => {
    const t = await startTestServer();
    servers.push(t);
    for (const name of ['live', 'replayed']) await t.request('POST', '/api/collections', { name, ...open, fields: [{ name: 'n', type: 'number' }] });
    const start = await t.server.feed.latest();
    const missed = 3000;
    await createMany(t, 'replayed', missed);

    // One connection: `live` goes live now and gets an event at the newest position; then `replayed` subscribes
    // from `start` and replays 3,000 older events behind it.
    const first = await connect(t);
    clients.push(first);
    first.send({ type: 'subscribe', sub: 'live', kind: 'collection', collection: 'live' });
    await first.next((m) => m.type === 'subscribed' && m.sub === 'live');
    await t.request('POST', '/api/collections/live/records', { n: 0 });
    await first.next((m) => m.type === 'event' && m.sub === 'live');
    const liveEvents: Json[] = [];
    const replayedEvents: Json[] = [];
    // What the client knows when the cut comes: each message counts until then, none after.
    const position = new Map<string, number>();
    let cut = false;
    first.socket.on('message', (data) => {
      if (cut) return;
      const message = JSON.parse(data.toString());
      if (typeof message.seq === 'number' && message.sub && ['event', 'subscribed', 'resync'].includes(message.type)) {
        position.set(message.sub, Math.max(position.get(message.sub) ?? 0, message.seq));
      }
      if (message.type === 'event' && message.sub === 'replayed') replayedEvents.push(message);
      if (replayedEvents.length === 100) {
        cut = true;
        first.socket.terminate();
      }
    });
    const liveSeq = (await t.server.feed.latest());
    position.set('live', liveSeq);
    liveEvents.push({ seq: liveSeq, record: { n: 0 } });
    first.send({ type: 'subscribe', sub: 'replayed', kind: 'collection', collection: 'replayed', since: start });
    await first.closed;
    expect(replayedEvents).toHaveLength(100);
    // The connection-wide largest seq is the live subscription's: resuming `replayed` from it would skip 2,900 events.
    const connectionWide = Math.max(...position.values());
    expect(connectionWide).toBeGreaterThan(position.get('replayed')!);

    // More changes while the client is away.
    await createMany(t, 'replayed', 5, missed);
    for (let n = 1; n <= 5; n++) await t.request('POST', '/api/collections/live/records', { n });

    const second = await connect(t);
    clients.push(second);
    for (const sub of ['live', 'replayed']) second.send({ type: 'subscribe', sub, kind: 'collection', collection: sub, since: position.get(sub) });
    await second.next((m) => m.type === 'subscribed' && m.sub === 'live', 20_000);
    await second.next((m) => m.type === 'subscribed' && m.sub === 'replayed', 20_000);
    await second.sync();
    liveEvents.push(...second.take((m) => m.type === 'event' && m.sub === 'live'));
    replayedEvents.push(...second.take((m) => m.type === 'event' && m.sub === 'replayed'));

    for (const [events, count] of [[replayedEvents, missed + 5], [liveEvents, 6]] as const) {
      expect(events.map((e) => e.record.n)).toEqual(Array.from({ length: count }, (_, n) => n));
      const seqs = events.map((e) => e.seq);
      expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    }
  });

  it('within one subscription, seq never goes back: replayed events, then `subscribed`, then live events', async () => {
    const t = await startTestServer();
    servers.push(t);
    await t.request('POST', '/api/collections', { name: 'ticks', ...open, fields: [{ name: 'n', type: 'number' }] });
    const start = await t.server.feed.latest();
    await createMany(t, 'ticks', 300);
    const client = await connect(t);
    clients.push(client);
    client.send({ type: 'subscribe', sub: 'other', kind: 'collection', collection: 'ticks' });
    await client.next((m) => m.type === 'subscribed' && m.sub === 'other');
    client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: start });
    const writing = createMany(t, 'ticks', 50, 300);
    await client.next((m) => m.type === 'subscribed' && m.sub === 'ticks', 20_000);
    await writing;
    await client.sync();
    const seqs = client.received.filter((m) => m.sub === 'ticks' && typeof m.seq === 'number').map((m) => m.seq as number);
    expect(seqs.length).toBeGreaterThan(300);
    expect(seqs.every((seq, i) => i === 0 || seq >= seqs[i - 1]!)).toBe(true);
  });
});
