import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type Account } from './support/accounts.js';
import { realtimeClients } from './support/realtime-client.js';
import { startTestServer, type Json, type TestServer } from './support/test-server.js';

let t: TestServer;
let alice: Account;
let bob: Account;
const { open, closeAll } = realtimeClients(() => t);
const records = (collection: string) => `/api/collections/${collection}/records`;

beforeAll(async () => {
  t = await startTestServer();
  alice = await signUp(t, 'alice@example.com');
  bob = await signUp(t, 'bob@example.com');
  const owner = 'owner = @request.auth.id';
  await t.request('POST', '/api/collections', {
    name: 'notes',
    fields: [{ name: 'title', type: 'text' }, { name: 'rank', type: 'number' }, { name: 'public', type: 'bool' }, { name: 'owner', type: 'relation', collection: 'users' }],
    listRule: `public = true || ${owner}`, viewRule: `public = true || ${owner}`, createRule: owner, updateRule: owner, deleteRule: owner,
  });
});

afterAll(async () => {
  await closeAll();
  await t?.stop();
});

const create = async (data: Record<string, unknown>) => (await t.request('POST', records('notes'), data)).body;

describe('the protocol', () => {
  it('welcomes with the protocol version and the current position', async () => {
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(`${t.url.replace('http', 'ws')}/api/realtime`);
    const welcome: Json = await new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1, connection: expect.any(String), seq: expect.any(Number) });
    socket.close();
  });

  it('answers bad messages with a problem, and keeps the connection', async () => {
    const client = await open();
    client.send({ type: 'nope' });
    const error = await client.next((m) => m.type === 'error');
    expect(error.problem).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    client.socket.send('{not json');
    expect((await client.next((m) => m.type === 'error')).problem.code).toBe('MALFORMED_JSON');
    client.send({ type: 'subscribe', sub: 's', kind: 'collection', collection: 'missing' });
    expect((await client.next((m) => m.type === 'error')).problem.code).toBe('COLLECTION_NOT_FOUND');
    client.send({ type: 'subscribe', sub: 's', kind: 'collection', collection: 'notes', filter: 'rank >' });
    const filterError = await client.next((m) => m.type === 'error');
    expect(filterError).toMatchObject({ sub: 's', problem: { code: 'INVALID_FILTER', position: expect.any(Number) } });
    expect(await client.sync()).toBeGreaterThanOrEqual(0);
  });

  it('refuses a bad token and admins-only collections', async () => {
    const client = await open();
    client.send({ type: 'auth', token: 'garbage' });
    expect((await client.next((m) => m.type === 'error')).problem.code).toBe('INVALID_TOKEN');
    client.send({ type: 'subscribe', sub: 'c', kind: 'collection', collection: 'users' });
    const users = await client.next((m) => m.type === 'subscribed' || m.type === 'error');
    expect(users.type).toBe('subscribed');
    await t.request('POST', '/api/collections', { name: 'vault', fields: [{ name: 'x', type: 'text' }] });
    client.send({ type: 'subscribe', sub: 'v', kind: 'collection', collection: 'vault' });
    expect((await client.next((m) => m.type === 'error')).problem.code).toBe('FORBIDDEN');
  });
});

