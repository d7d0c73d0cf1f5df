import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, signUp } from './support/accounts.js';
import { hooksDirectory } from './support/hooks-directory.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// Every record hook kind, in one extension file loaded from a hooks directory. Hooks leave their traces in an
// admins-only `audit` collection, written through the records service they are given.
const extension = `
import { defineExtension } from '@causeway/server';

const slugify = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export default defineExtension((causeway) => {
  causeway.beforeCreate('notes', async ({ data, records }) => {
    if (typeof data.title === 'string') data.slug = slugify(data.title);
    if (data.title === 'refuse me') throw causeway.refuse('VALIDATION_FAILED', 'This title is refused by a hook.', { title: 'pick another title' });
    if (data.title === 'crash') throw new Error('a bug in a hook');
    if (data.title === 'audited' || data.title === 'audited then invalid') await records.asAdmin().create('audit', { what: 'before ' + data.title });
    if (data.title === 'audited then invalid') data.body = 'x'.repeat(500);
    if (data.title === 'as the caller') await records.create('audit', { what: 'as the caller' });
    if (data.title === 'same title twice') {
      const page = await records.list('notes', { filter: 'title = "same title twice"' });
      if (page.items.length > 0) throw causeway.refuse('UNIQUE_VIOLATION', 'There is a note with this title already.', { title: 'already used' });
    }
  });
  causeway.afterCreate('notes', async ({ record, records }) => {
    await records.asAdmin().create('audit', { what: 'created ' + record.id + ' ' + record.slug });
  });
  causeway.beforeUpdate('notes', ({ data, record }) => {
    if (record?.locked === true) throw causeway.refuse('FORBIDDEN', 'This note is locked.');
    if (typeof data.title === 'string') data.slug = slugify(data.title);
  });
  causeway.afterUpdate('notes', async ({ record, previous, records }) => {
    await records.asAdmin().create('audit', { what: 'updated ' + previous?.title + ' -> ' + record.title });
  });
  causeway.beforeDelete('notes', ({ record }) => {
    if (record?.keep === true) throw causeway.refuse('FORBIDDEN', 'This note is kept.');
  });
  causeway.afterDelete('notes', async ({ record, records }) => {
    await records.asAdmin().create('audit', { what: 'deleted ' + record.id });
  });
  causeway.beforeUpdate('secrets', async ({ records }) => {
    await records.asAdmin().create('audit', { what: 'secret hook ran' });
  });
  causeway.beforeCreate('*', ({ collection, data }) => {
    if (collection === 'tagged') data.tag = 'from *';
  });
});
`;

let t: TestServer;
let hooks: ReturnType<typeof hooksDirectory>;
const notes = '/api/collections/notes/records';

async function audit(): Promise<string[]> {
  const page = await t.request('GET', '/api/collections/audit/records?sort=created&limit=500');
  return page.body.items.map((item: { what: string }) => item.what);
}

beforeAll(async () => {
  hooks = hooksDirectory({ 'notes.ts': extension });
  t = await startTestServer({ config: { hooks: hooks.dir } });
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  for (const definition of [
    {
      name: 'notes',
      fields: [
        { name: 'title', type: 'text', required: true, max: 100 },
        // Read-only: only the hook (the server) sets it.
        { name: 'slug', type: 'text', readOnly: true },
        { name: 'body', type: 'text', max: 100 },
        { name: 'locked', type: 'bool' },
        { name: 'keep', type: 'bool' },
      ],
      ...open,
    },
    { name: 'audit', fields: [{ name: 'what', type: 'text' }] },
    { name: 'tagged', fields: [{ name: 'tag', type: 'text' }], ...open },
  ]) {
    const response = await t.request('POST', '/api/collections', definition);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  }
  const secrets = await t.request('POST', '/api/collections', {
    name: 'secrets',
    fields: [{ name: 'text', type: 'text' }, { name: 'owner', type: 'relation', collection: 'users' }],
    listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id', updateRule: '',
  });
  expect(secrets.status, JSON.stringify(secrets.body)).toBe(201);
});
afterAll(async () => {
  await t.stop();
  hooks.remove();
});

