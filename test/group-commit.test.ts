import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousCaller, isCausewayError, versionTag, type ChangeEvent, type VersionedRecord } from '@causeway/core';
import { SqliteDatabase } from '../packages/server/src/store/sqlite/sqlite-database.js';
import { onPostgres } from './support/test-database.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// Writes issued in the same tick reach the database together: on SQLite they are committed as one group (one
// transaction, a savepoint each), on PostgreSQL in parallel transactions. Either way each keeps its own outcome.
let t: TestServer;
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

beforeAll(async () => {
  t = await startTestServer();
  const define = async (definition: object) => expect((await t.request('POST', '/api/collections', definition)).status).toBe(201);
  await define({ name: 'notes', ...open, fields: [{ name: 'title', type: 'text', required: true, max: 20 }, { name: 'slug', type: 'text', unique: true }, { name: 'n', type: 'number' }] });
  await define({ name: 'threads', ...open, fields: [{ name: 'open', type: 'bool' }] });
  await define({ name: 'replies', ...open, createRule: 'thread.open = true', fields: [{ name: 'thread', type: 'relation', collection: 'threads', required: true }] });
});
afterAll(() => t.stop());

type Settled = { ok: true; record: VersionedRecord } | { ok: false; code: string };

/** Runs every write in the same tick and reports each one's outcome (a CausewayError's code, or the record). */
async function together(writes: (() => Promise<VersionedRecord>)[]): Promise<Settled[]> {
  const commitsBefore = commits();
  const outcomes = await Promise.allSettled(writes.map((write) => write()));
  if (t.server.db instanceof SqliteDatabase) expect(commits() - commitsBefore, 'the writes were committed as one group').toBe(1);
  return outcomes.map((outcome) => {
    if (outcome.status === 'fulfilled') return { ok: true, record: outcome.value };
    if (!isCausewayError(outcome.reason)) throw outcome.reason;
    return { ok: false, code: outcome.reason.code };
  });
}

function commits(): number {
  return t.server.db instanceof SqliteDatabase ? t.server.db.commits : 0;
}

const create = (collection: string, data: object) => () => t.server.records.create(anonymousCaller, collection, data);

describe('writes committed together', () => {
  it('fail alone, each with its own error, while the others commit', async () => {
    const outcomes = await together([
      create('notes', { title: 'first', slug: 'taken' }),
      create('notes', { title: 'far too long for the twenty characters' }),
      create('notes', { title: 'clash', slug: 'taken' }),
      create('notes', { title: 'last' }),
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['ok', 'VALIDATION_FAILED', 'UNIQUE_VIOLATION', 'ok']);
    const stored = await t.request('GET', `/api/collections/notes/records?filter=${encodeURIComponent("title = 'first' || title = 'last' || title = 'clash'")}&sort=title`);
    expect(stored.body.items.map((r: { title: string }) => r.title)).toEqual(['first', 'last']);
  });

  it('keep commit order in the change log and publish their events in that order', async () => {
    const published: ChangeEvent[] = [];
    const unsubscribe = t.server.bus.subscribe((events) => published.push(...events.filter((e) => e.collection === 'notes')));
    try {
      const outcomes = await together(Array.from({ length: 20 }, (_, n) => create('notes', { title: `ordered ${n}`, n })));
      const written = outcomes.map((o) => (o.ok ? { seq: o.record.seq!, id: o.record.record.id } : { seq: NaN, id: '' }));
      const inLogOrder = [...written].sort((a, b) => a.seq - b.seq);
      // SQLite runs a group in the order it was issued; PostgreSQL's parallel writers commit in any order.
      if (t.server.db instanceof SqliteDatabase) expect(inLogOrder).toEqual(written);
      await expect.poll(() => published.length).toBe(20);
      // Each event once. SQLite publishes in log order; on PostgreSQL a write whose entry a batch numbered before
      // the write asked for it is published with the next batch, so the hub orders what it hears by the log.
      expect(published.map((e) => e.seq).sort((x, y) => x - y)).toEqual(inLogOrder.map((w) => w.seq));
      if (t.server.db instanceof SqliteDatabase) expect(published.map((e) => e.seq)).toEqual(inLogOrder.map((w) => w.seq));
      const log = await t.server.db.all(`SELECT seq, record_id FROM "_changes" WHERE seq >= ${inLogOrder[0]!.seq} ORDER BY seq`);
      expect(log.map((row) => String(row.record_id)), JSON.stringify({ log, inLogOrder })).toEqual(inLogOrder.map((w) => w.id));
    } finally {
      unsubscribe();
    }
  });

  it('detect an ETag conflict between two updates of the same record: exactly one wins', async () => {
    const note = await t.server.records.create(anonymousCaller, 'notes', { title: 'contended', n: 0 });
    const tag = versionTag(note);
    const update = (n: number) => () => t.server.records.update(anonymousCaller, 'notes', note.record.id, { n }, { ifMatch: tag });
    const outcomes = await together([update(1), update(2)]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code)).sort()).toEqual(['PRECONDITION_FAILED', 'ok']);
    const stored = await t.server.records.get(anonymousCaller, 'notes', note.record.id);
    expect(stored.record.n).toBe(outcomes[0]!.ok ? 1 : 2);
    expect(stored.version).toBe(note.version + 1);
  });

  // Only a group lets a write see others not yet committed; PostgreSQL's parallel writers see committed ones.
  it.skipIf(onPostgres)('let rules see the writes before them in their group', async () => {
    const outcomes = await together([
      create('threads', { id: 'thread-open', open: true }),
      create('replies', { thread: 'thread-open' }),
      create('threads', { id: 'thread-shut', open: false }),
      create('replies', { thread: 'thread-shut' }),
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['ok', 'ok', 'ok', 'FORBIDDEN']);
  });
});
