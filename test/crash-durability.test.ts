import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startInstance, type InstanceProcess } from './support/instance-process.js';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { dropTestDatabase, testDatabaseEnv } from './support/test-database.js';

// docs/operations.md, "Durability": a write answered 2xx is kept, and its event is in the change log. Here a
// `causeway serve` process is killed (SIGKILL: no shutdown, nothing flushed by Causeway) while writes stream in;
// after a restart on the same data every acknowledged write is there, and a realtime client resuming from a
// position before the crash receives every event once, in order.
const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-crash-'));
const instances: InstanceProcess[] = [];
const clients: RealtimeClient[] = [];
afterAll(async () => {
  for (const client of clients) await client.close();
  for (const instance of instances) await instance.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  await dropTestDatabase(dataDir);
});

async function start(): Promise<InstanceProcess> {
  const instance = await startInstance(testDatabaseEnv(dataDir), { dataDir });
  instances.push(instance);
  return instance;
}

const json = { 'content-type': 'application/json' };

describe('a crash during a stream of acknowledged writes', () => {
  it('loses no acknowledged write, and resume from before the crash gives every event once, in order', async () => {
    const first = await start();
    const admin = await fetch(`${first.url}/api/admins/first-run`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'crash@example.com', password: 'crash test passphrase' }) });
    const { token } = (await admin.json()) as { token: string };
    const created = await fetch(`${first.url}/api/collections`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'ticks', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'n', type: 'number' }] }),
    });
    expect(created.status).toBe(201);
    const before = await connect(first);
    clients.push(before);
    before.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks' });
    const from = (await before.next((m) => m.type === 'subscribed')).seq as number;

    // Sixteen writers, one write each at a time, so SQLite commits them in groups (see GroupCommit); the kill comes
    // once 120 are acknowledged, with a group in flight.
    const acknowledged = new Map<string, number>();
    let next = 0;
    let killed = false;
    const writer = async () => {
      while (!killed) {
        const n = next++;
        try {
          const response = await fetch(`${first.url}/api/collections/ticks/records`, { method: 'POST', headers: json, body: JSON.stringify({ n }) });
          if (response.status === 201) acknowledged.set(((await response.json()) as { id: string }).id, n);
        } catch {
          // The connection died with the process: not acknowledged.
        }
      }
    };
    const writers = Array.from({ length: 16 }, writer);
    while (acknowledged.size < 120) await new Promise((resolve) => setTimeout(resolve, 2));
    killed = true;
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(writers);
    await before.closed;

    const second = await start();
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page = (await (await fetch(`${second.url}/api/collections/ticks/records?limit=500&fields=id${after ? `&after=${after}` : ''}`)).json()) as { items: { id: string }[]; nextCursor: string | null };
      ids.push(...page.items.map((item) => item.id));
      after = page.nextCursor;
    } while (after);
    const stored = new Set(ids);
    for (const id of acknowledged.keys()) expect(stored.has(id), `acknowledged ${id} is stored`).toBe(true);

    const resumed = await connect(second);
    clients.push(resumed);
    resumed.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: from });
    await resumed.next((m) => m.type === 'subscribed', 20_000);
    await resumed.sync();
    const events = resumed.take((m) => m.type === 'event' && m.sub === 'ticks');
    const seqs = events.map((e) => e.seq as number);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    // Every stored record's insert, once; nothing else (writes committed but not acknowledged are stored too).
    expect(events.map((e) => e.record.id).sort()).toEqual([...stored].sort());
    expect(events.every((e) => e.op === 'insert')).toBe(true);
  }, 90_000);
});
