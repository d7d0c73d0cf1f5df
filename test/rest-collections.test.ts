import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.stop());

const records = (c: string) => `/api/collections/${c}/records`;

describe('field types', () => {
  it('lists every field type with how the console edits it', async () => {
    const response = await t.request('GET', '/api/field-types');
    expect(response.status).toBe(200);
    const items: { type: string; input: string; multiple: boolean; default: boolean; unique: boolean; options: { key: string; label: string; control: string }[] }[] = response.body.items;
    expect(items.map((i) => i.type)).toEqual(['text', 'number', 'bool', 'date', 'datetime', 'email', 'url', 'select', 'json', 'relation', 'file']);
    const byType = new Map(items.map((i) => [i.type, i]));
    expect(byType.get('bool')).toEqual({ type: 'bool', input: 'checkbox', multiple: false, default: true, unique: true, options: [] });
    expect(byType.get('select')).toMatchObject({ input: 'choice', multiple: true, options: [{ key: 'values', control: 'list', essential: true }] });
    expect(byType.get('relation')).toMatchObject({ input: 'relation', default: false, options: expect.arrayContaining([expect.objectContaining({ key: 'onDelete', control: 'choice' })]) });
    expect(byType.get('file')).toMatchObject({ input: 'file', unique: false, options: expect.arrayContaining([expect.objectContaining({ key: 'maxSize', control: 'megabytes' })]) });
    // A definition using every option of a type, as an editor would fill them in, is accepted.
    const number = await t.request('POST', '/api/collections', { name: 'hinted', fields: [{ name: 'n', type: 'number', ...Object.fromEntries(byType.get('number')!.options.map((o) => [o.key, o.control === 'flag' ? true : 5])) }] });
    expect(number.status, JSON.stringify(number.body)).toBe(201);
  });
});

describe('collection definitions', () => {
  it('creates a collection with defaults filled in', async () => {
    const response = await t.request('POST', '/api/collections', { name: 'notes', fields: [{ name: 'body', type: 'text' }] });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'notes', type: 'base', fields: [{ name: 'body', type: 'text', required: false, unique: false }] });
    expect(response.body.fields[0].id).toEqual(expect.any(String));
    expect((await t.request('GET', '/api/collections/notes')).body.name).toBe('notes');
    expect((await t.request('GET', '/api/collections')).body.items.map((c: { name: string }) => c.name)).toContain('notes');
  });

  const bad: { name: string; body: unknown; path: string }[] = [
    { name: 'a name with spaces', body: { name: 'my notes' }, path: 'name' },
    { name: 'a reserved field name', body: { name: 'r1', fields: [{ name: 'created', type: 'text' }] }, path: 'fields.0.name' },
    { name: 'the same field twice', body: { name: 'r2', fields: [{ name: 'a', type: 'text' }, { name: 'A', type: 'bool' }] }, path: 'fields.1.name' },
    { name: 'an unknown type', body: { name: 'r3', fields: [{ name: 'a', type: 'blob' }] }, path: 'fields.0.type' },
    { name: 'min above max', body: { name: 'r4', fields: [{ name: 'a', type: 'text', min: 5, max: 2 }] }, path: 'fields.0' },
    { name: 'a broken pattern', body: { name: 'r5', fields: [{ name: 'a', type: 'text', pattern: '([' }] }, path: 'fields.0' },
    { name: 'a relation to nowhere', body: { name: 'r6', fields: [{ name: 'a', type: 'relation', collection: 'ghosts' }] }, path: 'fields.0' },
    { name: 'a default outside the values', body: { name: 'r7', fields: [{ name: 'a', type: 'select', values: ['x'], default: 'y' }] }, path: 'fields.0' },
    { name: 'an index on an unknown field', body: { name: 'r8', indexes: [{ fields: ['nope'] }] }, path: 'indexes.0.fields' },
    { name: 'an unknown option', body: { name: 'r9', fields: [{ name: 'a', type: 'bool', max: 3 }] }, path: 'fields.0' },
  ];
  it.each(bad)('rejects $name with a message for $path', async ({ body, path }) => {
    const response = await t.request('POST', '/api/collections', body);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_SCHEMA');
    expect(Object.keys(response.body.errors).some((key) => key.startsWith(path))).toBe(true);
  });

  it('refuses a second collection with the same name', async () => {
    await t.request('POST', '/api/collections', { name: 'dupes' });
    const response = await t.request('POST', '/api/collections', { name: 'Dupes' });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('COLLECTION_EXISTS');
  });

  it('takes names up to the 63-character limit, even where derived names (indexes, keys) would be longer', async () => {
    const name = `c${'x'.repeat(62)}`;
    const field = (suffix: string) => `f${'y'.repeat(61)}${suffix}`;
    const created = await t.request('POST', '/api/collections', {
      name,
      fields: [{ name: field('a'), type: 'text', unique: true }, { name: field('b'), type: 'text', unique: true }, { name: 'n', type: 'number' }],
      indexes: [{ name: `i${'z'.repeat(61)}a`, fields: ['n'] }, { name: `i${'z'.repeat(61)}b`, fields: [field('a'), 'n'] }],
    });
    expect(created.status).toBe(201);
    expect((await t.request('POST', records(name), { [field('a')]: 'one', [field('b')]: 'one', n: 1 })).status).toBe(201);
    // Both unique fields are enforced: their indexes were not taken for one another.
    for (const clash of [{ [field('a')]: 'one', [field('b')]: 'two' }, { [field('a')]: 'two', [field('b')]: 'one' }]) {
      const refused = await t.request('POST', records(name), clash);
      expect(refused.status).toBe(409);
      expect(Object.keys(refused.body.errors)).toEqual([Object.keys(clash).find((k) => clash[k] === 'one')]);
    }
    // A change that rebuilds the table keeps the data and the constraints.
    const altered = await t.request('PATCH', `/api/collections/${name}`, { fields: [...created.body.fields, { name: 'label', type: 'text' }] });
    expect(altered.status).toBe(200);
    expect((await t.request('POST', records(name), { [field('a')]: 'one' })).status).toBe(409);
    expect((await t.request('GET', `${records(name)}?sort=n`)).body.items).toHaveLength(1);
  });

  it('answers 404 for an unknown collection', async () => {
    expect((await t.request('GET', '/api/collections/nope')).status).toBe(404);
    expect((await t.request('PATCH', '/api/collections/nope', { fields: [] })).status).toBe(404);
    expect((await t.request('DELETE', '/api/collections/nope')).status).toBe(404);
  });
});