describe('loaded hooks', () => {
  it('are listed with their kind, collection and file', () => {
    const loaded = t.server.hooks.hooks();
    expect(loaded).toContainEqual({ kind: 'beforeCreate', collection: 'notes', source: 'notes.ts' });
    expect(loaded).toContainEqual({ kind: 'afterDelete', collection: 'notes', source: 'notes.ts' });
    expect(loaded).toContainEqual({ kind: 'beforeCreate', collection: '*', source: 'notes.ts' });
  });
});

describe('before-hooks', () => {
  it('change the data before it is validated, setting a read-only field a client may not', async () => {
    const created = await t.request('POST', notes, { title: 'Hello, World' }, anonymous);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.slug).toBe('hello-world');
    // A value the hook replaced is the hook's; one the hook left alone is still the client's, and judged so.
    const replaced = await t.request('POST', notes, { title: 'x', slug: 'chosen' }, anonymous);
    expect(replaced.body.slug).toBe('x');
    const sneaky = await t.request('PATCH', `${notes}/${created.body.id}`, { slug: 'chosen' }, anonymous);
    expect(sneaky.status).toBe(422);
    expect(sneaky.body.errors.slug.code).toBe('read_only');
    const updated = await t.request('PATCH', `${notes}/${created.body.id}`, { title: 'Second Title' }, anonymous);
    expect(updated.body.slug).toBe('second-title');
  });

  it('refuse with a problem (code, status, per-field messages), leaving nothing written and no change-log entry', async () => {
    const before = await t.server.feed.latest();
    const refused = await t.request('POST', notes, { title: 'refuse me' }, anonymous);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'VALIDATION_FAILED', detail: 'This title is refused by a hook.', errors: { title: { message: 'pick another title' } } });
    expect(await t.server.feed.latest()).toBe(before);
    const listed = await t.request('GET', `${notes}?filter=${encodeURIComponent('title = "refuse me"')}`);
    expect(listed.body.items).toEqual([]);
  });

  it("write through the records service inside the write's transaction: their writes roll back with it", async () => {
    const kept = await t.request('POST', notes, { title: 'audited' }, anonymous);
    expect(kept.status).toBe(201);
    expect(await audit()).toContain('before audited');
    const before = await t.server.feed.latest();
    // The hook writes an audit record, then makes the note invalid: the note's validation fails afterwards.
    const failed = await t.request('POST', notes, { title: 'audited then invalid' }, anonymous);
    expect(failed.status).toBe(422);
    expect(failed.body.errors.body).toBeDefined();
    expect(await audit()).not.toContain('before audited then invalid');
    expect(await t.server.feed.latest()).toBe(before);
  });

  it("write as the caller, under the caller's rules, unless they ask for admin rights", async () => {
    // `audit` is admins-only: the anonymous caller's own write from the hook is refused, and so is the note.
    const refused = await t.request('POST', notes, { title: 'as the caller' }, anonymous);
    expect(refused.status).toBe(403);
    expect(await audit()).not.toContain('as the caller');
    const asAdmin = await t.request('POST', notes, { title: 'as the caller' });
    expect(asAdmin.status).toBe(201);
    expect(await audit()).toContain('as the caller');
  });

  it('read other records inside the transaction (a cross-record check)', async () => {
    expect((await t.request('POST', notes, { title: 'same title twice' }, anonymous)).status).toBe(201);
    const second = await t.request('POST', notes, { title: 'same title twice' }, anonymous);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'UNIQUE_VIOLATION', errors: { title: { message: 'already used' } } });
  });

  it('refuse updates and deletes by the stored record', async () => {
    const note = (await t.request('POST', notes, { title: 'locked one', locked: true, keep: true }, anonymous)).body;
    const update = await t.request('PATCH', `${notes}/${note.id}`, { title: 'changed' }, anonymous);
    expect(update.status).toBe(403);
    expect(update.body.code).toBe('FORBIDDEN');
    const remove = await t.request('DELETE', `${notes}/${note.id}`, undefined, anonymous);
    expect(remove.status).toBe(403);
    expect((await t.request('GET', `${notes}/${note.id}`)).body.title).toBe('locked one');
  });

  it("never run for a record the caller cannot see: it is a 404, as without hooks", async () => {
    const alice = await signUp(t, 'hooks-alice@example.com');
    const bob = await signUp(t, 'hooks-bob@example.com');
    const secret = await t.request('POST', '/api/collections/secrets/records', { text: 'mine', owner: alice.id });
    const peek = await t.request('PATCH', `/api/collections/secrets/records/${secret.body.id}`, { text: 'yours now' }, bob.auth);
    expect(peek.status).toBe(404);
    expect(await audit()).not.toContain('secret hook ran');
    expect((await t.request('PATCH', `/api/collections/secrets/records/${secret.body.id}`, { text: 'still mine' }, alice.auth)).status).toBe(200);
    expect(await audit()).toContain('secret hook ran');
  });

  it("for '*' run on every collection", async () => {
    const created = await t.request('POST', '/api/collections/tagged/records', {}, anonymous);
    expect(created.body.tag).toBe('from *');
  });
});

