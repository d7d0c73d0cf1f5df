import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from './support/accounts.js';
import { hooksDirectory } from './support/hooks-directory.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// After-commit hooks write what they saw to files in the hooks directory (a file the test reads).
function extension(dir: string): string {
  const out = (name: string) => JSON.stringify(path.join(dir, name));
  return `
import { appendFileSync } from 'node:fs';
import { defineExtension } from '@causeway/server';

let flakyAttempts = 0;

export default defineExtension((causeway) => {
  causeway.afterCommit('notes', (change) => {
    if (change.record.title === 'flaky' && change.op === 'create') {
      flakyAttempts += 1;
      appendFileSync(${out('attempts.log')}, change.seq + '\\n');
      if (flakyAttempts < 3) throw new Error('not yet');
    }
    appendFileSync(${out('notes.log')}, JSON.stringify({ seq: change.seq, op: change.op, id: change.recordId, title: change.record.title }) + '\\n');
  });
  causeway.afterCommit('*', (change) => {
    appendFileSync(${out('all.log')}, change.seq + ' ' + change.collection + '\\n');
  }, { name: 'everything' });
});
`;
}

let t: TestServer;
let hooks: ReturnType<typeof hooksDirectory>;
const notes = '/api/collections/notes/records';

function lines(name: string): string[] {
  const file = path.join(hooks.dir, name);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function eventually<T>(probe: () => T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  hooks = hooksDirectory({});
  hooks.write('after-commit.ts', extension(hooks.dir));
  t = await startTestServer({ config: { hooks: hooks.dir } });
  const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
  expect((await t.request('POST', '/api/collections', { name: 'books', fields: [{ name: 'name', type: 'text' }], ...open })).status).toBe(201);
  expect((await t.request('POST', '/api/collections', {
    name: 'notes',
    fields: [{ name: 'title', type: 'text' }, { name: 'book', type: 'relation', collection: 'books', onDelete: 'cascade' }],
    ...open,
  })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
  hooks.remove();
});

describe('after-commit hooks', () => {
  it('see every committed change once, in order, with its seq: single writes, batches and cascades', async () => {
    const from = await t.server.feed.latest();
    const book = (await t.request('POST', '/api/collections/books/records', { name: 'B' }, anonymous)).body;
    const note = (await t.request('POST', notes, { title: 'one', book: book.id }, anonymous)).body;
    await t.request('PATCH', `${notes}/${note.id}`, { title: 'one, changed' }, anonymous);
    await t.request('POST', '/api/batch', { operations: [{ action: 'create', collection: 'notes', data: { title: 'two', book: book.id } }, { action: 'create', collection: 'notes', data: { title: 'three' } }] }, anonymous);
    // Deleting the book cascades to its notes: each cascaded delete is a change of its own.
    expect((await t.request('DELETE', `/api/collections/books/records/${book.id}`, undefined, anonymous)).status).toBe(204);
    const committed = (await t.server.feed.since(from)).filter((change) => change.collection === 'notes');
    expect(committed.map((c) => c.op)).toEqual(['create', 'update', 'create', 'create', 'delete', 'delete']);
    const seen = await eventually(() => lines('notes.log').map((line) => JSON.parse(line) as { seq: number; op: string }), (v) => v.filter((c) => c.seq > from).length >= committed.length);
    expect(seen.filter((c) => c.seq > from)).toEqual(committed.map((c) => ({ seq: c.seq, op: c.op, id: c.recordId, title: c.record.title })));
    const all = await eventually(() => lines('all.log').filter((line) => Number(line.split(' ')[0]) > from), (v) => v.length >= 8);
    expect(all.map((line) => Number(line.split(' ')[0]))).toEqual((await t.server.feed.since(from)).map((c) => c.seq));
  });

  it('do not run for a write that was refused or rolled back', async () => {
    const from = await t.server.feed.latest();
    const refused = await t.request('POST', '/api/batch', { operations: [{ action: 'create', collection: 'notes', data: { title: 'rolled back' } }, { action: 'create', collection: 'notes', data: { nope: 1 } }] }, anonymous);
    expect(refused.status).toBe(422);
    const marker = (await t.request('POST', notes, { title: 'after the refusal' }, anonymous)).body;
    const seen = await eventually(() => lines('notes.log'), (v) => v.some((line) => line.includes(marker.id)));
    expect(seen.some((line) => line.includes('rolled back'))).toBe(false);
    expect(seen.filter((line) => (JSON.parse(line) as { seq: number }).seq > from)).toHaveLength(1);
  });

  it('retry a failing change with backoff, without skipping it or running later changes first', async () => {
    const flaky = (await t.request('POST', notes, { title: 'flaky' }, anonymous)).body;
    const later = (await t.request('POST', notes, { title: 'later' }, anonymous)).body;
    const seen = await eventually(() => lines('notes.log').map((line) => JSON.parse(line) as { id: string }), (v) => v.some((c) => c.id === later.id));
    const ids = seen.map((c) => c.id);
    expect(ids.indexOf(flaky.id)).toBeGreaterThan(-1);
    expect(ids.indexOf(flaky.id)).toBeLessThan(ids.indexOf(later.id));
    expect(lines('attempts.log')).toHaveLength(3);
  });
});