describe('altering a collection with data in place', () => {
  beforeAll(async () => {
    await t.request('POST', '/api/collections', {
      name: 'people',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'age', type: 'number', integer: true },
        { name: 'nick', type: 'text' },
      ],
    });
    await t.request('POST', records('people'), { id: 'p1', name: 'Ann', age: 30, nick: 'annie' });
    await t.request('POST', records('people'), { id: 'p2', name: 'Bob', age: 150 });
  });

  const fieldsOf = async () => (await t.request('GET', '/api/collections/people')).body.fields as { id: string; name: string }[];

  it('adds a field, filling the default into existing records', async () => {
    const fields = await fieldsOf();
    const response = await t.request('PATCH', '/api/collections/people', { fields: [...fields, { name: 'active', type: 'bool', default: true }] });
    expect(response.status).toBe(200);
    expect((await t.request('GET', `${records('people')}/p1`)).body).toMatchObject({ name: 'Ann', age: 30, active: true });
  });

  it('renames a field (by id) keeping its data', async () => {
    const fields = await fieldsOf();
    const renamed = fields.map((f) => (f.name === 'name' ? { ...f, name: 'fullName' } : f));
    expect((await t.request('PATCH', '/api/collections/people', { fields: renamed })).status).toBe(200);
    const p1 = (await t.request('GET', `${records('people')}/p1`)).body;
    expect(p1.fullName).toBe('Ann');
    expect(p1).not.toHaveProperty('name');
    expect((await t.request('GET', `${records('people')}?filter=${encodeURIComponent('fullName = "Ann"')}`)).body.items).toHaveLength(1);
  });

  it('refuses a constraint that existing records break, listing how many', async () => {
    const fields = await fieldsOf();
    const tightened = fields.map((f) => (f.name === 'age' ? { ...f, max: 120 } : f));
    const response = await t.request('PATCH', '/api/collections/people', { fields: tightened });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('SCHEMA_CONFLICT');
    expect(response.body.errors.age.message).toContain('1 existing record');
    expect((await t.request('GET', `${records('people')}/p2`)).body.age).toBe(150);
  });

  it('refuses to make a field required while records lack it', async () => {
    const fields = await fieldsOf();
    const response = await t.request('PATCH', '/api/collections/people', { fields: fields.map((f) => (f.name === 'nick' ? { ...f, required: true } : f)) });
    expect(response.status).toBe(409);
    expect(response.body.errors.nick.message).toContain("record 'p2'");
  });

  it('refuses to make a field unique while values repeat', async () => {
    await t.request('POST', records('people'), { id: 'p3', fullName: 'Ann', age: 1 });
    const fields = await fieldsOf();
    const response = await t.request('PATCH', '/api/collections/people', { fields: fields.map((f) => (f.name === 'fullName' ? { ...f, unique: true } : f)) });
    expect(response.status).toBe(409);
    const removed = await t.request('DELETE', `${records('people')}/p3`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);
  });

  it('changes a field type when every value fits, converting storage', async () => {
    const fields = await fieldsOf();
    const response = await t.request('PATCH', '/api/collections/people', {
      fields: fields.map((f) => (f.name === 'nick' ? { id: f.id, name: 'nick', type: 'select', values: ['annie', 'bobby'] } : f)),
    });
    expect(response.status).toBe(200);
    expect((await t.request('GET', `${records('people')}/p1`)).body.nick).toBe('annie');
  });

  it('asks for confirmation before dropping a field that holds data, then drops it', async () => {
    const fields = await fieldsOf();
    const without = fields.filter((f) => f.name !== 'age');
    const refused = await t.request('PATCH', '/api/collections/people', { fields: without });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFIRMATION_REQUIRED');
    expect(refused.body.loss).toEqual({ age: 2 });
    expect((await t.request('GET', `${records('people')}/p1`)).body.age).toBe(30);
    const done = await t.request('PATCH', '/api/collections/people?confirm=true', { fields: without });
    expect(done.status).toBe(200);
    expect((await t.request('GET', `${records('people')}/p1`)).body).not.toHaveProperty('age');
  });

  it('keeps ETag versions and timestamps through a migration', async () => {
    const before = await t.request('GET', `${records('people')}/p1`);
    const fields = await fieldsOf();
    await t.request('PATCH', '/api/collections/people', { fields: [...fields, { name: 'extra', type: 'json' }] });
    const after = await t.request('GET', `${records('people')}/p1`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(after.body.updated).toBe(before.body.updated);
  });
});

