import { it } from 'vitest';
import { mb, retainedMemory } from './support/retained-memory.js';
import { startTestServer } from './support/test-server.js';

it('probe', { timeout: 300_000 }, async () => {
  const t = await startTestServer();
  await t.request('POST', '/api/collections', { name: 'items', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'm', type: 'number' }] });
  const before = retainedMemory();
  const rss0 = process.memoryUsage().rss;
  const N = 1000;
  const fields = ['title = "x"', 'n > 1', 'm < 2', 'n != 3', 'title ~ "y"'];
  for (let i = 0; i < N; i++) {
    const parts: string[] = [];
    let k = i;
    while (parts.join(' || ').length < 3900) { parts.push(fields[k % 5]!); k = Math.floor(k / 5) + parts.length * 7 + i; }
    const filter = parts.join(' || ');
    const r = await t.request('GET', `/api/collections/items/records?filter=${encodeURIComponent(filter)}`, undefined, { authorization: '' });
    if (i === 0) console.log(r.status, filter.length);
  }
  console.log('PROBE filters per entry KB', ((retainedMemory() - before) / N / 1024).toFixed(1), 'rss MB', ((process.memoryUsage().rss - rss0) / mb).toFixed(0));
  await t.stop();
});
