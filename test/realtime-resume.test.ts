import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { signingKey } from './support/signing-key.js';
import { signUp } from './support/accounts.js';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

const servers: TestServer[] = [];
const clients: RealtimeClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) await server.stop();
});

async function serverWithTicks(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer(options);
  servers.push(t);
  if (!t.server.schema.collection('ticks')) {
    await t.request('POST', '/api/collections', { name: 'ticks', fields: [{ name: 'n', type: 'number' }, { name: 'blob', type: 'text' }], listRule: '', viewRule: '' });
  }
  return t;
}

async function open(t: TestServer, token?: string): Promise<RealtimeClient> {
  const client = await connect(t, token);
  clients.push(client);
  return client;
}

/** Writes `count` ticks through REST, `parallel` at a time; returns their sequence numbers. */
async function burst(t: TestServer, from: number, count: number, parallel = 8): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i += parallel) {
    const writes = Array.from({ length: Math.min(parallel, count - i) }, (_, j) => t.request('POST', '/api/collections/ticks/records', { n: from + i + j }));
    for (const response of await Promise.all(writes)) seqs.push(response.body.n);
  }
  return seqs;
}

const tickEvents = (client: RealtimeClient) => client.take((m) => m.type === 'event' && m.sub === 'ticks');

describe('resume', () => {
  it('a client that drops in the middle of a burst gets every event exactly once, in order', async () => {
    const t = await serverWithTicks();
    let client = await open(t);
    client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks' });
    await client.next((m) => m.type === 'subscribed');
    const received: Json[] = [];
    const writing = burst(t, 0, 300);
    for (let drop = 0; drop < 3; drop++) {
      // Let some events arrive, then cut the connection while writes continue.
      await new Promise((resolve) => setTimeout(resolve, 15));
      received.push(...tickEvents(client));
      client.socket.terminate();
      await client.closed;
      const last = received.at(-1)?.seq ?? 0;
      client = await open(t);
      client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: last });
    }
    await writing;
    await client.next((m) => m.type === 'subscribed');
    await client.sync();
    received.push(...tickEvents(client));
    const numbers = received.map((e) => e.record.n);
    expect(numbers).toHaveLength(300);
    expect(new Set(numbers).size).toBe(300);
    const seqs = received.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('resumes across a server restart without loss or duplicates', async () => {
    const t = await serverWithTicks();
    const client = await open(t);
    client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks' });
    await client.next((m) => m.type === 'subscribed');
    await burst(t, 0, 50);
    await client.sync();
    const before = tickEvents(client);
    await client.close();
    await burst(t, 50, 20); // missed while disconnected
    const dataDir = t.dataDir;
    await t.stop(true);
    servers.splice(servers.indexOf(t), 1);

    const restarted = await serverWithTicks({ dataDir });
    await burst(restarted, 70, 30); // written after the restart, before the client is back
    const back = await open(restarted);
    back.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: before.at(-1).seq });
    await back.next((m) => m.type === 'subscribed');
    await burst(restarted, 100, 10); // live again
    await back.sync();
    const after = tickEvents(back);
    const numbers = [...before, ...after].map((e) => e.record.n).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 110 }, (_, i) => i));
  });

  it('tells a client to resync when the change log no longer reaches back to its position', async () => {
    const t = await serverWithTicks();
    await burst(t, 0, 20);
    const pruned = await t.server.feed.prune({ maxCount: 5 });
    expect(pruned).toBeGreaterThan(0);
    const client = await open(t);
    client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: 1 });
    const resync = await client.next((m) => m.type === 'resync');
    expect(resync.reason).toContain('no longer holds');
    await client.next((m) => m.type === 'subscribed');
    await burst(t, 20, 1);
    await client.sync();
    expect(tickEvents(client).map((e) => e.record.n)).toEqual([20]);
    const ahead = await open(t);
    ahead.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: 1_000_000 });
    expect((await ahead.next((m) => m.type === 'resync')).reason).toContain('ahead');
  });

  it('keeps retention by count and always keeps the newest entry', async () => {
    const t = await serverWithTicks();
    await burst(t, 0, 10);
    const latest = await t.server.feed.latest();
    await t.server.feed.prune({ maxCount: 3 });
    expect(await t.server.feed.oldest()).toBe(latest - 2);
    await t.server.feed.prune({ maxAgeMs: 0 }, Date.now() + 1000);
    expect(await t.server.feed.oldest()).toBe(latest);
  });
});