describe('after-hooks', () => {
  it('see the written record (and the previous one) inside the transaction', async () => {
    const note = (await t.request('POST', notes, { title: 'After Hooks' }, anonymous)).body;
    await t.request('PATCH', `${notes}/${note.id}`, { title: 'After Hooks 2' }, anonymous);
    await t.request('DELETE', `${notes}/${note.id}`, undefined, anonymous);
    const trail = await audit();
    expect(trail).toContain(`created ${note.id} after-hooks`);
    expect(trail).toContain('updated After Hooks -> After Hooks 2');
    expect(trail).toContain(`deleted ${note.id}`);
  });
});

describe('a hook that throws something other than a refusal', () => {
  it('is a 500 with the request id, writes nothing, and the server goes on', async () => {
    const before = await t.server.feed.latest();
    const crashed = await t.request('POST', notes, { title: 'crash' }, anonymous);
    expect(crashed.status).toBe(500);
    expect(crashed.body.code).toBe('INTERNAL');
    expect(crashed.body.detail).not.toContain('a bug in a hook');
    expect(crashed.headers.get('x-request-id')).toMatch(/./);
    expect(await t.server.feed.latest()).toBe(before);
    expect((await t.request('GET', '/api/health')).status).toBe(200);
    // Kept for the console: the failure, not the refusals.
    expect(t.server.hooks.recentErrors()[0]).toMatchObject({ kind: 'beforeCreate', collection: 'notes', message: 'a bug in a hook' });
    expect(t.server.hooks.recentErrors().some((failure) => failure.message.includes('refused'))).toBe(false);
  });
});

describe('every surface runs the same hooks', () => {
  it('GraphQL mutations', async () => {
    const created = await t.request('POST', '/api/graphql', { query: 'mutation { createNotes(data: { title: "Via GraphQL" }) { id slug } }' }, { accept: 'application/graphql-response+json' });
    expect(created.body.data.createNotes.slug).toBe('via-graphql');
    const refused = await t.request('POST', '/api/graphql', { query: 'mutation { createNotes(data: { title: "refuse me" }) { id } }' }, { accept: 'application/graphql-response+json' });
    expect(refused.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const crashed = await t.request('POST', '/api/graphql', { query: 'mutation { createNotes(data: { title: "crash" }) { id } }' }, { accept: 'application/graphql-response+json' });
    expect(crashed.body.errors[0].extensions.code).toBe('INTERNAL');
    expect(JSON.stringify(crashed.body)).not.toContain('a bug in a hook');
  });

  it('batches, where a refusal rolls back every operation', async () => {
    const ok = await t.request('POST', '/api/batch', { operations: [{ action: 'create', collection: 'notes', data: { title: 'Via Batch' } }] }, anonymous);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.results[0].record.slug).toBe('via-batch');
    const before = await t.server.feed.latest();
    const refused = await t.request('POST', '/api/batch', {
      operations: [
        { action: 'create', collection: 'notes', data: { title: 'first of two' } },
        { action: 'create', collection: 'notes', data: { title: 'refuse me' } },
      ],
    }, anonymous);
    expect(refused.status).toBe(422);
    expect(refused.body.errors['operations.1.data.title']).toBeDefined();
    expect(await t.server.feed.latest()).toBe(before);
  });
});
