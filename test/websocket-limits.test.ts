import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type Account } from './support/accounts.js';
import { connect } from './support/realtime-client.js';
import { mb, memoryGrowth, retainedMemory } from './support/retained-memory.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
let alice: Account;


/**
 * A client in another process (so it competes with the server as a real one would, and its own buffers are not
 * counted here) that floods `protocol` messages for `ms` without waiting for answers, then says `flooded` and
 * stays connected until killed.
 */
function flooder(target: TestServer, protocol: 'realtime' | 'graphql-ws', token: string, ms: number): { flooded: Promise<number>; kill(): void } {
  const script = `
    const WebSocket = require('ws');
    const { URL, TOKEN, PROTOCOL, MS } = process.env;
    const graphql = PROTOCOL === 'graphql-ws';
    const socket = new WebSocket(URL + (graphql ? '/api/graphql' : '/api/realtime'), graphql ? 'graphql-transport-ws' : undefined);
    const body = 'x'.repeat(200);
    const message = (i) => graphql
      ? JSON.stringify({ id: 'm' + i, type: 'subscribe', payload: { query: 'mutation { createNotes(data: { body: "' + body + '" }) { id } }' } })
      : JSON.stringify({ type: 'create', req: 'r' + i, collection: 'notes', data: { body } });
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      const until = Date.now() + Number(MS);
      let sent = 0;
      const burst = () => {
        for (let n = 0; n < 500 && socket.bufferedAmount < 16 * 1024 * 1024; n++) socket.send(message(sent++));
        if (Date.now() < until) setImmediate(burst);
        else console.log('flooded ' + sent);
      };
      burst();
    };
    socket.on('open', () => socket.send(JSON.stringify(graphql ? { type: 'connection_init', payload: { authorization: 'Bearer ' + TOKEN } } : { type: 'auth', token: TOKEN })));
    socket.on('message', (data) => {
      const type = JSON.parse(data.toString()).type;
      if (type === 'connection_ack' || type === 'authenticated') start();
    });
  `;
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, URL: target.url.replace('http', 'ws'), TOKEN: token, PROTOCOL: protocol, MS: String(ms) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const flooded = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /flooded (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`the flooding client exited (${code})`)));
  });
  return { flooded, kill: () => child.kill('SIGKILL') };
}

