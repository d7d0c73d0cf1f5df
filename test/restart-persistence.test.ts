import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { postsDefinition, authorsDefinition } from './support/fixtures.js';
import { startTestServer } from './support/test-server.js';

describe('restart', () => {
  it('keeps schema, records, versions and the change log across a stop and start', async () => {
    const first = await startTestServer();
    await first.request('POST', '/api/collections', authorsDefinition);
    await first.request('POST', '/api/collections', postsDefinition);
    const author = await first.request('POST', '/api/collections/authors/records', { name: 'Persistent' });
    const post = await first.request('POST', '/api/collections/posts/records', { title: 'Survives', author: author.body.id, tags: ['a'] });
    const schema = (await first.request('GET', '/api/schema')).body;
    await first.stop(true);

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      expect((await second.request('GET', '/api/schema')).body).toEqual(schema);
      const read = await second.request('GET', `/api/collections/posts/records/${post.body.id}?expand=author`);
      expect(read.body).toMatchObject({ title: 'Survives', tags: ['a'], expand: { author: { name: 'Persistent' } } });
      expect(read.headers.get('etag')).toBeTruthy();
      const etag = (await second.request('GET', `/api/collections/posts/records/${post.body.id}`)).headers.get('etag');
      expect(etag).toBe(post.headers.get('etag'));
      const next = await second.request('POST', '/api/collections/authors/records', { name: 'After restart' });
      expect(next.body.id > author.body.id).toBe(true);
      const seqs = await second.server.db.all('SELECT seq FROM _changes ORDER BY seq');
      expect(seqs.map((r) => r.seq)).toEqual([1, 2, 3]);
    } finally {
      await second.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});

describe('a data directory from an earlier version', () => {
  it('gets the columns added since, and keeps working', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'causeway-upgrade-'));
    try {
      // The change log as the first release created it: no `previous` column.
      const old = new Database(path.join(dir, 'data.db'));
      old.exec('CREATE TABLE "_changes" (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, record_id TEXT NOT NULL, op TEXT NOT NULL, record TEXT NOT NULL, created TEXT NOT NULL) STRICT');
      old.close();
      const upgraded = await startTestServer({ dataDir: dir });
      try {
        await upgraded.request('POST', '/api/collections', { name: 'notes', fields: [{ name: 'text', type: 'text' }] });
        const created = await upgraded.request('POST', '/api/collections/notes/records', { text: 'after the upgrade' });
        expect(created.status).toBe(201);
        const updated = await upgraded.request('PATCH', `/api/collections/notes/records/${created.body.id}`, { text: 'again' });
        expect(updated.status).toBe(200);
      } finally {
        await upgraded.stop(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
