import { createServer as createTcpServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@causeway/client';
import { startTestServer, type TestServer } from './support/test-server.js';

// The SDK keeps a resume position per subscription (docs/realtime.md, "Ordering and resume"). Here its
// connection goes through a proxy the test cuts: once while both subscriptions are idle, and again in the middle
// of one subscription's 2,000-event replay while the other is already live at a newer position.
let t: TestServer | undefined;
let proxy: Server | undefined;
afterAll(async () => {
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await t?.stop();
});

interface Link {
  url: string;
  cut(): void;
  /** Looks at each chunk the server sends before it is passed on; true cuts the link right after it. */
  watch: ((chunk: Buffer) => boolean) | undefined;
}

/** A TCP proxy to `target` whose connections `cut()` drops at once (what the server sent after is lost). */
async function cuttableProxy(target: URL): Promise<Link> {
  const open = new Set<Socket>();
  const link: Link = {
    url: '',
    watch: undefined,
    cut: () => {
      for (const socket of open) socket.destroy();
    },
  };
  proxy = createTcpServer((client) => {
    const upstream = connectTcp(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (link.watch?.(chunk)) link.cut();
    });
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  link.url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  return link;
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 1200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition(), what).toBe(true);
};

describe('the client SDK resuming subscriptions', () => {
  it('loses nothing when cut in the middle of one subscription\'s replay while another is live', async () => {
    t = await startTestServer();
    const open = { listRule: '', viewRule: '', createRule: '' };
    for (const name of ['live', 'replayed']) await t.request('POST', '/api/collections', { name, ...open, fields: [{ name: 'n', type: 'number' }] });
    const link = await cuttableProxy(new URL(t.url));
    const client = createClient(link.url, { WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
    const seen = { live: [] as number[], replayed: [] as number[] };
    client.realtime.subscribe('live', {}, { onChange: (change) => seen.live.push(Number(change.record.n)) });
    client.realtime.subscribe('replayed', {}, { onChange: (change) => seen.replayed.push(Number(change.record.n)) });
    await client.realtime.sync();

    link.cut();
    // The second cut: once the server has sent a few hundred of the replay's events (the SDK names its
    // subscriptions s1, s2 in order), with `live` already resumed at a newer position; the rest is lost in transit.
    let replayedSent = 0;
    let cutDuringReplay = false;
    link.watch = (chunk) => {
      if (cutDuringReplay) return false;
      replayedSent += chunk.toString('latin1').split('"type":"event","sub":"s2"').length - 1;
      if (replayedSent < 100) return false;
      cutDuringReplay = true;
      return true;
    };
    const missed = 2000;
    for (let i = 0; i < missed; i += 100) {
      const operations = Array.from({ length: 100 }, (_, j) => ({ action: 'create', collection: 'replayed', data: { n: i + j } }));
      expect((await t.request('POST', '/api/batch', { operations })).status).toBe(200);
    }
    await t.request('POST', '/api/collections/live/records', { n: 0 });

    await until(() => seen.replayed.length >= missed && seen.live.length >= 1, `every event arrives (live ${seen.live.length}, replayed ${seen.replayed.length})`);
    await t.request('POST', '/api/collections/live/records', { n: 1 });
    await until(() => seen.live.length >= 2, 'the live subscription goes on');
    client.realtime.close();
    expect(cutDuringReplay).toBe(true);
    expect(replayedSent).toBeLessThan(missed);
    expect(seen.replayed).toEqual(Array.from({ length: missed }, (_, n) => n));
    expect(seen.live).toEqual([0, 1]);
  }, 90_000);
});
