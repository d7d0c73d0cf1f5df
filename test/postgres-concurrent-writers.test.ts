import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type InstanceProcess } from './support/instance-process.js';
import { connect, type RealtimeClient } from './support/realtime-client.js';
import { serviceAvailable } from './support/services.js';
import { dropSchema, postgresUrlWithSchema } from './support/test-database.js';
import { testPostgresServer } from './support/postgres-project.js';
import type { Json } from './support/test-server.js';

// Record writes on PostgreSQL run in parallel transactions (docs/architecture.md, "Writers on PostgreSQL"): these
// tests load two instances with eight concurrent writers each, then hold the change log and what realtime
// delivers to the guarantees a single writer gave: every write once, in commit order, with no gap, and the rules
// and ETags judged on the record as it was when the write committed.
const available = await serviceAvailable('PostgreSQL', '127.0.0.1', 5432);
const admin = { email: 'admin@example.com', password: 'correct horse battery staple' };
const schema = `cw_writers_${randomBytes(4).toString('hex')}`;
const url = postgresUrlWithSchema(testPostgresServer, schema);

type Answer = { status: number; body: Json };
type LogRow = { seq: number; record_id: string; op: string; version: number; record: string };

async function call(base: string, token: string, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(base + pathname, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A small deterministic generator, so a failure can be replayed from the seed it prints. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Every event a subscription delivers up to position `last`, in the order they came. */
async function eventsUntil(client: RealtimeClient, sub: string, last: number): Promise<Json[]> {
  const events: Json[] = [];
  while (events.at(-1)?.seq !== last) {
    const message = await client.next((m) => m.sub === sub && (m.type === 'event' || m.type === 'resync'), 15_000);
    if (message.type === 'resync') throw new Error(`resync: ${JSON.stringify(message)}`);
    events.push(message);
  }
  return events;
}

describe.skipIf(!available)('parallel writers on PostgreSQL, two instances', () => {
  const instances: InstanceProcess[] = [];
  const sql = postgres(testPostgresServer, { max: 1, onnotice: () => undefined });
  let token = '';
  let user = '';
  const seed = Number(process.env.CAUSEWAY_TEST_SEED ?? Date.now() % 100_000);

  const log = async (after = 0): Promise<LogRow[]> =>
    (await sql.unsafe(`SELECT seq, record_id, op, version, record FROM "${schema}"."_changes" WHERE collection = 'counters' AND seq > $1 ORDER BY seq`, [after])).map((row) => ({
      seq: Number(row.seq), record_id: String(row.record_id), op: String(row.op), version: Number(row.version), record: String(row.record),
    }));

  beforeAll(async () => {
    instances.push(...(await Promise.all([startInstance({ CAUSEWAY_DATABASE_URL: url }), startInstance({ CAUSEWAY_DATABASE_URL: url })])));
    const [a] = instances;
    const firstRun = await fetch(`${a!.url}/api/admins/first-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    token = ((await firstRun.json()) as { token: string }).token;
    const made = await call(a!.url, token, 'POST', '/api/collections', {
      name: 'counters',
      listRule: '', viewRule: '', createRule: '', deleteRule: '',
      // Nobody may change a locked counter: the check must see the lock the moment it commits.
      updateRule: 'locked != true',
      fields: [{ name: 'n', type: 'number' }, { name: 'locked', type: 'bool' }, { name: 'by', type: 'text' }],
    });
    expect(made.status).toBe(201);
    const signedUp = await call(a!.url, '', 'POST', '/api/collections/users/auth/sign-up', { email: 'writer@example.com', password: 'writer passphrase one' });
    user = signedUp.body.token;
    for (const instance of instances) {
      while ((await call(instance.url, user, 'GET', '/api/collections/counters/records?limit=1')).status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGTERM')));
    await sql.end();
    if (available) await dropSchema(testPostgresServer, schema);
  });

  it('gives every write one position, in commit order, without gaps, and realtime delivers exactly that from any position', async () => {
    console.log(`parallel writers: seed ${seed} (CAUSEWAY_TEST_SEED=${seed} replays it)`);
    const next = random(seed);
    const [a, b] = instances as [InstanceProcess, InstanceProcess];
    const before = (await log()).at(-1)?.seq ?? 0;
    const live = await connect({ url: a.url }, user);
    live.send({ type: 'subscribe', sub: 'all', kind: 'collection', collection: 'counters' });
    await live.next((m) => m.type === 'subscribed');

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await call(a.url, user, 'POST', '/api/collections/counters/records', { n: 0, locked: false })).body.id);
    const succeeded = { writes: 6 };
    // Eight writers, four on each instance, on six records: most writes contend for a row someone else holds.
    await Promise.all(Array.from({ length: 8 }, async (_, writer) => {
      const base = writer % 2 === 0 ? a.url : b.url;
      for (let i = 0; i < 25; i++) {
        const id = ids[Math.floor(next() * ids.length)]!;
        const choice = next();
        if (choice < 0.15) {
          const created = await call(base, user, 'POST', '/api/collections/counters/records', { n: i, locked: false, by: `w${writer}` });
          expect(created.status).toBe(201);
          succeeded.writes++;
        } else if (choice < 0.55) {
          const read = await call(base, user, 'GET', `/api/collections/counters/records/${id}`);
          const etag = String((await fetch(`${base}/api/collections/counters/records/${id}`, { headers: { authorization: `Bearer ${user}` } })).headers.get('etag'));
          const updated = await call(base, user, 'PATCH', `/api/collections/counters/records/${id}`, { n: Number(read.body.n) + 1, by: `w${writer}` }, { 'if-match': etag });
          expect([200, 403, 412]).toContain(updated.status);
          if (updated.status === 200) succeeded.writes++;
        } else {
          const updated = await call(base, user, 'PATCH', `/api/collections/counters/records/${id}`, { by: `w${writer}-${i}` });
          expect([200, 403]).toContain(updated.status);
          if (updated.status === 200) succeeded.writes++;
        }
        if (writer === 0 && i === 12) {
          // By an admin: the rule holds after an update too, so no user may lock a counter.
          expect((await call(base, token, 'PATCH', `/api/collections/counters/records/${ids[0]}`, { locked: true })).status).toBe(200);
          succeeded.writes++;
        }
      }
    }));

    const entries = await log(before);
    // Every write once; positions consecutive (a reader that sees n has seen everything before it).
    expect(entries).toHaveLength(succeeded.writes);
    entries.forEach((entry, i) => expect(entry.seq).toBe(entries[0]!.seq + i));
    // Commit order, record by record: each record's versions follow one another with no step missed or repeated.
    const versions = new Map<string, number>();
    for (const entry of entries) {
      expect(entry.version, `${entry.record_id} at ${entry.seq}`).toBe((versions.get(entry.record_id) ?? 0) + 1);
      versions.set(entry.record_id, entry.version);
    }
    // The rule saw the lock as soon as it committed: nothing changed the locked counter after it.
    const lockedAt = entries.findIndex((entry) => entry.record_id === ids[0] && JSON.parse(entry.record).locked === true);
    expect(lockedAt).toBeGreaterThanOrEqual(0);
    expect(entries.slice(lockedAt + 1).filter((entry) => entry.record_id === ids[0])).toEqual([]);
    const last = entries.at(-1)!.seq;

    const delivered = await eventsUntil(live, 'all', last);
    expect(delivered.map((event) => event.seq)).toEqual(entries.map((entry) => entry.seq));
    await live.close();

    // Resume from random positions on either instance: exactly the log after that position, in order.
    for (let i = 0; i < 4; i++) {
      const from = entries[Math.floor(next() * entries.length)]!.seq;
      const resumed = await connect({ url: (i % 2 === 0 ? b : a).url }, user);
      resumed.send({ type: 'subscribe', sub: 'again', kind: 'collection', collection: 'counters', since: from });
      const replay = from === last ? [] : await eventsUntil(resumed, 'again', last);
      expect(replay.map((event) => event.seq), `resumed after ${from}`).toEqual(entries.filter((entry) => entry.seq > from).map((entry) => entry.seq));
      await resumed.close();
    }
  }, 120_000);

  it('lets exactly one of many If-Match updates of one version win, across both instances', async () => {
    const [a, b] = instances as [InstanceProcess, InstanceProcess];
    const created = await call(a.url, user, 'POST', '/api/collections/counters/records', { n: 0, locked: false });
    const etag = String((await fetch(`${a.url}/api/collections/counters/records/${created.body.id}`, { headers: { authorization: `Bearer ${user}` } })).headers.get('etag'));
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      call(i % 2 === 0 ? a.url : b.url, user, 'PATCH', `/api/collections/counters/records/${created.body.id}`, { n: i + 1 }, { 'if-match': etag })));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 412)).toHaveLength(15);
    const winner = answers.find((answer) => answer.status === 200)!;
    expect((await call(b.url, user, 'GET', `/api/collections/counters/records/${created.body.id}`)).body.n).toBe(winner.body.n);
  }, 60_000);

  it('lets no create link a record that a parallel delete removes', async () => {
    const [a, b] = instances as [InstanceProcess, InstanceProcess];
    const made = await call(a.url, token, 'POST', '/api/collections', {
      name: 'comments', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
      fields: [{ name: 'on', type: 'relation', collection: 'counters', onDelete: 'cascade' }],
    });
    expect(made.status).toBe(201);
    for (const instance of instances) {
      while ((await call(instance.url, user, 'GET', '/api/collections/comments/records?limit=1')).status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    for (let round = 0; round < 5; round++) {
      const target = (await call(a.url, user, 'POST', '/api/collections/counters/records', { n: 0 })).body.id;
      await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => call(i % 2 === 0 ? a.url : b.url, user, 'POST', '/api/collections/comments/records', { on: target })),
        call(b.url, user, 'DELETE', `/api/collections/counters/records/${target}`),
      ]);
      // Whatever won each race, no comment points at the deleted counter: each either came first and was deleted
      // with it (cascade), or came after and was refused.
      const dangling = await sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}"."comments" WHERE "on" = $1`, [target]);
      expect(dangling[0]!.n).toBe(0);
    }
  }, 60_000);
});