describe('statements cached before a schema change', () => {
  it('keeps reading and writing records after their columns change, on every pooled connection', async () => {
    // Two connections, both made to cache the record statements, so whichever one the write gets has them.
    const small = await startTestServer({ config: { databasePoolSize: 2 } });
    try {
      const items = `/api/collections/tools/records`;
      await small.request('POST', '/api/collections', { name: 'tools', fields: [{ name: 'label', type: 'text' }] });
      for (const id of ['t1', 't2', 't3']) await small.request('POST', items, { id, label: id });
      await Promise.all(Array.from({ length: 8 }, () => small.request('GET', `${items}/t1`)));
      const fields = (await small.request('GET', '/api/collections/tools')).body.fields;
      expect((await small.request('PATCH', '/api/collections/tools', { fields: [...fields, { name: 'weight', type: 'number' }] })).status).toBe(200);
      expect((await small.request('PATCH', `${items}/t1`, { weight: 2 })).status).toBe(200);
      expect((await small.request('DELETE', `${items}/t2`)).status).toBe(204);
      expect((await small.request('GET', `${items}/t1`)).body).toMatchObject({ label: 't1', weight: 2 });
      expect((await small.request('GET', `${items}/t3`)).body).toMatchObject({ label: 't3', weight: null });
    } finally {
      await small.stop();
    }
  });
});

describe('deleting a collection', () => {
  it('asks for confirmation when it holds records', async () => {
    await t.request('POST', '/api/collections', { name: 'scratch', fields: [{ name: 'x', type: 'text' }] });
    await t.request('POST', records('scratch'), { x: 'data' });
    const refused = await t.request('DELETE', '/api/collections/scratch');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFIRMATION_REQUIRED');
    expect((await t.request('DELETE', '/api/collections/scratch?confirm=true')).status).toBe(204);
    expect((await t.request('GET', records('scratch'))).status).toBe(404);
  });

  it('refuses while another collection has relations to it', async () => {
    await t.request('POST', '/api/collections', { name: 'targets' });
    await t.request('POST', '/api/collections', { name: 'pointers', fields: [{ name: 't', type: 'relation', collection: 'targets' }] });
    const refused = await t.request('DELETE', '/api/collections/targets');
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('SCHEMA_CONFLICT');
  });
});

describe('schema export and import', () => {
  it('round-trips the whole schema idempotently', async () => {
    const exported = (await t.request('GET', '/api/schema')).body;
    expect(exported.version).toBe(1);
    const again = await t.request('POST', '/api/schema/import', exported);
    expect(again.status).toBe(200);
    expect(again.body.created).toEqual([]);
    expect(again.body.updated).toEqual([]);
    expect((await t.request('GET', '/api/schema')).body).toEqual(exported);

    const other = await startTestServer();
    try {
      // A new server starts with its own `users` collection; the imported file brings its own.
      expect((await other.request('DELETE', '/api/collections/users')).status).toBe(204);
      const imported = await other.request('POST', '/api/schema/import', exported);
      expect(imported.status).toBe(200);
      expect(imported.body.created.length).toBe(exported.collections.length);
      expect((await other.request('GET', '/api/schema')).body).toEqual(exported);
    } finally {
      await other.stop();
    }
  });

  it('rejects a document without collections', async () => {
    const response = await t.request('POST', '/api/schema/import', { version: 1 });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_SCHEMA');
  });
});
