import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '@causeway/core';
import { deploymentId } from '@causeway/core';
import { RedisBus, redisChannel } from '../packages/server/src/events/redis-bus.js';
import { serviceAvailable } from './support/services.js';
import { startTestServer } from './support/test-server.js';

const redisUrl = 'redis://127.0.0.1:6379';
const available = await serviceAvailable('Redis', '127.0.0.1', 6379);
const buses: RedisBus[] = [];

afterEach(async () => {
  for (const bus of buses.splice(0)) await bus.close();
});

function event(seq: number): ChangeEvent {
  return { seq, collection: 'ticks', recordId: `r${seq}`, op: 'create', record: { id: `r${seq}`, created: '', updated: '' }, previous: null, at: '' };
}

describe.skipIf(!available)('the Redis event bus', () => {
  it('carries events to other instances in publish order, and to local listeners once', async () => {
    const channel = `causeway:test:${Date.now()}:${Math.random()}`;
    const a = new RedisBus(redisUrl, channel);
    const b = new RedisBus(redisUrl, channel);
    buses.push(a, b);
    await Promise.all([a.connected(), b.connected()]);
    const onA: number[] = [];
    const onB: number[] = [];
    a.subscribe((events) => onA.push(...events.map((e) => e.seq)));
    b.subscribe((events) => onB.push(...events.map((e) => e.seq)));
    for (let seq = 1; seq <= 50; seq += 2) await a.publish([event(seq), event(seq + 1)]);
    for (let i = 0; i < 100 && onB.length < 50; i++) await new Promise((r) => setTimeout(r, 10));
    expect(onA).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(onB).toEqual(onA);
  });
});

describe.skipIf(!available)('a server with CAUSEWAY_REDIS_URL', () => {
  it('publishes its committed changes to Redis for other instances', async () => {
    const t = await startTestServer({ config: { redisUrl: redisUrl } });
    const other = new RedisBus(redisUrl, redisChannel(await deploymentId(t.server.db)));
    buses.push(other);
    await other.connected();
    const received: ChangeEvent[] = [];
    other.subscribe((events) => received.push(...events));
    try {
      await t.request('POST', '/api/collections', { name: 'shared', fields: [{ name: 'n', type: 'number' }] });
      const created = await t.request('POST', '/api/collections/shared/records', { n: 1 });
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(received.map((e) => [e.collection, e.recordId, e.op])).toEqual([['shared', created.body.id, 'create']]);
    } finally {
      await t.stop();
    }
  });
});
