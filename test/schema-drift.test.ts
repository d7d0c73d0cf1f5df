import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectionsService, MemoryBus, RecordsService, SchemaRegistry, isCausewayError, reloadRegistry, sqlTemplate, systemCaller, type SqlDatabase, type SqlExecutor } from '@causeway/core';
import { loadConfig } from '../packages/server/src/config/config.js';
import { openDatabase } from '../packages/server/src/store/open-database.js';
import { dropTestDatabase, testDatabaseFlags } from './support/test-database.js';

/**
 * Two instances on one database whose bus has not (yet) told one of them about the other's schema change: the
 * window every deployment of several instances has. Each instance here has its own in-memory bus, so no signal
 * ever crosses; what keeps them right is the schema generation checked inside every write.
 */
interface Instance {
  db: SqlDatabase;
  schema: SchemaRegistry;
  collections: CollectionsService;
  records: RecordsService;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'causeway-drift-'));
let a: Instance;
let b: Instance;

async function open(): Promise<Instance> {
  const db = openDatabase(loadConfig({ dataDir, ...testDatabaseFlags(dataDir) }, {}).db);
  const schema = new SchemaRegistry();
  const bus = new MemoryBus();
  const collections = new CollectionsService(db, schema, bus);
  await collections.open();
  return { db, schema, collections, records: new RecordsService({ db, schema, bus }) };
}

async function failure(work: Promise<unknown>): Promise<{ status: number; code: string; fields?: Record<string, { code: string }> }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isCausewayError(error)) throw new Error(`expected a client error, got ${String(error)}`);
  return { status: error.status, code: error.code, fields: error.fields as Record<string, { code: string }> | undefined };
}

beforeAll(async () => {
  a = await open();
  b = await open();
  await a.collections.create({ name: 'notes', fields: [{ name: 'title', type: 'text' }] });
});

afterAll(async () => {
  await a?.db.close();
  await b?.db.close();
  await dropTestDatabase(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an instance that has not heard of another instance\'s schema change', () => {
  it('writes to a collection created elsewhere', async () => {
    expect(b.collections.list().map((c) => c.name)).not.toContain('notes');
    const created = await b.records.create(systemCaller, 'notes', { title: 'first' });
    expect(created.record.title).toBe('first');
    expect(b.collections.list().map((c) => c.name)).toContain('notes');
  });

  it('applies a field added elsewhere: its default, and its being required', async () => {
    const before = b.collections.get('notes');
    await a.collections.update('notes', { name: 'notes', fields: [...a.collections.get('notes').fields, { name: 'status', type: 'text', default: 'open' }] });
    expect(b.collections.get('notes')).toEqual(before);
    expect((await b.records.create(systemCaller, 'notes', { title: 'second' })).record.status).toBe('open');

    await a.collections.update('notes', { name: 'notes', fields: a.collections.get('notes').fields.map((f) => (f.name === 'title' ? { ...f, required: true } : f)) });
    const refused = await failure(b.records.create(systemCaller, 'notes', { status: 'no title' }));
    expect(refused).toMatchObject({ status: 422, fields: { title: { code: 'required' } } });
  });

  it('refuses a value for a field dropped elsewhere instead of failing in the database', async () => {
    const withoutStatus = a.collections.get('notes').fields.filter((f) => f.name !== 'status');
    await a.collections.update('notes', { name: 'notes', fields: withoutStatus }, { confirm: true });
    const refused = await failure(b.records.create(systemCaller, 'notes', { title: 'fourth', status: 'done' }));
    expect(refused.status).toBe(422);
    expect(refused.fields).toHaveProperty('status');
  });

  it('reads on the new schema when a filter names a column dropped elsewhere', async () => {
    await b.collections.reload();
    const fields = a.collections.get('notes').fields;
    await a.collections.update('notes', { name: 'notes', fields: [...fields, { name: 'tag', type: 'text' }] });
    await b.collections.reload();
    await a.collections.update('notes', { name: 'notes', fields }, { confirm: true });
    // B still knows `tag`; its query fails in the database, and is run again on the schema in force.
    const refused = await failure(b.records.list(systemCaller, 'notes', { filter: 'tag = "x"' }));
    expect(refused).toMatchObject({ status: 400 });
    expect((await b.records.list(systemCaller, 'notes', {})).items.length).toBe(2);
  });

  it('answers 404 for a collection deleted elsewhere, on reads and writes', async () => {
    await b.collections.reload();
    await a.collections.delete('notes', { confirm: true });
    expect((await failure(b.records.list(systemCaller, 'notes', {}))).status).toBe(404);
    expect((await failure(b.records.create(systemCaller, 'notes', { title: 'gone' }))).status).toBe(404);
  });
});

describe('re-reading the schema', () => {
  it('does not put back an older schema when a change commits while it reads', async () => {
    await a.collections.create({ name: 'slow', fields: [{ name: 'one', type: 'text' }] });
    await b.collections.reload();
    // B's periodic re-read has read the stored schema, and is slow to finish; meanwhile B itself adds a field.
    let release = () => {};
    let readDone = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = new Promise<void>((resolve) => (readDone = resolve));
    const slowReads: SqlExecutor = {
      get: (sql, params) => b.db.get(sql, params),
      all: async (sql, params) => {
        const rows = await b.db.all(sql, params);
        readDone();
        await gate;
        return rows;
      },
      run: (sql, params) => b.db.run(sql, params),
    };
    const reread = reloadRegistry(slowReads, sqlTemplate(b.db.dialect), b.schema);
    await read;
    await b.collections.update('slow', { name: 'slow', fields: [...b.collections.get('slow').fields, { name: 'two', type: 'text' }] });
    release();
    await reread;
    expect(b.collections.get('slow').fields.map((f) => f.name)).toEqual(['one', 'two']);
  });
});