describe('subscriptions', () => {
  it('deliver a collection’s changes in commit order with their sequence numbers', async () => {
    const client = await open(alice.token);
    client.send({ type: 'subscribe', sub: 'mine', kind: 'collection', collection: 'notes', filter: `owner = "${alice.id}"` });
    const subscribed = await client.next((m) => m.type === 'subscribed');
    const first = await create({ title: 'one', owner: alice.id, rank: 1 });
    await t.request('PATCH', `${records('notes')}/${first.id}`, { title: 'one!' });
    await t.request('DELETE', `${records('notes')}/${first.id}`);
    await client.sync();
    const events = client.take((m) => m.type === 'event' && m.sub === 'mine');
    expect(events.map((e) => [e.op, e.record.title])).toEqual([['insert', 'one'], ['update', 'one!'], ['remove', 'one!']]);
    const seqs = events.map((e) => e.seq);
    expect(seqs[0]).toBeGreaterThan(subscribed.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('turn a record leaving or entering the filter into remove and insert', async () => {
    const client = await open(alice.token);
    client.send({ type: 'subscribe', sub: 'top', kind: 'collection', collection: 'notes', filter: 'rank >= 10' });
    await client.next((m) => m.type === 'subscribed');
    const note = await create({ title: 'climber', owner: alice.id, rank: 5 });
    await t.request('PATCH', `${records('notes')}/${note.id}`, { rank: 11 });
    await t.request('PATCH', `${records('notes')}/${note.id}`, { rank: 12 });
    await t.request('PATCH', `${records('notes')}/${note.id}`, { rank: 3 });
    await client.sync();
    expect(client.take((m) => m.sub === 'top' && m.type === 'event').map((e) => [e.op, e.record.rank])).toEqual([['insert', 11], ['update', 12], ['remove', 12]]);
  });

  it('follow one record', async () => {
    const client = await open(alice.token);
    const note = await create({ title: 'solo', owner: alice.id });
    const other = await create({ title: 'other', owner: alice.id });
    client.send({ type: 'subscribe', sub: 'one', kind: 'record', collection: 'notes', id: note.id });
    await client.next((m) => m.type === 'subscribed');
    await t.request('PATCH', `${records('notes')}/${other.id}`, { title: 'noise' });
    await t.request('PATCH', `${records('notes')}/${note.id}`, { title: 'solo 2' });
    await client.sync();
    expect(client.take((m) => m.sub === 'one').map((e) => e.record.title)).toEqual(['solo 2']);
  });
});

describe('permissions', () => {
  it('never deliver one user’s private records to another, on any kind of subscription', async () => {
    const bobClient = await open(bob.token);
    const anonymous = await open();
    for (const client of [bobClient, anonymous]) {
      client.send({ type: 'subscribe', sub: 'all', kind: 'collection', collection: 'notes' });
      client.send({ type: 'subscribe', sub: 'q', kind: 'query', collection: 'notes', sort: '-created', limit: 50 });
      await client.next((m) => m.type === 'subscribed');
      await client.next((m) => m.type === 'snapshot');
    }
    const secret = await create({ title: 'alice secret', owner: alice.id });
    bobClient.send({ type: 'subscribe', sub: 'r', kind: 'record', collection: 'notes', id: secret.id });
    await bobClient.next((m) => m.type === 'subscribed');
    await t.request('PATCH', `${records('notes')}/${secret.id}`, { title: 'alice secret 2' });
    await t.request('PATCH', `${records('notes')}/${secret.id}`, { public: true });
    await t.request('PATCH', `${records('notes')}/${secret.id}`, { public: false, title: 'private again' });
    await t.request('DELETE', `${records('notes')}/${secret.id}`);
    for (const client of [bobClient, anonymous]) {
      await client.sync();
      const seen = client.received.filter((m) => JSON.stringify(m).includes(secret.id));
      // Only while it was public: inserted when made public, removed when made private, nothing else.
      const titles = JSON.stringify(seen);
      expect(titles).not.toContain('alice secret"');
      expect(titles).not.toContain('private again');
      const events = seen.filter((m) => m.sub === 'all');
      expect(events.map((e) => e.op)).toEqual(['insert', 'remove']);
      expect(events[1].record.title).toBe('alice secret 2');
      client.take(() => true);
    }
  });
});

describe('live queries', () => {
  it('send a snapshot, then diffs that keep the list equal to a fresh query, through random writes', async () => {
    const client = await open(alice.token);
    const query = { filter: 'rank >= 0 && title != "skip"', sort: '-rank,title', limit: 7 };
    client.send({ type: 'subscribe', sub: 'live', kind: 'query', collection: 'notes', ...query });
    let list: Json[] = (await client.next((m) => m.type === 'snapshot' && m.sub === 'live')).items;
    const { applyOps } = await import('@causeway/client');
    const ids: string[] = [];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let step = 0; step < 300; step++) {
      const action = ids.length < 3 ? 0 : random(3);
      if (action === 0) {
        const note = await create({ title: random(5) === 0 ? 'skip' : `n${random(20)}`, rank: random(10) - 1, owner: random(4) === 0 ? bob.id : alice.id, public: random(2) === 0 });
        ids.push(note.id);
      } else if (action === 1) {
        await t.request('PATCH', `${records('notes')}/${ids[random(ids.length)]}`, { rank: random(10) - 1, public: random(2) === 0, title: `n${random(20)}` });
      } else {
        const [id] = ids.splice(random(ids.length), 1);
        await t.request('DELETE', `${records('notes')}/${id}`);
      }
      await client.sync();
      for (const diff of client.take((m) => m.type === 'diff' && m.sub === 'live')) list = applyOps(list, diff.ops);
      const fresh = await t.request('GET', `${records('notes')}?filter=${encodeURIComponent(query.filter)}&sort=${query.sort}&limit=7`, undefined, alice.auth);
      expect(list, `after step ${step}`).toEqual(fresh.body.items);
    }
  });
});

describe('writes over the socket', () => {
  it('go through the same rules and are acknowledged with the record and sequence number', async () => {
    const client = await open(alice.token);
    client.send({ type: 'create', req: 'c1', collection: 'notes', data: { title: 'via socket', owner: alice.id } });
    const created = await client.next((m) => m.req === 'c1');
    expect(created).toMatchObject({ type: 'ack', record: { title: 'via socket' }, seq: expect.any(Number) });
    client.send({ type: 'create', req: 'c2', collection: 'notes', data: { title: 'for bob', owner: bob.id } });
    expect((await client.next((m) => m.req === 'c2')).problem).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    client.send({ type: 'create', req: 'c3', collection: 'notes', data: { rank: 'high', owner: alice.id } });
    expect((await client.next((m) => m.req === 'c3')).problem).toMatchObject({ status: 422, errors: { rank: { code: expect.any(String) } } });
    client.send({ type: 'update', req: 'u1', collection: 'notes', id: created.record.id, data: { title: 'edited' } });
    const updated = await client.next((m) => m.req === 'u1');
    expect(updated.seq).toBeGreaterThan(created.seq);
    const bobClient = await open(bob.token);
    bobClient.send({ type: 'delete', req: 'd1', collection: 'notes', id: created.record.id });
    expect((await bobClient.next((m) => m.req === 'd1')).problem.code).toBe('RECORD_NOT_FOUND');
    client.send({ type: 'delete', req: 'd2', collection: 'notes', id: created.record.id, ifMatch: 'stale' });
    expect((await client.next((m) => m.req === 'd2')).problem.code).toBe('PRECONDITION_FAILED');
    client.send({ type: 'delete', req: 'd3', collection: 'notes', id: created.record.id });
    expect(await client.next((m) => m.req === 'd3')).toMatchObject({ type: 'ack', seq: expect.any(Number) });
  });
});

describe('channels', () => {
  it('broadcast messages to the others and track who is present', async () => {
    const a = await open(alice.token);
    const b = await open(bob.token);
    a.send({ type: 'join', channel: 'room:1' });
    expect((await a.next((m) => m.type === 'joined')).members).toHaveLength(1);
    b.send({ type: 'join', channel: 'room:1' });
    const joined = await b.next((m) => m.type === 'joined');
    expect(joined.members.map((m: Json) => m.id).sort()).toEqual([alice.id, bob.id].sort());
    expect(await a.next((m) => m.type === 'presence')).toMatchObject({ event: 'join', member: { id: bob.id, kind: 'user' } });
    b.send({ type: 'send', channel: 'room:1', payload: { text: 'hi' }, req: 's1' });
    expect(await a.next((m) => m.type === 'message')).toMatchObject({ channel: 'room:1', from: { id: bob.id }, payload: { text: 'hi' } });
    await b.next((m) => m.type === 'ack' && m.req === 's1');
    expect(b.received.some((m) => m.type === 'message')).toBe(false);
    await b.close();
    expect(await a.next((m) => m.type === 'presence')).toMatchObject({ event: 'leave', member: { id: bob.id } });
  });

  it('apply the join and send rules', async () => {
    const anonymous = await open();
    anonymous.send({ type: 'join', channel: 'room:1' });
    expect((await anonymous.next((m) => m.type === 'error')).problem.code).toBe('FORBIDDEN');
    const a = await open(alice.token);
    a.send({ type: 'send', channel: 'room:2', payload: 1 });
    expect((await a.next((m) => m.type === 'error')).problem.code).toBe('BAD_REQUEST');
  });
});