async function graphqlWs(token?: string): Promise<{ socket: WebSocket; received: unknown[]; closed: Promise<number> }> {
  const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/graphql`, 'graphql-transport-ws');
  const received: unknown[] = [];
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.type === 'connection_ack') resolve(message);
    else received.push(message);
  }));
  socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  await acked;
  return { socket, received, closed };
}

beforeAll(async () => {
  // No heartbeat during the tests: a client that does not read does not answer pings either.
  t = await startTestServer({ config: { realtimeMaxChannels: 5, bodyLimit: 8 * 1024 * 1024, realtimeHeartbeat: 3600 } });
  alice = await signUp(t, 'alice@example.com');
  await t.request('POST', '/api/collections', { name: 'notes', fields: [{ name: 'body', type: 'text' }], listRule: '', viewRule: '', createRule: '@request.auth.id != ""' });
});

afterAll(async () => {
  await t?.stop();
});

describe('a subscriber that never reads', () => {
  /**
   * Creates `count` records of about 50 KB, in batches of 40 (one transaction each, so PostgreSQL keeps up):
   * 12 MB of events for 240, more than the kernel's socket buffers hold. Returns the most memory held above the
   * start, measured after each batch is answered: what the server keeps for the subscriber, without the 2 MB
   * batch that happens to be in flight (its body, parsed values and statements), which a timer could catch.
   */
  async function writeAndMeasure(count: number): Promise<number> {
    const body = 'y'.repeat(50_000);
    const start = retainedMemory();
    let peak = start;
    for (let i = 0; i < count; i += 40) {
      const answer = await t.request('POST', '/api/batch', { operations: Array.from({ length: Math.min(40, count - i) }, () => ({ action: 'create', collection: 'notes', data: { body } })) });
      expect(answer.status).toBe(200);
      peak = Math.max(peak, retainedMemory());
    }
    return peak - start;
  }

  it('on /api/realtime is closed with 4008 and a resume hint', { timeout: 60_000 }, async () => {
    const client = await connect(t);
    client.send({ type: 'subscribe', sub: 's', kind: 'collection', collection: 'notes' });
    await client.next((m) => m.type === 'subscribed');
    (client.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    // The 12 MB of events must not be held for the subscriber.
    const grew = await writeAndMeasure(240);
    (client.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await client.closed;
    expect(closed).toEqual({ code: 4008, reason: expect.stringContaining('resume') });
    expect(grew).toBeLessThan(32 * mb);
  });

  it('over graphql-ws is closed with 4008 and a hint to subscribe again', { timeout: 60_000 }, async () => {
    const client = await graphqlWs();
    client.socket.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: 'subscription { notesChanges { op seq record { id body } } }' } }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    let reason = '';
    client.socket.on('close', (_code, why) => (reason = why.toString()));
    // The 12 MB of events must not be held for the subscriber.
    const grew = await writeAndMeasure(240);
    (client.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await client.closed).toBe(4008);
    expect(reason).toContain('subscribe again');
    expect(grew).toBeLessThan(32 * mb);
  });
});

describe('per-connection counts', () => {
  it('refuses to join more channels than the limit, and allows another after leaving one', async () => {
    const client = await connect(t, alice.token);
    for (let i = 0; i < 5; i++) {
      client.send({ type: 'join', channel: `room-${i}`, req: `j${i}` });
      await client.next((m) => m.type === 'joined' && m.req === `j${i}`);
    }
    client.send({ type: 'join', channel: 'room-5', req: 'j5' });
    const refused = await client.next((m) => m.req === 'j5');
    expect(refused).toMatchObject({ type: 'error', problem: { code: 'RATE_LIMITED' } });
    // Joining a channel again is not one more.
    client.send({ type: 'join', channel: 'room-0', req: 'again' });
    expect(await client.next((m) => m.req === 'again')).toMatchObject({ type: 'joined' });
    client.send({ type: 'leave', channel: 'room-1', req: 'l1' });
    await client.next((m) => m.req === 'l1');
    client.send({ type: 'join', channel: 'room-5', req: 'j5b' });
    expect(await client.next((m) => m.req === 'j5b')).toMatchObject({ type: 'joined' });
    await client.close();
  });

  it('refuses graphql-ws subscriptions past the per-connection limit with RATE_LIMITED', async () => {
    const client = await graphqlWs();
    for (let i = 0; i < 101; i++) client.socket.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: 'subscription { notesChanges { op } }' } }));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !client.received.some((m) => (m as { type: string }).type === 'error')) await new Promise((resolve) => setTimeout(resolve, 20));
    const errors = client.received.filter((m) => (m as { type: string }).type === 'error') as { id: string; payload: { extensions: { code: string } }[] }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]!.payload[0]!.extensions.code).toBe('RATE_LIMITED');
    client.socket.close();
    await client.closed;
  });
});

// Last, on a server of its own: what a flooding client had sent is still worked through after it is gone.
describe('a client flooding writes', () => {
  let flooded: TestServer;
  let writer: Account;

  beforeAll(async () => {
    flooded = await startTestServer();
    writer = await signUp(flooded, 'writer@example.com');
    await flooded.request('POST', '/api/collections', { name: 'notes', fields: [{ name: 'body', type: 'text' }], createRule: '@request.auth.id != ""' });
  });

  afterAll(async () => {
    await flooded?.stop();
  });

  for (const protocol of ['realtime', 'graphql-ws'] as const) {
    it(`over ${protocol} is no longer read past its operations in flight, and server memory stays bounded`, async () => {
      // Signed in, so every create is a real write: the slowest thing a client can ask for many times.
      const client = flooder(flooded, protocol, writer.token, 400);
      let sent = 0;
      const grew = await memoryGrowth(async () => {
        sent = await client.flooded;
      });
      client.kill();
      expect(sent).toBeGreaterThan(100);
      // Unbounded, graphql-ws grew by about 40 MB in 1.5 s on PostgreSQL; bounded, by about 2 MB.
      expect(grew).toBeLessThan(8 * mb);
      // The server still answers while it works through what the client had sent.
      const started = Date.now();
      expect((await flooded.request('GET', '/api/health')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  }
});

