import { rmSync } from 'node:fs';
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