describe('authentication on the socket', () => {
  it('re-authenticating widens what existing subscriptions see', async () => {
    const t = await serverWithTicks();
    await t.request('POST', '/api/collections', { name: 'memos', fields: [{ name: 'owner', type: 'relation', collection: 'users' }], listRule: 'owner = @request.auth.id' });
    const user = await signUp(t, 'rae@example.com');
    const client = await open(t);
    client.send({ type: 'subscribe', sub: 'memos', kind: 'collection', collection: 'memos' });
    await client.next((m) => m.type === 'subscribed');
    await t.request('POST', '/api/collections/memos/records', { owner: user.id });
    await client.sync();
    expect(client.take((m) => m.type === 'event')).toHaveLength(0);
    client.send({ type: 'auth', token: user.token });
    await client.next((m) => m.type === 'authenticated');
    await t.request('POST', '/api/collections/memos/records', { owner: user.id });
    await client.sync();
    expect(client.take((m) => m.type === 'event')).toHaveLength(1);
  });

  it('stops delivery when the access token expires, saying so', async () => {
    const t = await serverWithTicks();
    const user = await signUp(t, 'sam@example.com');
    const key = await signingKey(t);
    const { sessionId } = (await t.server.auth.authenticate(user.token)) as { sessionId: string };
    const shortLived = await new SignJWT({ typ: 'access', realm: 'users', sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject(user.id)
      .setIssuer('causeway')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(key.secret);
    const client = await open(t, shortLived);
    client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks' });
    await client.next((m) => m.type === 'subscribed');
    expect(await client.next((m) => m.type === 'unsubscribed', 5000)).toMatchObject({ sub: 'ticks', reason: 'token_expired' });
    await client.next((m) => m.type === 'auth_expired');
    await burst(t, 0, 3);
    await client.sync();
    expect(tickEvents(client)).toHaveLength(0);
  });
});

describe('limits', () => {
  it('closes a consumer that cannot keep up with code 4008', async () => {
    const t = await serverWithTicks({ config: { realtimeMaxBufferedBytes: 16 * 1024, bodyLimit: 8 * 1024 * 1024 } });
    const client = await open(t);
    client.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks' });
    await client.next((m) => m.type === 'subscribed');
    (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const blob = 'x'.repeat(50_000);
    for (let i = 0; i < 10; i++) {
      await t.request('POST', '/api/batch', { operations: Array.from({ length: 40 }, (_, j) => ({ action: 'create', collection: 'ticks', data: { n: i * 40 + j, blob } })) });
    }
    (client.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await client.closed).code).toBe(4008);
  });

  it('drops a connection that stops answering pings', async () => {
    const t = await serverWithTicks({ config: { realtimeHeartbeat: 1 } });
    const { WebSocket } = await import('ws');
    const silent = new WebSocket(`${t.url.replace('http', 'ws')}/api/realtime`, { autoPong: false });
    const answering = await open(t);
    const closed: { code: number } = await new Promise((resolve) => silent.on('close', (code) => resolve({ code })));
    expect(closed.code).toBe(1006);
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('limits connections per address, subscriptions per connection and message size', async () => {
    const t = await serverWithTicks({ config: { realtimeMaxConnectionsPerIp: 2, realtimeMaxSubscriptions: 2, realtimeMaxMessageBytes: 1024 } });
    const first = await open(t);
    const second = await open(t);
    const { WebSocket } = await import('ws');
    const closeCode = (socket: InstanceType<typeof WebSocket>) => new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    // The limit holds across both WebSocket endpoints: the GraphQL one too.
    expect(await closeCode(new WebSocket(`${t.url.replace('http', 'ws')}/api/realtime`))).toBe(4029);
    expect(await closeCode(new WebSocket(`${t.url.replace('http', 'ws')}/api/graphql`, 'graphql-transport-ws'))).toBe(4029);
    // A closed connection gives its place back (once the server has seen the socket close, a moment later).
    await second.close();
    const graphqlAnswer = () => {
      const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/graphql`, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
      return new Promise<string>((resolve) => {
        socket.on('message', (data) => (resolve(JSON.parse(data.toString()).type), socket.close()));
        socket.on('close', (code) => resolve(`closed ${code}`));
      });
    };
    let answer = await graphqlAnswer();
    for (let tries = 0; answer === 'closed 4029' && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await graphqlAnswer();
    }
    expect(answer).toBe('connection_ack');
    for (const sub of ['a', 'b', 'c']) first.send({ type: 'subscribe', sub, kind: 'collection', collection: 'ticks' });
    const refused = await first.next((m) => m.type === 'error');
    expect(refused).toMatchObject({ sub: 'c', problem: { code: 'RATE_LIMITED' } });
    first.send({ type: 'sync', req: 'x'.repeat(2000) });
    expect((await first.closed).code).toBe(1009);
  });
});
