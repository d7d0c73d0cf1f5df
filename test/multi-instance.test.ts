import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type InstanceProcess } from './support/instance-process.js';
import { connectGraphQLWs } from './support/graphql-ws-client.js';
import { connect } from './support/realtime-client.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';
import { testPostgresServer } from './support/postgres-project.js';
import type { Json } from './support/test-server.js';

const available = (await serviceAvailable('PostgreSQL', '127.0.0.1', 5432)) && (await serviceAvailable('Redis', '127.0.0.1', 6379));
const admin = { email: 'admin@example.com', password: 'correct horse battery staple' };
let token = '';

async function call(base: string, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(base + pathname, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The same cluster with each event bus: Redis pub/sub, and PostgreSQL's own LISTEN/NOTIFY. */
const buses: { bus: string; env: Record<string, string> }[] = [
  { bus: 'Redis', env: { CAUSEWAY_REDIS_URL: 'redis://127.0.0.1:6379' } },
  { bus: 'PostgreSQL LISTEN/NOTIFY', env: {} },
];

describe.skipIf(!available).each(buses)('two Causeway processes on one PostgreSQL, events through $bus', ({ env: busEnv }) => {
  let a: InstanceProcess;
  let b: InstanceProcess;
  const instances: InstanceProcess[] = [];
  const schema = `cw_multi_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    CAUSEWAY_DATABASE_URL: postgresUrlWithSchema(testPostgresServer, schema),
    // No shared secret configured: the signing keys live in the database, so a token from one is good on every other.
    ...busEnv,
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    instances.push(a, b);
    const firstRun = await fetch(`${a.url}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    expect(firstRun.status).toBe(201);
    token = ((await firstRun.json()) as { token: string }).token;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
    if (available) await dropSchema(testPostgresServer, schema);
  });

  it('serves a schema change made on A from B: REST, GraphQL and OpenAPI', async () => {
    expect((await call(b.url, 'GET', '/api/admins/auth/me')).status).toBe(200);
    const created = await call(a.url, 'POST', '/api/collections', { name: 'ticks', listRule: '', viewRule: '', fields: [{ name: 'n', type: 'number', integer: true }] });
    expect(created.status).toBe(201);
    const listed = await eventually(() => call(b.url, 'GET', '/api/collections/ticks/records'), (r) => r.status === 200);
    expect(listed.status).toBe(200);
    const openapi = await call(b.url, 'GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).toContain('/api/collections/ticks/records');
    const graphql = await call(b.url, 'POST', '/api/graphql', { query: '{ ticks(first: 1) { totalCount } }' });
    expect(graphql.body).toEqual({ data: { ticks: { totalCount: 0 } } });
    // A field added on B is accepted by A's writes and validation right after.
    const altered = await call(b.url, 'PATCH', '/api/collections/ticks', { fields: [{ ...created.body.fields[0] }, { name: 'label', type: 'text' }] });
    expect(altered.status).toBe(200);
    const write = await eventually(() => call(a.url, 'POST', '/api/collections/ticks/records', { n: 0, label: 'first' }), (r) => r.status === 201);
    expect(write.body.label).toBe('first');
  });

  it('re-judges subscriptions on B within a second when A changes a rule or deletes the collection', async () => {
    const created = await call(a.url, 'POST', '/api/collections', { name: 'memos', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] });
    expect(created.status).toBe(201);
    await eventually(() => call(b.url, 'GET', '/api/collections/memos/records'), (r) => r.status === 200);
    const anonymous = await connect(b);
    const admins = await connect(b, token);
    try {
      for (const client of [anonymous, admins]) {
        client.send({ type: 'subscribe', sub: 'c', kind: 'collection', collection: 'memos' });
        client.send({ type: 'subscribe', sub: 'q', kind: 'query', collection: 'memos' });
        await client.next((m) => m.sub === 'c' && m.type === 'subscribed');
        await client.next((m) => m.sub === 'q' && m.type === 'snapshot');
      }
      expect((await call(a.url, 'PATCH', '/api/collections/memos', { listRule: null, viewRule: null })).status).toBe(200);
      for (const sub of ['c', 'q']) expect((await anonymous.next((m) => m.sub === sub && m.type === 'unsubscribed', 1000)).reason).toBe('forbidden');
      expect((await call(a.url, 'DELETE', '/api/collections/memos')).status).toBe(204);
      for (const sub of ['c', 'q']) expect((await admins.next((m) => m.sub === sub && m.type === 'unsubscribed', 1000)).reason).toBe('collection_deleted');
    } finally {
      await Promise.all([anonymous.close(), admins.close()]);
    }
  });

  it('ends a session everywhere at once, and shares settings changes', async () => {
    const signedUp = await call(a.url, 'POST', '/api/collections/users/auth/sign-up', { email: 'ann@example.com', password: 'ann passphrase one' });
    expect(signedUp.status).toBe(201);
    const asAnn = (base: string, method: string, pathname: string, body?: unknown) =>
      fetch(base + pathname, {
        method,
        headers: { authorization: `Bearer ${signedUp.body.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    // A caches the authenticated caller; signing out on B must still end it on A well before the cache would.
    expect((await asAnn(a.url, 'GET', '/api/collections/users/auth/me')).status).toBe(200);
    expect((await asAnn(b.url, 'POST', '/api/collections/users/auth/sign-out', { refreshToken: signedUp.body.refreshToken })).status).toBe(204);
    const rejected = await eventually(async () => (await asAnn(a.url, 'GET', '/api/collections/users/auth/me')).status, (status) => status === 401, 2000);
    expect(rejected).toBe(401);

    expect((await call(a.url, 'PATCH', '/api/settings', { allowedOrigins: ['https://app.example.com'] })).status).toBe(200);
    const onB = await eventually(() => call(b.url, 'GET', '/api/settings'), (r) => r.body.allowedOrigins[0] === 'https://app.example.com', 2000);
    expect(onB.body.allowedOrigins).toEqual(['https://app.example.com']);
  });

  it('spans realtime channels across instances: presence, members and messages', async () => {
    const join = async (base: string) => {
      const client = await connect({ url: base });
      client.send({ type: 'auth', token });
      await client.next((m) => m.type === 'authenticated');
      client.send({ type: 'join', channel: 'room', req: 'j' });
      return { client, joined: await client.next((m) => m.type === 'joined') };
    };
    const onA = await join(a.url);
    const onB = await join(b.url);
    // B learns of A's member: in its member list, or (when A's join is still on the bus) as a presence event right after.
    const memberOfA = onA.joined.members[0].connection;
    if (!onB.joined.members.some((m: Json) => m.connection === memberOfA)) {
      const late = await onB.client.next((m) => m.type === 'presence' && m.event === 'join');
      expect(late.member.connection).toBe(memberOfA);
    }
    // A hears B join.
    const presence = await onA.client.next((m) => m.type === 'presence' && m.event === 'join');
    expect(presence.member.connection).toBe(onB.joined.members.find((m: Json) => m.connection !== memberOfA).connection);
    onB.client.send({ type: 'send', channel: 'room', payload: { hello: 'from B' } });
    expect((await onA.client.next((m) => m.type === 'message')).payload).toEqual({ hello: 'from B' });
    await onB.client.close();
    expect((await onA.client.next((m) => m.type === 'presence' && m.event === 'leave')).member.connection).toBe(presence.member.connection);
    await onA.client.close();
  });

  it('ends a session on the other instance within a second: sign-out and account deletion, on graphql-ws and realtime', async () => {
    const signedIn = '@request.auth.id != ""';
    const memos = await call(a.url, 'POST', '/api/collections', { name: 'memos', fields: [{ name: 'text', type: 'text' }], listRule: signedIn, viewRule: signedIn, createRule: signedIn });
    expect(memos.status).toBe(201);
    expect((await eventually(() => call(b.url, 'GET', '/api/collections/memos/records'), (r) => r.status === 200)).status).toBe(200);
    const events = [
      { reason: 'signed_out', end: (account: Json) => call(a.url, 'POST', '/api/collections/users/auth/sign-out', { refreshToken: account.refreshToken }) },
      { reason: 'account_deleted', end: (account: Json) => call(a.url, 'DELETE', `/api/collections/users/records/${account.record.id}`) },
    ];
    for (const [i, event] of events.entries()) {
      const account = (await call(a.url, 'POST', '/api/collections/users/auth/sign-up', { email: `ends${i}@example.com`, password: 'a passphrase that ends' })).body;
      const rt = await connect({ url: b.url }, account.token);
      rt.send({ type: 'subscribe', sub: 'm', kind: 'collection', collection: 'memos' });
      await rt.next((m) => m.type === 'subscribed');
      const gq = await connectGraphQLWs(b.url, account.token);
      gq.subscribe('s', 'subscription { memosChanges { op record { id } } }');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await call(a.url, 'POST', '/api/collections/memos/records', { text: 'before' })).status).toBe(201);
      await rt.next((m) => m.type === 'event');
      await gq.next((m) => m.type === 'next');

      expect((await event.end(account)).status).toBe(204);
      const since = Date.now();
      expect((await rt.next((m) => m.type === 'session_ended', 1000)).reason).toBe(event.reason);
      const closed = await Promise.race([gq.closed, new Promise<undefined>((resolve) => setTimeout(resolve, Math.max(0, 1000 + since - Date.now())))]);
      expect(closed?.code, 'graphql-ws on B closed within a second').toBe(4403);
      expect(Date.now() - since).toBeLessThan(1000);
      expect((await call(a.url, 'POST', '/api/collections/memos/records', { text: 'after' })).status).toBe(201);
      rt.send({ type: 'create', req: 'w', collection: 'memos', data: { text: 'as them' } });
      expect((await rt.next((m) => m.req === 'w')).problem.code).toBe('FORBIDDEN');
      await rt.sync();
      expect(rt.take((m) => m.type === 'event')).toEqual([]);
      await rt.close();
    }
  });

  it('delivers writes made on B to a subscriber on A in order, and loses nothing when A dies and the client resumes on B', async () => {
    const total = 200;
    const onA = await connect({ url: a.url });
    onA.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks' });
    const subscribed = await onA.next((m) => m.type === 'subscribed');
    const seen: { seq: number; n: number }[] = [];
    onA.socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'event' && message.op === 'insert') seen.push({ seq: message.seq, n: message.record.n });
    });

    const ids: string[] = [];
    const writing = (async () => {
      for (let n = 1; n <= total; n++) {
        const created = await call(b.url, 'POST', '/api/collections/ticks/records', { n });
        expect(created.status).toBe(201);
        ids.push(created.body.id);
      }
    })();
    // Kill A (no goodbye) once a third of the stream has reached the subscriber.
    await eventually(async () => seen.length, (count) => count >= total / 3, 20_000);
    await a.stop('SIGKILL');
    const beforeCrash = [...seen];
    expect(beforeCrash.length).toBeGreaterThan(0);
    expect(beforeCrash.map((e) => e.n)).toEqual(beforeCrash.map((_e, i) => i + 1));
    expect(beforeCrash.every((e, i) => i === 0 ? e.seq > subscribed.seq : e.seq > beforeCrash[i - 1]!.seq)).toBe(true);

    // The client reconnects to B and resumes from the last seq it saw.
    const onB = await connect({ url: b.url });
    onB.send({ type: 'subscribe', sub: 'ticks', kind: 'collection', collection: 'ticks', since: beforeCrash.at(-1)!.seq });
    const resumed = await onB.next((m) => m.type === 'subscribed');
    expect(resumed.type).toBe('subscribed');
    await writing;
    const after: { seq: number; n: number }[] = [];
    await eventually(async () => {
      after.push(...onB.take((m) => m.type === 'event').map((m) => ({ seq: m.seq, n: m.record.n })));
      return beforeCrash.length + after.length;
    }, (count) => count >= total, 20_000);
    const all = [...beforeCrash, ...after];
    expect(all.map((e) => e.n)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(all.every((e, i) => i === 0 || e.seq > all[i - 1]!.seq)).toBe(true);
    expect(ids).toHaveLength(total);
    await onB.close();
  }, 60_000);
});
